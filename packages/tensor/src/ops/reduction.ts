/**
 * Reductions over one axis, several axes or all of them, with `keepdims`.
 */
import type { ReductionKind } from '../backend.js';
import { isFloatingDType, type DType } from '../dtype.js';
import { recordOp, withoutRecording } from '../engine.js';
import { formatShape, normalizeAxes, normalizeAxis, reducedShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { full } from './creation.js';
import { add, cast, div, mul, sub, where } from './elementwise.js';
import { abs, exp, isFinite, log, sqrt, square } from './unary-ops.js';
import { checkOptionKeys, describeValue } from '../validation/option-keys.js';
import { checkTensor, wrapStorage } from './internal.js';

/** Which axes to reduce: one, several, or all (undefined). */
export type Axes = number | readonly number[] | undefined;

/** Options of the reductions; a bare boolean means `keepdims`. */
export interface ReductionOptions {
  keepdims?: boolean;
}

/**
 * `keepdims` from a reduction's options (a bare boolean, or `{ keepdims }` plus `extra` names),
 * rejecting unknown option names and a non-boolean `keepdims`, with `op` in the message.
 */
function keepdimsOf(op: string, options: unknown, extra: readonly string[] = []): boolean {
  if (typeof options === 'boolean') return options;
  checkOptionKeys(op, options, ['keepdims', ...extra]);
  const keepdims = (options as ReductionOptions | undefined)?.keepdims ?? false;
  if (typeof keepdims !== 'boolean')
    throw new TypeError(`${op}: 'keepdims' must be a boolean, got ${describeValue(keepdims)}`);
  return keepdims;
}

function reduceOp(op: ReductionKind, x: Tensor, axis: Axes, keepdims: boolean, outDtype: DType): Tensor {
  checkTensor(op, 'x', x);
  const axes = normalizeAxes(op, axis, x.shape);
  if ((op === 'max' || op === 'min') && axes.some((a) => x.shape[a] === 0)) {
    throw new Error(`${op}: cannot reduce an empty axis of shape ${formatShape(x.shape)} (no identity for ${op})`);
  }
  const data = x.backend.reduce(op, x.view(), axes, outDtype);
  const out = wrapStorage(x.backend, data, reducedShape(x.shape, axes, keepdims), outDtype);
  if (isFloatingDType(outDtype) && (op === 'sum' || op === 'prod' || op === 'max' || op === 'min')) {
    return recordOp(op, [x], out, { axes, keepdims });
  }
  return out;
}

const integerOr = (dtype: DType): DType => (isFloatingDType(dtype) ? dtype : 'int32');

/**
 * Σ over `axis` (all axes by default).
 *
 * @example
 * sum(tensor([[1, 2], [3, 4]]), 0) // [4, 6]
 */
export function sum(x: Tensor, axis?: Axes, options?: boolean | ReductionOptions): Tensor {
  return reduceOp('sum', x, axis, keepdimsOf('sum', options), integerOr(x.dtype));
}

/** Π over `axis`. */
export function prod(x: Tensor, axis?: Axes, options?: boolean | ReductionOptions): Tensor {
  return reduceOp('prod', x, axis, keepdimsOf('prod', options), integerOr(x.dtype));
}

/** Maximum over `axis` (NaN wins). Its gradient is shared equally among tied maxima. */
export function max(x: Tensor, axis?: Axes, options?: boolean | ReductionOptions): Tensor {
  return reduceOp('max', x, axis, keepdimsOf('max', options), x.dtype);
}

/** Minimum over `axis` (NaN wins). Its gradient is shared equally among tied minima. */
export function min(x: Tensor, axis?: Axes, options?: boolean | ReductionOptions): Tensor {
  return reduceOp('min', x, axis, keepdimsOf('min', options), x.dtype);
}

/** True where every element over `axis` is non-zero. */
export function all(x: Tensor, axis?: Axes, options?: boolean | ReductionOptions): Tensor {
  return reduceOp('all', x, axis, keepdimsOf('all', options), 'bool');
}

/** True where some element over `axis` is non-zero. */
export function any(x: Tensor, axis?: Axes, options?: boolean | ReductionOptions): Tensor {
  return reduceOp('any', x, axis, keepdimsOf('any', options), 'bool');
}

/** Arithmetic mean over `axis` (float result). */
export function mean(x: Tensor, axis?: Axes, options?: boolean | ReductionOptions): Tensor {
  checkTensor('mean', 'x', x);
  const axes = normalizeAxes('mean', axis, x.shape);
  const keepdims = keepdimsOf('mean', options);
  const count = sizeOf(axes.map((a) => x.shape[a]!));
  return composite(() => {
    const source = isFloatingDType(x.dtype) ? x : cast(x, 'float32');
    // Over an empty axis this is 0 · ∞ = NaN, the mean of nothing (as torch.mean).
    return mul(sum(source, axes, keepdims), 1 / count);
  });
}

/** Options of {@link variance} and {@link std}. */
export interface VarianceOptions extends ReductionOptions {
  /**
   * Bessel's correction: the divisor is N − correction. 1 (the unbiased estimate) by
   * default, as PyTorch; 0 gives the population variance (NumPy's default).
   */
  correction?: number;
}

/**
 * Σ(x − x̄)² / (N − correction) over `axis`.
 *
 * @example
 * variance(tensor([1, 2, 3, 4]))                     // 1.6667 (unbiased)
 * variance(tensor([1, 2, 3, 4]), undefined, { correction: 0 }) // 1.25
 */
export function variance(x: Tensor, axis?: Axes, options?: boolean | VarianceOptions): Tensor {
  return varianceAs('variance', x, axis, options);
}

/** {@link variance}, with `op` (variance or std) named in errors. */
function varianceAs(
  op: 'variance' | 'std',
  x: Tensor,
  axis: Axes,
  options: boolean | VarianceOptions | undefined,
): Tensor {
  checkTensor(op, 'x', x);
  const axes = normalizeAxes(op, axis, x.shape);
  const keepdims = keepdimsOf(op, options, ['correction']);
  const correction = typeof options === 'object' ? (options.correction ?? 1) : 1;
  if (typeof correction !== 'number' || !Number.isFinite(correction) || correction < 0) {
    throw new Error(`${op}: 'correction' must be a non-negative number, got ${describeValue(correction)}`);
  }
  const count = sizeOf(axes.map((a) => x.shape[a]!));
  return composite(() => {
    const source = isFloatingDType(x.dtype) ? x : cast(x, 'float32');
    const centered = sub(source, mean(source, axes, true));
    return div(sum(square(centered), axes, keepdims), Math.max(count - correction, 0));
  });
}

/** √variance over `axis` (same options). */
export function std(x: Tensor, axis?: Axes, options?: boolean | VarianceOptions): Tensor {
  return composite(() => sqrt(varianceAs('std', x, axis, options)));
}

/**
 * log Σ exp(x) over `axis`, computed as m + log Σ exp(x − m) with m the maximum, so it is
 * finite for inputs near ±1e4 (where exp overflows).
 */
export function logsumexp(x: Tensor, axis?: Axes, options?: boolean | ReductionOptions): Tensor {
  checkTensor('logsumexp', 'x', x);
  const axes = normalizeAxes('logsumexp', axis, x.shape);
  const keepdims = keepdimsOf('logsumexp', options);
  if (axes.some((a) => x.shape[a] === 0)) {
    // log Σ over nothing is log 0 = −∞, as torch.logsumexp; there is no maximum to shift by.
    const dtype = isFloatingDType(x.dtype) ? x.dtype : 'float32';
    const empty = full(reducedShape(x.shape, axes, keepdims), -Infinity, { dtype, backend: x.backend.name });
    return recordOp('logsumexp', [x], empty, { axes, keepdims });
  }
  const out = withoutRecording(() =>
    composite(() => {
      const peak = max(x, axes, true);
      // An all −∞ slice would give −∞ − (−∞) = NaN; shifting by 0 there keeps the result −∞.
      const shift = where(isFinite(peak), peak, 0);
      const result = add(log(sum(exp(sub(x, shift)), axes, true)), shift);
      return keepdims ? result : result.reshape(reducedShape(x.shape, axes, false));
    }),
  );
  return recordOp('logsumexp', [x], out, { axes, keepdims });
}

/**
 * The vector norm over `axis`: ord 1 (Σ|x|), 2 (√Σx², the default) or Infinity (max |x|).
 */
export function norm(
  x: Tensor,
  ord: 1 | 2 | typeof Infinity = 2,
  axis?: Axes,
  options?: boolean | ReductionOptions,
): Tensor {
  checkTensor('norm', 'x', x);
  if (ord !== 1 && ord !== 2 && ord !== Infinity) {
    throw new Error(`norm: 'ord' must be 1, 2 or Infinity, got ${describeValue(ord)}`);
  }
  const keepdims = keepdimsOf('norm', options);
  const axes = normalizeAxes('norm', axis, x.shape);
  if (ord === Infinity && axes.some((a) => x.shape[a] === 0)) {
    // As torch.linalg.vector_norm: the maximum of nothing is undefined.
    throw new Error(`norm: cannot take the Infinity norm over an empty axis of shape ${formatShape(x.shape)}`);
  }
  return composite(() => {
    if (ord === 1) return sum(abs(x), axes, keepdims);
    if (ord === Infinity) return max(abs(x), axes, keepdims);
    return sqrt(sum(square(x), axes, keepdims));
  });
}

function argOp(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepdims: boolean): Tensor {
  checkTensor(op, 'x', x);
  if (axis !== undefined) normalizeAxis(op, axis, x.ndim, x.shape);
  if (x.size === 0) throw new Error(`${op}: cannot take ${op} of an empty tensor of shape ${formatShape(x.shape)}`);
  if (axis === undefined) {
    const flat = x.reshape([x.size]);
    const result = argOp(op, flat, 0, false);
    flat.dispose();
    if (!keepdims) return result;
    const shaped = result.reshape(x.shape.map(() => 1));
    result.dispose();
    return shaped;
  }
  const normalized = normalizeAxis(op, axis, x.ndim, x.shape);
  const data = x.backend.argReduce(op, x.view(), normalized);
  return wrapStorage(x.backend, data, reducedShape(x.shape, [normalized], keepdims), 'int32');
}

/** Index of the (first) maximum along `axis`, or of the flattened tensor. Not differentiable. */
export function argmax(x: Tensor, axis?: number, options?: boolean | ReductionOptions): Tensor {
  return argOp('argmax', x, axis, keepdimsOf('argmax', options));
}

/** Index of the (first) minimum along `axis`, or of the flattened tensor. Not differentiable. */
export function argmin(x: Tensor, axis?: number, options?: boolean | ReductionOptions): Tensor {
  return argOp('argmin', x, axis, keepdimsOf('argmin', options));
}

function cumulativeOp(op: 'cumsum' | 'cumprod', x: Tensor, axis: number): Tensor {
  checkTensor(op, 'x', x);
  const normalized = normalizeAxis(op, axis, x.ndim, x.shape);
  const outDtype = integerOr(x.dtype);
  const data = x.backend.cumulative(op, x.view(), normalized, outDtype);
  const out = wrapStorage(x.backend, data, x.shape, outDtype);
  return isFloatingDType(outDtype) ? recordOp(op, [x], out, { axis: normalized }) : out;
}

/** Running sum along `axis`. */
export function cumsum(x: Tensor, axis = 0): Tensor {
  return cumulativeOp('cumsum', x, axis);
}

/** Running product along `axis`. */
export function cumprod(x: Tensor, axis = 0): Tensor {
  return cumulativeOp('cumprod', x, axis);
}

declare module '../tensor.js' {
  interface Tensor {
    sum(axis?: Axes, options?: boolean | ReductionOptions): Tensor;
    prod(axis?: Axes, options?: boolean | ReductionOptions): Tensor;
    max(axis?: Axes, options?: boolean | ReductionOptions): Tensor;
    min(axis?: Axes, options?: boolean | ReductionOptions): Tensor;
    all(axis?: Axes, options?: boolean | ReductionOptions): Tensor;
    any(axis?: Axes, options?: boolean | ReductionOptions): Tensor;
    mean(axis?: Axes, options?: boolean | ReductionOptions): Tensor;
    variance(axis?: Axes, options?: boolean | VarianceOptions): Tensor;
    std(axis?: Axes, options?: boolean | VarianceOptions): Tensor;
    logsumexp(axis?: Axes, options?: boolean | ReductionOptions): Tensor;
    norm(ord?: 1 | 2 | typeof Infinity, axis?: Axes, options?: boolean | ReductionOptions): Tensor;
    argmax(axis?: number, options?: boolean | ReductionOptions): Tensor;
    argmin(axis?: number, options?: boolean | ReductionOptions): Tensor;
    cumsum(axis?: number): Tensor;
    cumprod(axis?: number): Tensor;
  }
}

const reductions = { sum, prod, max, min, all, any, mean, variance, std, logsumexp };
for (const [name, fn] of Object.entries(reductions)) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, axis?: Axes, options?: boolean | ReductionOptions) {
      return fn(this, axis, options);
    },
    writable: true,
    configurable: true,
  });
}
Tensor.prototype.norm = function (
  this: Tensor,
  ord?: 1 | 2 | typeof Infinity,
  axis?: Axes,
  options?: boolean | ReductionOptions,
) {
  return norm(this, ord, axis, options);
};
Tensor.prototype.argmax = function (this: Tensor, axis?: number, options?: boolean | ReductionOptions) {
  return argmax(this, axis, options);
};
Tensor.prototype.argmin = function (this: Tensor, axis?: number, options?: boolean | ReductionOptions) {
  return argmin(this, axis, options);
};
Tensor.prototype.cumsum = function (this: Tensor, axis?: number) {
  return cumsum(this, axis);
};
Tensor.prototype.cumprod = function (this: Tensor, axis?: number) {
  return cumprod(this, axis);
};
