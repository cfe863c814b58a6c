/**
 * Battery page: the `webgpu` backend's matrix product (webgpu-matmul.ts) on sizes that are and
 * are not multiples of its tiles, transposed, sliced and batched operands (with broadcast batch
 * axes), vectors, empty axes (k = 0 gives zeros), and int32. Every case runs with both kernels
 * (the workgroup-memory one chosen on GPUs and the direct one chosen on software adapters such
 * as this SwiftShader), forced through `overrideMatmulTiling`. The "vec4" cases reach each of the
 * direct kernel's `vec4` readings (along k with tails of 1-3 steps, along m or n past the
 * matrix's edge, batched, int32) and the layouts that fall back to reading value by value
 * (offsets, row or batch strides not multiples of 4). See battery.ts.
 */
import { abs, expand, matmul, max, setBackend, slice, tensor, tidy, transpose, zeros, type Tensor } from '@vane/tensor';
import {
  DEFAULT_MATMUL_TILING,
  overrideMatmulTiling,
  SOFTWARE_ADAPTER_MATMUL_TILING,
  type MatmulTiling,
} from '../../src/webgpu/webgpu-matmul.js';
import { reportBattery, seededValues, type BatteryCase } from './battery.js';

/** A [...shape] float32 tensor of seeded values in [-1, 1). */
const values = (shape: readonly number[], seed: number): Tensor =>
  tensor(
    seededValues(
      shape.reduce((product, size) => product * size, 1),
      seed,
    ),
  ).reshape([...shape]);

/** Seeded integers in [-limit, limit] as an int32 tensor of `shape`. */
const integers = (shape: readonly number[], seed: number, limit: number): Tensor =>
  tensor(
    seededValues(
      shape.reduce((product, size) => product * size, 1),
      seed,
      -limit,
      limit + 1,
    ).map(Math.floor),
    { dtype: 'int32' },
  ).reshape([...shape]);

const UNIT_ROUNDOFF = 2 ** -24;

/**
 * A float32 product case whose tolerance is the classical bound on a dot product's rounding:
 * each backend's computed `Σ a·b` over k terms is within `γ_k·Σ|a||b|` of the exact sum
 * (γ_k ≈ k·2^-24, whatever the order of the additions), so the two backends — which add in
 * different orders (tiles of k here, SIMD panels on the CPU) — agree within twice that. The
 * bound uses the largest `Σ|a||b|` over the output, computed on the CPU when the page loads.
 */
function productCase(name: string, operands: () => [Tensor, Tensor]): (tiling: MatmulTiling) => BatteryCase {
  setBackend('cpu');
  const absolute = tidy(() => {
    const [a, b] = operands();
    const k = a.ndim === 1 ? a.shape[0]! : a.shape[a.ndim - 1]!;
    const product = matmul(abs(a), abs(b));
    const largest = product.size === 0 ? 0 : max(product).item();
    return 2 * (k + 1) * UNIT_ROUNDOFF * largest;
  });
  return (tiling) => ({ name, run: () => productWith(tiling, operands), tolerance: { absolute, relative: 0 } });
}

/** `matmul` of the operands with `tiling` forced on the webgpu backend (the CPU ignores it). */
function productWith(tiling: MatmulTiling, operands: () => [Tensor, Tensor]): Tensor {
  overrideMatmulTiling(tiling);
  try {
    const [a, b] = operands();
    return matmul(a, b);
  } finally {
    overrideMatmulTiling(undefined);
  }
}

/** An int32 case: exact on both backends (i32 products and sums wrap modulo 2^32, as the CPU's store does). */
function integerCase(name: string, operands: () => [Tensor, Tensor]): (tiling: MatmulTiling) => BatteryCase {
  return (tiling) => ({ name, run: () => productWith(tiling, operands), tolerance: { absolute: 0, relative: 0 } });
}

const SIZES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [3, 5, 7],
  [33, 65, 17],
  [64, 64, 64],
  [128, 784, 256],
  [257, 129, 300],
];

