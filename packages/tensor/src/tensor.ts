/**
 * The Tensor class: a dtype, a shape, and a strided view onto a backend storage.
 *
 * Views (reshape of contiguous data, transpose, expand, slice) share storage and are
 * metadata-only; every other op produces a new contiguous storage. Op methods such as
 * `t.add(u)` are attached by the files in `ops/`, each next to the function it calls, so that
 * adding an op touches one ops file.
 */
import type { Backend, TensorView } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import { Storage, trackTensor, untrackTensor } from './engine.js';
import { contiguousStrides, formatShape, sizeOf, type Shape } from './shape.js';

declare global {
  interface SymbolConstructor {
    /**
     * `Symbol.dispose` (explicit resource management), declared here so that `Tensor`'s types
     * compile for consumers whose `lib` predates it (as `@types/node` also declares it).
     */
    readonly dispose: unique symbol;
  }
}

/** A nested array of numbers or booleans, as returned by `toArray()`. */
export type NestedArray = number | boolean | NestedArray[];

/** An n-dimensional array of numbers. */
export class Tensor {
  /** Brand used to recognise tensors across module copies. */
  readonly isTensor = true as const;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** @internal Shared, reference-counted storage. */
  readonly storage: Storage;
  /** Set by autodiff when this tensor is a leaf that collects gradients (`requiresGrad_`). */
  requiresGrad = false;
  /** The gradient accumulated by `loss.backward()` (autodiff), or null. */
  grad: Tensor | null = null;
  /**
   * @internal Set by `keep()`: no enclosing `tidy` disposes this tensor. A field rather than a
   * WeakSet entry, because autodiff keeps every tensor its tape saves and a WeakSet costs the
   * garbage collector work per entry.
   */
  kept = false;
  /**
   * @internal The last `tidy` whose result held this tensor (its number): marked while the
   * result is walked, so that telling returned tensors from the rest needs no Set.
   */
  tidyMark = 0;
  private disposed = false;
  /** Unique id, in creation order; handy for tapes and debugging. */
  readonly id: number;
  private static nextId = 0;

  /** @internal Use the creation functions (`tensor`, `zeros`, ...) instead. */
  constructor(storage: Storage, shape: Shape, dtype: DType, strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    this.dtype = dtype;
    this.id = Tensor.nextId++;
    trackTensor(this, storage);
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The backend that owns the storage. */
  get backend(): Backend {
    return this.storage.backend;
  }

  /** True once `dispose()` has been called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** True when elements are laid out row-major with no gaps from `offset`. */
  get isContiguous(): boolean {
    let expected = 1;
    for (let axis = this.shape.length - 1; axis >= 0; axis--) {
      const dimension = this.shape[axis]!;
      if (dimension !== 1 && this.strides[axis] !== expected) return false;
      expected *= dimension;
    }
    return true;
  }

  /** @internal The strided view the backend primitives consume. */
  view(): TensorView {
    this.assertAlive('view');
    return {
      data: this.storage.data,
      dtype: this.dtype,
      shape: this.shape,
      strides: this.strides,
      offset: this.offset,
    };
  }

  /** Throws if the tensor was disposed; `op` names the caller in the message. */
  assertAlive(op: string): void {
    if (this.disposed) {
      throw new Error(`${op}: tensor #${this.id} with shape ${formatShape(this.shape)} was disposed`);
    }
  }

  /** Values in row-major order, as a new typed array (waits for GPU backends). */
  async data(): Promise<TypedArray> {
    this.assertAlive('data');
    const dense = this.denseStorage();
    try {
      return await this.backend.read(dense.data, this.dtype, this.size);
    } finally {
      dense.release();
    }
  }

  /** Values in row-major order, synchronously (the CPU; GPU backends may refuse). */
  dataSync(): TypedArray {
    this.assertAlive('dataSync');
    const dense = this.denseStorage();
    try {
      return this.backend.readSync(dense.data, this.dtype, this.size);
    } finally {
      dense.release();
    }
  }

  /** The values as nested arrays (numbers, or booleans for `bool`). */
  toArray(): NestedArray {
    const values = this.dataSync();
    const isBool = this.dtype === 'bool';
    let position = 0;
    const build = (axis: number): NestedArray => {
      if (axis === this.shape.length) {
        const value = values[position++]!;
        return isBool ? value !== 0 : value;
      }
      const items: NestedArray[] = [];
      for (let index = 0; index < this.shape[axis]!; index++) items.push(build(axis + 1));
      return items;
    };
    return build(0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new Error(`item: tensor has shape ${formatShape(this.shape)} (${this.size} elements), expected exactly 1`);
    }
    return this.dataSync()[0]!;
  }

  /** Frees the storage once no other view uses it. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrackTensor(this.storage);
  }

  /** Support for `using t = ...` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A storage holding this tensor's elements densely from offset 0. */
  private denseStorage(): { data: unknown; release(): void } {
    const whole = this.isContiguous && this.offset === 0 && this.storage.bytes === this.size * bytesPer(this.dtype);
    if (whole) return { data: this.storage.data, release: () => undefined };
    const data = this.backend.copy(this.view(), this.dtype);
    return { data, release: () => this.backend.release(data) };
  }
}

function bytesPer(dtype: DType): number {
  return dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4;
}

/** True when `value` is a Tensor (including tensors from another copy of this module). */
export function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && (value as { isTensor?: unknown }).isTensor === true;
}
