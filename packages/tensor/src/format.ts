/**
 * Printing tensors like NumPy and PyTorch: nested brackets, aligned columns, and `...` in
 * place of the middle of axes when a tensor has more than 1000 elements.
 */
import { formatShape } from './shape.js';
import { isTensor, Tensor } from './tensor.js';
import { describeValue } from './validation/option-keys.js';

const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

function formatNumber(value: number, dtype: string, fixed: boolean, digits: number): string {
  if (dtype === 'bool') return value ? 'true' : 'false';
  if (dtype === 'int32') return String(value);
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (fixed) return Number.isInteger(value) && digits === 0 ? `${value}.` : value.toFixed(digits);
  // Two-digit exponents, as NumPy and PyTorch print them: 1.0000e-05, not 1.0000e-5.
  return value.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * The printed form of a tensor.
 *
 * @example
 * String(tensor([[1, 2], [3, 4]])) // 'tensor([[1., 2.],\n        [3., 4.]])'
 */
export function formatTensor(t: Tensor): string {
  if (!isTensor(t)) throw new TypeError(`formatTensor: 't' must be a Tensor, got ${describeValue(t)}`);
  if (t.isDisposed) return `tensor(<disposed>, shape=${formatShape(t.shape)}, dtype=${t.dtype})`;
  const values = t.dataSync();
  const summarize = values.length > THRESHOLD;
  const finite = Array.from(values).filter((v) => Number.isFinite(v));
  const largest = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const smallest = finite.filter((v) => v !== 0).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
  const allIntegers = finite.every((v) => Number.isInteger(v));
  // NumPy and PyTorch switch to scientific notation when magnitudes span more than 1000×, so
  // that small entries keep their digits next to large ones.
  const spread = smallest === Infinity || largest / smallest <= 1000;
  const fixed = allIntegers
    ? largest < 1e8 && spread
    : largest < 1e8 && spread && (smallest === Infinity || smallest >= 1e-4);
  const digits = allIntegers ? 0 : 4;
  const strides: number[] = [];
  let stride = 1;
  for (let axis = t.ndim - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= t.shape[axis]!;
  }
  const cells: string[] = [];
  const cell = (index: number) => formatNumber(values[index]!, t.dtype, fixed, digits);
  const visit = (axis: number, base: number) => {
    if (axis === t.ndim) {
      cells.push(cell(base));
      return;
    }
    const size = t.shape[axis]!;
    for (let i = 0; i < size; i++) {
      if (summarize && size > 2 * EDGE_ITEMS && i === EDGE_ITEMS) i = size - EDGE_ITEMS;
      visit(axis + 1, base + i * strides[axis]!);
    }
  };
  visit(0, 0);
  const width = cells.reduce((m, c) => Math.max(m, c.length), 0);
  let position = 0;
  const indent = 'tensor('.length;
  const render = (axis: number): string => {
    if (axis === t.ndim) return cells[position++]!.padStart(width);
    const size = t.shape[axis]!;
    const parts: string[] = [];
    for (let i = 0; i < size; i++) {
      if (summarize && size > 2 * EDGE_ITEMS && i === EDGE_ITEMS) {
        parts.push('...');
        i = size - EDGE_ITEMS;
      }
      parts.push(render(axis + 1));
    }
    const separator =
      axis === t.ndim - 1 ? ', ' : `,${'\n'.repeat(Math.max(1, t.ndim - axis - 1))}${' '.repeat(indent + axis + 1)}`;
    return `[${parts.join(separator)}]`;
  };
  const body = t.ndim === 0 ? cells[0]! : render(0);
  const suffix = t.dtype === 'float32' ? '' : `, dtype=${t.dtype}`;
  const shapeNote = summarize ? `, shape=${formatShape(t.shape)}` : '';
  return `tensor(${body}${shapeNote}${suffix})`;
}

Tensor.prototype.toString = function (this: Tensor) {
  return formatTensor(this);
};

// `console.log(t)`, `util.inspect(t)` and the Node REPL print the tensor as `String(t)` does,
// instead of its internals. The key is the registered symbol behind `util.inspect.custom`, so
// no `node:util` import is needed and browsers are unaffected.
Object.defineProperty(Tensor.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: Tensor): string {
    return this.isDisposed
      ? `tensor(<disposed>, shape=${formatShape(this.shape)}, dtype=${this.dtype})`
      : formatTensor(this);
  },
  writable: true,
  configurable: true,
});