const caseKinds: ((tiling: MatmulTiling) => BatteryCase)[] = [
  ...SIZES.map(([m, k, n], index) =>
    productCase(`${m}×${k} · ${k}×${n}`, () => [values([m, k], 10 + index), values([k, n], 20 + index)]),
  ),
  productCase('transposed a: (33×65)ᵀ · 33×17', () => [transpose(values([33, 65], 1)), values([33, 17], 2)]),
  productCase('transposed b: 33×65 · (17×65)ᵀ', () => [values([33, 65], 3), transpose(values([17, 65], 4))]),
  productCase('both transposed: (65×33)ᵀ · (17×65)ᵀ', () => [
    transpose(values([65, 33], 5)),
    transpose(values([17, 65], 6)),
  ]),
  productCase('backward xᵀ·dz: (128×784)ᵀ · 128×256', () => [transpose(values([128, 784], 7)), values([128, 256], 8)]),
  productCase('backward dz·wᵀ: 128×256 · (784×256)ᵀ', () => [values([128, 256], 9), transpose(values([784, 256], 10))]),
  productCase('sliced views (offsets, row strides, a column step)', () => [
    slice(values([40, 50], 11), [
      { start: 3, stop: 37 },
      { start: 5, stop: 45 },
    ]),
    slice(values([45, 60], 12), [
      { start: 2, stop: 42 },
      { start: 1, stop: 60, step: 2 },
    ]),
  ]),
  productCase('reversed-step slice of a transposed operand', () => [
    values([9, 20], 13),
    slice(transpose(values([30, 20], 14)), [null, { start: 29, stop: 3, step: -3 }]),
  ]),
  productCase('rank 3 batch: [3,17,9] · [3,9,11]', () => [values([3, 17, 9], 15), values([3, 9, 11], 16)]),
  productCase('rank 3 against a matrix (b broadcast, stride 0)', () => [values([4, 20, 33], 17), values([33, 70], 18)]),
  productCase('rank 4 broadcast batches: [2,1,5,7] · [1,3,7,6]', () => [
    values([2, 1, 5, 7], 19),
    values([1, 3, 7, 6], 20),
  ]),
  productCase('rank 4 with transposed batched b and an expanded a', () => [
    expand(values([1, 1, 66, 10], 21), [2, 3, 66, 10]),
    transpose(values([2, 3, 70, 10], 22), -2, -1),
  ]),
  productCase('batch axes permuted (non-mergeable batch strides)', () => [
    transpose(values([3, 2, 8, 5], 23), 0, 1),
    values([2, 3, 5, 9], 24),
  ]),
  // The direct kernel's vec4 readings (webgpu-matmul.ts) and their fallbacks; the
  // workgroup-memory kernel reads these as any other strided operands.
  ...[5, 6, 7, 8].map((k) =>
    productCase(`vec4 along k with ${k % 4} tail steps: [13,8][:, :${k}] · ${k}×12`, () => [
      slice(values([13, 8], 43 + k), [null, { start: 0, stop: k }]),
      values([k, 12], 53 + k),
    ]),
  ),
  productCase('vec4 along n past its end (n = 10) and k = 7: [20,12][:, :7] · [7,12][:, :10]', () => [
    slice(values([20, 12], 63), [null, { start: 0, stop: 7 }]),
    slice(values([7, 12], 64), [null, { start: 0, stop: 10 }]),
  ]),
  productCase('offsets not multiples of 4 (strided fallback): [20,13][:, 1:9] · [9,14][1:, 2:14]', () => [
    slice(values([20, 13], 65), [null, { start: 1, stop: 9 }]),
    slice(values([9, 14], 66), [
      { start: 1, stop: 9 },
      { start: 2, stop: 14 },
    ]),
  ]),
  productCase('row strides not multiples of 4 (strided fallback): 18×7 · 7×10', () => [
    values([18, 7], 67),
    values([7, 10], 68),
  ]),
  productCase('vec4 along m (m = 18, past its end) and along k of b: ([12,20][:, :18])ᵀ · (9×12)ᵀ', () => [
    transpose(slice(values([12, 20], 69), [null, { start: 0, stop: 18 }])),
    transpose(values([9, 12], 70)),
  ]),
  productCase('vec4 along m and n, vec4 stores: (12×72)ᵀ · 12×68', () => [
    transpose(values([12, 72], 71)),
    values([12, 68], 72),
  ]),
  productCase('vec4 batched with a broadcast b: [3,16,8] · [8,12]', () => [
    values([3, 16, 8], 73),
    values([8, 12], 74),
  ]),
  productCase('batch stride not a multiple of 4 (strided fallback): ([6,4,5] axes 0,1 swapped) · [4,5,8]', () => [
    transpose(values([6, 4, 5], 75), 0, 1),
    values([4, 5, 8], 76),
  ]),
  productCase('vec4 along k of both, k = 66: 70×66 · (68×66)ᵀ', () => [
    slice(values([70, 68], 77), [null, { start: 0, stop: 66 }]),
    transpose(slice(values([68, 68], 78), [null, { start: 0, stop: 66 }])),
  ]),
  productCase('vector · matrix', () => [values([65], 25), values([65, 40], 26)]),
  productCase('matrix · vector', () => [values([40, 65], 27), values([65], 28)]),
  productCase('vector · vector', () => [values([300], 29), values([300], 30)]),
  productCase('batched matrix · vector', () => [values([3, 7, 12], 31), values([12], 32)]),
  productCase('k = 0 gives zeros', () => [zeros([5, 0]), zeros([0, 6])]),
  productCase('m = 0', () => [zeros([0, 4]), values([4, 6], 33)]),
  productCase('n = 0', () => [values([5, 4], 34), zeros([4, 0])]),
  productCase('empty batch', () => [zeros([0, 3, 4]), zeros([0, 4, 2])]),
  integerCase('int32 33×65 · 65×17', () => [integers([33, 65], 35, 100), integers([65, 17], 36, 100)]),
  integerCase('int32 transposed b', () => [integers([6, 9], 37, 50), transpose(integers([5, 9], 38, 50))]),
  integerCase('int32 sums wrapping modulo 2^32', () => [integers([4, 7], 39, 60_000), integers([7, 3], 40, 60_000)]),
  integerCase('int32 vec4 loads and stores: 9×8 · 8×12', () => [integers([9, 8], 79, 100), integers([8, 12], 80, 100)]),
  integerCase('int32 vec4 along k of both with a tail: [6,8][:, :7] · ([5,8][:, :7])ᵀ', () => [
    slice(integers([6, 8], 81, 100), [null, { start: 0, stop: 7 }]),
    transpose(slice(integers([5, 8], 82, 100), [null, { start: 0, stop: 7 }])),
  ]),
  integerCase('int32 with k = 0', () => [zeros([3, 0], { dtype: 'int32' }), zeros([0, 2], { dtype: 'int32' })]),
];

const KERNELS: readonly [string, MatmulTiling][] = [
  ['workgroup-memory kernel', DEFAULT_MATMUL_TILING],
  ['direct kernel', SOFTWARE_ADAPTER_MATMUL_TILING],
];

void reportBattery([
  ...KERNELS.flatMap(([kernel, tiling]) =>
    caseKinds.map((kind) => {
      const check = kind(tiling);
      return { ...check, name: `${check.name} (${kernel})` };
    }),
  ),
  {
    name: "the adapter's own choice of kernel: 33×65 · (17×65)ᵀ",
    run: () => matmul(values([33, 65], 41), transpose(values([17, 65], 42))),
    // productCase's bound with Σ|a||b| ≤ k = 65 (every value is below 1 in magnitude).
    tolerance: { absolute: 2 * 66 * UNIT_ROUNDOFF * 65, relative: 0 },
  },
]);
