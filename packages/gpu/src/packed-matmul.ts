/**
 * matmul on the gpu backend, shaped for GPUs: both operands are first packed into RGBA
 * textures (four consecutive values of a row per texel), then every fragment of the main
 * kernel computes four neighbouring outputs of one row, reading per step of four along the
 * depth one texel of the left operand and four texels of the right one (5 fetches for 16
 * multiply-adds, against 2 fetches for each multiply-add of a kernel that computes one output
 * per fragment from scalar textures). The four-step is unrolled by hand; the result is
 * unpacked into the backend's one-value-per-texel storage.
 *
 * Packing also absorbs strides, transposes, offsets and zero padding of a depth or width that
 * is not a multiple of four, so the main kernel only ever sees contiguous, aligned operands
 * and never does per-read stride arithmetic. Packing and unpacking cost one pass over each
 * matrix (O(n²)) against the main kernel's O(n³).
 */
import { sizeOf, type DType, type TensorView } from '@vane/tensor';
import { define, stored } from './kernel-definition.js';
import { coordinates, names, position, viewArguments, viewParameters } from './index-arithmetic.js';
import { runKernel } from './kernel-runner.js';
import { EMPTY, result, textureOf, type GpuStorage } from './storage.js';

const LANES = 4;

interface Packed {
  readonly texture: unknown;
  /** Texels between one batch image and the next; 0 when the operand is shared across the batch. */
  readonly imageTexels: number;
}

/** True when every batch axis of `view` has stride 0: one matrix broadcast over the batch. */
function sharedAcrossBatch(view: TensorView): boolean {
  const rank = view.shape.length;
  return rank > 2 && view.strides.slice(0, rank - 2).every((stride) => stride === 0);
}

/**
 * Packs the matrices of `view` (shape `[...batch, rows, columns]`, any strides) into texels of
 * four consecutive columns, `rowsOut` rows per image (rows past `rows` and columns past
 * `columns` are zero).
 */
function pack(view: TensorView, rowsOut: number): Packed {
  const shared = sharedAcrossBatch(view);
  const matrix: TensorView = shared ? { ...view, shape: view.shape.slice(-2), strides: view.strides.slice(-2) } : view;
  const rank = matrix.shape.length;
  const rows = matrix.shape[rank - 2]!;
  const columns = matrix.shape[rank - 1]!;
  const quads = Math.ceil(columns / LANES);
  const outer = [...matrix.shape.slice(0, rank - 2), rowsOut];
  const texels = sizeOf(outer) * quads;
  const last = rank - 1;
  const body = `const texel = this.thread.x + 0.0;
  const packedRow = Math.floor((texel + 0.5) / quads);
  const quad = texel - packedRow * quads;
  ${coordinates(rank - 1, 'packedRow')}
  const column = quad * 4.0;
  let v0 = 0.0;
  let v1 = 0.0;
  let v2 = 0.0;
  let v3 = 0.0;
  if (c${rank - 2} < rows) {
    const base = ${position('x', rank, { [last]: 'column' })};
    v0 = x[base];
    if (column + 1.0 < columns) {
      v1 = x[base + xStride${last}];
    }
    if (column + 2.0 < columns) {
      v2 = x[base + 2.0 * xStride${last}];
    }
    if (column + 3.0 < columns) {
      v3 = x[base + 3.0 * xStride${last}];
    }
  }
  return [v0, v1, v2, v3];`;
  const parameters = ['x', ...viewParameters('x', rank), ...names('d', rank - 1), 'rows', 'columns', 'quads'];
  const texture = runKernel(
    `matmul/pack/rank${rank}`,
    () => ({ ...define(parameters, body), returnType: 'Array(4)' as const }),
    texels,
    [textureOf(matrix), ...viewArguments(matrix), ...outer, rows, columns, quads],
  );
  return { texture, imageTexels: shared ? 0 : rowsOut * quads };
}

/**
 * `a @ b` over the last two axes (batch axes already broadcast to a common shape by the
 * caller, possibly with stride 0), as a storage of `[...batch, m, n]`.
 */
export function packedMatmul(a: TensorView, b: TensorView, outDtype: DType): GpuStorage {
  const rank = a.shape.length;
  const m = a.shape[rank - 2]!;
  const depth = a.shape[rank - 1]!;
  const n = b.shape[rank - 1]!;
  const images = sizeOf(a.shape.slice(0, rank - 2));
  const size = images * m * n;
  if (size === 0) return EMPTY();
  if (depth === 0) return zeros(size);
  const depthQuads = Math.ceil(depth / LANES);
  const columnQuads = Math.ceil(n / LANES);
  const left = pack(a, m);
  const right = pack(b, depthQuads * LANES);
  const body = `const texel = this.thread.x + 0.0;
  const row = Math.floor((texel + 0.5) / columnQuads);
  const quad = texel - row * columnQuads;
  const image = Math.floor((row + 0.5) / m);
  const aBase = image * aImageTexels + (row - image * m) * depthQuads;
  let bIndex = image * bImageTexels + quad;
  let s0 = 0.0;
  let s1 = 0.0;
  let s2 = 0.0;
  let s3 = 0.0;
  for (let step = 0; step < depthQuads; step++) {
    const l = a[aBase + step];
    const r0 = b[bIndex];
    const r1 = b[bIndex + columnQuads];
    const r2 = b[bIndex + 2.0 * columnQuads];
    const r3 = b[bIndex + 3.0 * columnQuads];
    s0 += l[0] * r0[0] + l[1] * r1[0] + l[2] * r2[0] + l[3] * r3[0];
    s1 += l[0] * r0[1] + l[1] * r1[1] + l[2] * r2[1] + l[3] * r3[1];
    s2 += l[0] * r0[2] + l[1] * r1[2] + l[2] * r2[2] + l[3] * r3[2];
    s3 += l[0] * r0[3] + l[1] * r1[3] + l[2] * r2[3] + l[3] * r3[3];
    bIndex += 4.0 * columnQuads;
  }
  return [s0, s1, s2, s3];`;
  const product = runKernel(
    'matmul/packed',
    () => ({ ...define(['a', 'b', 'm', 'depthQuads', 'columnQuads', 'aImageTexels', 'bImageTexels'], body), returnType: 'Array(4)' as const }),
    images * m * columnQuads,
    [left.texture, right.texture, m, depthQuads, columnQuads, left.imageTexels, right.imageTexels],
  );
  discard(left.texture);
  discard(right.texture);
  const texture = runKernel(`matmul/unpack>${outDtype}`, () => define(['c', 'n', 'columnQuads'], unpackBody(outDtype)), size, [product, n, columnQuads]);
  discard(product);
  return result(texture, size);
}

function unpackBody(outDtype: DType): string {
  return `const flat = this.thread.x + 0.0;
  const row = Math.floor((flat + 0.5) / n);
  const column = flat - row * n;
  const quad = Math.floor((column + 0.5) / 4.0);
  const lane = column - quad * 4.0;
  const values = c[row * columnQuads + quad];
  let value = values[3];
  if (lane < 0.5) {
    value = values[0];
  } else if (lane < 1.5) {
    value = values[1];
  } else if (lane < 2.5) {
    value = values[2];
  }
  return ${stored('value', outDtype)};`;
}

// The packed temporaries are never storages, so they are not in the backend's texture count.
const discard = (texture: unknown) => (texture as { delete?: () => void }).delete?.();

function zeros(size: number): GpuStorage {
  const texture = runKernel('matmul/zeros', () => define([], 'return 0.0;'), size, []);
  return result(texture, size);
}
