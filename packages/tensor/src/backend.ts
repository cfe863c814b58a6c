/**
 * The backend interface: the small closed set of primitives every backend implements, and the
 * registry that picks one.
 *
 * Ops in `ops/` validate arguments, resolve broadcasting and dtypes, and then call exactly one
 * of these primitives; a backend never sees a broadcasting rule or a user error. Inputs arrive
 * as strided {@link TensorView}s (a broadcast input simply has stride 0 on the broadcast
 * axes); every primitive returns a fresh, contiguous, row-major storage.
 */
import type { DType, TypedArray } from './dtype.js';
import type { BinaryKernelName, FusedKernel, UnaryKernelName } from './kernels/elementwise-kernels.js';
import type { Shape } from './shape.js';

/** An opaque handle to a backend's storage (a typed array on the CPU, a texture on a GPU). */
export type StorageData = unknown;

/** A strided window onto a backend storage. */
export interface TensorView {
  readonly data: StorageData;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Reductions the backend performs over a list of axes. */
export type ReductionKind = 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any';

/** Geometry of a 2-D convolution or pooling window (NCHW). */
export interface Window2d {
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  /** Padding added at the top, bottom, left and right. */
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly outputHeight: number;
  readonly outputWidth: number;
}

/** A backend: storage management plus the primitive kernels. */
export interface Backend {
  /** Registry name, e.g. `cpu` or `gpu`. */
  readonly name: string;
  /** True when `readSync` is allowed (the CPU; a GPU backend may block or refuse). */
  readonly supportsSyncRead: boolean;

  /** Copies host values into a new storage. */
  upload(values: TypedArray, dtype: DType): StorageData;
  /** Reads `size` elements of a whole storage back to the host. */
  read(data: StorageData, dtype: DType, size: number): Promise<TypedArray>;
  /** Synchronous read; may throw on backends that cannot block. */
  readSync(data: StorageData, dtype: DType, size: number): TypedArray;
  /** Frees a storage. Called once, when its last tensor is disposed. */
  release(data: StorageData): void;

  /** Materialises a strided view as a contiguous storage of `dtype` (this is also the cast). */
  copy(x: TensorView, dtype: DType): StorageData;
  /** `out[i] = kernel(x[i], parameter)`. */
  unary(kernel: UnaryKernelName, x: TensorView, outDtype: DType, parameter: number): StorageData;
  /** `out[i] = kernel(a[i], b[i])` over `outShape`; `a` and `b` are already broadcast views. */
  binary(kernel: BinaryKernelName, a: TensorView, b: TensorView, outShape: Shape, outDtype: DType): StorageData;
  /** `out[i] = condition[i] ? a[i] : b[i]` over broadcast views. */
  where(condition: TensorView, a: TensorView, b: TensorView, outShape: Shape, outDtype: DType): StorageData;
  /** A fused elementwise kernel over same-shaped views plus scalars. */
  fused(kernel: FusedKernel, inputs: readonly TensorView[], scalars: readonly number[], outDtype: DType): StorageData;
  /**
   * Several fused kernels over the same views and scalars in one pass, one storage each; or
   * undefined where this backend has no one-pass form for them (the caller then runs `fused`
   * once per kernel, with the same results).
   */
  fusedMany?(
    kernels: readonly FusedKernel[],
    inputs: readonly TensorView[],
    scalars: readonly number[],
    outDtype: DType,
  ): StorageData[] | undefined;
  /**
   * softmax or logSoftmax of `x` (a float view, last axis at least one value long) along its last
   * axis in one call; or undefined where this backend has no one-call form for `x` (the op then
   * composes max, isFinite, where, sub, exp, sum and div or log). Optional.
   */
  softmaxRows?(kind: 'softmax' | 'logSoftmax', x: TensorView): StorageData | undefined;
  /**
   * The closed-form vector-Jacobian product of softmax (y ⊙ (g − Σ g⊙y)) or logSoftmax
   * (g − e^y · Σ g), the sums along the last axis, for same-shaped float views `g` (the gradient
   * flowing in) and `y` (the op's output), in one call; or undefined where this backend has no
   * one-call form for them (the op then runs a sum and a fused kernel). Optional.
   */
  softmaxGradientRows?(kind: 'softmax' | 'logSoftmax', g: TensorView, y: TensorView): StorageData | undefined;
  /** Reduces over sorted, unique `axes`; the result has the remaining axes in order. */
  reduce(kind: ReductionKind, x: TensorView, axes: readonly number[], outDtype: DType): StorageData;
  /** Index of the max (or min) along `axis` (first occurrence wins); int32 result without that axis. */
  argReduce(kind: 'argmax' | 'argmin', x: TensorView, axis: number): StorageData;
  /** Inclusive cumulative sum or product along `axis`. */
  cumulative(kind: 'cumsum' | 'cumprod', x: TensorView, axis: number, outDtype: DType): StorageData;
  /**
   * Batched matrix product. `a` is `[...batch, m, k]` and `b` is `[...batch, k, n]`, both
   * already broadcast to the same batch shape (stride 0 on broadcast axes) and possibly
   * transposed through their strides; the result is `[...batch, m, n]`.
   */
  matmul(a: TensorView, b: TensorView, outDtype: DType): StorageData;
  /** Convolution, `x` `[N, C, H, W]`, `weight` `[O, C/groups, kh, kw]` → `[N, O, outH, outW]`. */
  conv2d(x: TensorView, weight: TensorView, window: Window2d, groups: number, outDtype: DType): StorageData;
  /**
   * The adjoint of conv2d with respect to its input ("transposed convolution"): `dy`
   * `[N, O, outH, outW]`, `weight` `[O, C/groups, kh, kw]` → `[N, C, inputHeight, inputWidth]`.
   */
  conv2dTransposeInput(
    dy: TensorView,
    weight: TensorView,
    window: Window2d,
    groups: number,
    inputHeight: number,
    inputWidth: number,
    outDtype: DType,
  ): StorageData;
  /** The gradient of conv2d with respect to its weight: `[O, C/groups, kh, kw]`. */
  conv2dWeightGradient(x: TensorView, dy: TensorView, window: Window2d, groups: number, outDtype: DType): StorageData;
  /**
   * Max or average pooling (NCHW). Padding counts as −∞ for max and is excluded from the
   * average count when `countIncludePad` is false. For max, also returns the flat index
   * (within each input plane) of the chosen element, for the gradient.
   */
  pool2d(
    kind: 'max' | 'avg',
    x: TensorView,
    window: Window2d,
    countIncludePad: boolean,
  ): { values: StorageData; indices?: StorageData };
  /** `out[..., i, ...] = x[..., index[..., i, ...], ...]` along `axis` (torch.gather). */
  gather(x: TensorView, axis: number, index: TensorView): StorageData;
  /** Copy of `target` with `source` added at `index` along `axis` (torch.scatter_add). */
  scatterAdd(target: TensorView, axis: number, index: TensorView, source: TensorView): StorageData;
  /** Concatenation of same-rank views along `axis`. */
  concat(inputs: readonly TensorView[], axis: number, outShape: Shape, outDtype: DType): StorageData;
  /** Constant padding: `pads[axis] = [before, after]`. */
  pad(x: TensorView, pads: readonly (readonly [number, number])[], value: number, outDtype: DType): StorageData;
}

const registry = new Map<string, Backend>();
let current: Backend | undefined;

/**
 * Makes a backend available under its name. The first registered backend becomes the default.
 *
 * @example
 * registerBackend(myBackend); setBackend(myBackend.name);
 */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
  current ??= backend;
}

/**
 * The backend registered under `name`, with an error that lists the available ones.
 *
 * @param op - the public function to name in the error (`setBackend`, `zeros`, `to`).
 */
export function findBackend(name: string, op = 'backend'): Backend {
  const backend = typeof name === 'string' ? registry.get(name) : undefined;
  if (!backend) {
    throw new Error(
      `${op}: no backend named ${typeof name === 'string' ? `'${name}'` : String(name)} is registered (available: ${[...registry.keys()].join(', ') || 'none'})` +
        (name === 'gpu' ? "; import '@vane/gpu' to register the gpu.js backend" : ''),
    );
  }
  return backend;
}

/** Selects the backend new tensors are created on. */
export function setBackend(name: string): void {
  current = findBackend(name, 'setBackend');
}

/** The name of the backend new tensors are created on. */
export function getBackend(): string {
  return currentBackend().name;
}

/** The backend new tensors are created on. */
export function currentBackend(): Backend {
  if (!current) throw new Error('backend: no backend is registered');
  return current;
}

/** Names of every registered backend. */
export function listBackends(): string[] {
  return [...registry.keys()];
}
