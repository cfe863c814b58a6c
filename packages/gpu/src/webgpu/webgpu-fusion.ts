/**
 * Lazy elementwise fusion on the `webgpu` backend: a float32 unary, binary or fused op does not
 * dispatch when it is called. It returns a pending storage (webgpu-storage.ts) that records a
 * chain — the storages it reads (leaves, each with its view), and a list of steps, each an op's
 * expression kernel applied to leaves, earlier steps and its own scalars. An elementwise op
 * reading a pending value through a view laid out exactly like that value (same shape, offset 0,
 * row-major) copies the value's chain into its own instead of reading a buffer, so
 * `x.mul(0.5).exp().add(1).log().sigmoid()` is one dispatch, and so is the bias add and relu
 * after a matmul.
 *
 * When a chain runs: when its buffer is first needed (`WebGpuStorage.buffer`), that is when any
 * kernel other than a fused chain reads it through `viewStorage` (matmul, reductions, copy,
 * where, indexing…), when it is read back, when an elementwise op reads it through any other
 * view (broadcast, transposed, sliced, reshaped: the chain runs first and its buffer becomes a
 * leaf; keeping every leaf of a chain on the chain's own shape keeps the kernel one strided walk),
 * and when copying it into a consumer would pass the caps: {@link FUSION_INPUT_LIMIT} leaves
 * (and the device's storage-buffer bindings less `dims` and the output), {@link FUSION_STEP_LIMIT}
 * steps and {@link FUSION_SCALAR_LIMIT} scalars. Int32 and bool results, a kernel of more
 * inputs than the cap, and empty results run at once, as before.
 *
 * Results: the kernel is one WGSL function per op — the very function the op's own kernel calls
 * (wgsl-expression.ts) — called in the chain's order on `f32` values, a `let` per step. Every
 * intermediate was stored as f32 before, so the chain computes the same f32 operations in the
 * same order without the stores in between (bit-identical, as the fusion battery checks against
 * the unfused kernels, unless a shader compiler contracts operations across the calls).
 *
 * Constants: a JS scalar operand (the 0.5 of `x.mul(0.5)`) reaches the backend as a one-value
 * float32 upload, whose value webgpu-storage.ts keeps on the host (`WebGpuStorage.constant`).
 * A chain takes it by value in `dims` (the same f32 bits the buffer holds) instead of binding a
 * buffer for it, so scalars do not use up the input cap and their values stay out of the source.
 *
 * Sharing: a pending value read twice by one op (`x.mul(x)`), or reached twice through two
 * inlined chains, is one step: each step remembers the pending storage whose value it is (its
 * origin), and copying a chain skips steps whose origin is already there. Leaves are shared the
 * same way (same storage, same view). A pending value read by two chains is recomputed in each
 * (and once more if something also needs its buffer): recomputing an elementwise value costs a
 * few instructions per element, where running it first costs a dispatch and a stored
 * intermediate, and the caps bound the extra work. A value that already ran is read as a leaf.
 *
 * Lifetimes: a chain holds each of its leaf storages (`holdStorage`) from the moment it is
 * recorded, so a leaf's buffer stays out of the pool even when its tensor is released before
 * the chain runs (a pooled buffer would by then hold another tensor's values); it lets go when
 * it runs or when its pending storage is released unrun (then it never dispatches). A chain
 * copied into a consumer is held again by the consumer, separately. A pending value counts in
 * `webGpuBufferCount` as the one buffer it stands for, from its creation to its release.
 *
 * Shader sources: a chain's source is keyed by its structure — each step's kernel (by tree
 * identity: the op tables hand out one tree per op), its operand references, the leaves' dtypes,
 * the number of constants and the walk's rank — never by the storages or scalar values, which
 * travel in `dims`. A training step's chains have the same structure every step, so they compile
 * in the first steps and hit the cache after ({@link webGpuFusionSourceCount}; the bench's MLP
 * adds 4 sources in step 1, 1 in step 2 — the parameter updates of step 1 run at the start of
 * step 2 — and none after).
 *
 * Counts (the bench's MLP 784-256-256-10 step, batch 128, on SwiftShader): 28 dispatches
 * instead of 39.
 */
import { sizeOf, type DType, type FusedKernel, type Shape, type TensorView } from '@vane/tensor';
import { rowMajorOver, sameNumbers } from '../view-layout.js';
import {
  binaryExpressionKernel,
  unaryExpressionKernel,
  type BinaryKernelName,
  type UnaryKernelName,
} from '@vane/tensor';
import { webGpuContext } from './webgpu-device.js';
import { bindingDeclarations, cachedSource, dispatchThreads, threadKernel } from './webgpu-dispatch.js';
import { elementwise, expressionId, readAsFloat } from './webgpu-elementwise.js';
import {
  createPendingStorage,
  holdStorage,
  letGoOfStorage,
  viewStorage,
  type PendingWork,
  type WebGpuStorage,
} from './webgpu-storage.js';
import { WGSL_MATH, wgslExpressionFunction } from './wgsl-expression.js';
import { stridedPositions, stridedWalk } from './wgsl-strided.js';

/** Storages one fused kernel reads at most (fewer where the device binds fewer storage buffers). */
export const FUSION_INPUT_LIMIT = 8;
/** Ops one fused kernel computes at most: keeps sources small and their compile time short. */
export const FUSION_STEP_LIMIT = 16;
/** Scalars one fused kernel reads at most (they share `dims`' 256 integers with the walk). */
export const FUSION_SCALAR_LIMIT = 64;

/** One op of a chain. */
interface Step {
  readonly kernel: FusedKernel;
  /**
   * `l<k>` for leaf k, `k<k>` for constant k, `v<k>` for step k's value (also the WGSL names of
   * those values).
   */
  readonly operands: readonly string[];
  readonly scalars: readonly number[];
  /** The pending storage whose value this step computes: the same value wherever it is copied. */
  readonly origin: WebGpuStorage;
}

/**
 * A one-value float32 upload a chain reads (a JS scalar operand): passed by value in `dims`,
 * which needs no binding and keeps the scalar's value out of the source. Known by its storage,
 * so that a chain's structure, not its values, decides its source.
 */
interface Constant {
  readonly storage: WebGpuStorage;
  readonly value: number;
}

/** A storage a chain reads, through a view broadcast to the chain's shape. */
interface Leaf {
  readonly storage: WebGpuStorage;
  readonly view: TensorView;
}

/**
 * The recorded work of a pending value: its steps run in order, the last one its value. It owns
 * one hold on each leaf (taken as the leaf was added, see `ChainBuilder.leaf`).
 */
class Chain implements PendingWork {
  readonly shape: Shape;
  readonly leaves: readonly Leaf[];
  readonly constants: readonly Constant[];
  readonly steps: readonly Step[];
  #held = true;

  constructor(shape: Shape, leaves: readonly Leaf[], constants: readonly Constant[], steps: readonly Step[]) {
    this.shape = shape;
    this.leaves = leaves;
    this.constants = constants;
    this.steps = steps;
  }

  run(into: WebGpuStorage): void {
    // No consumer copies the chain of a value that ran: they read its buffer.
    chains.delete(into);
    runChain(this, into);
  }

  drop(): void {
    if (!this.#held) return;
    this.#held = false;
    for (const leaf of this.leaves) letGoOfStorage(leaf.storage);
  }
}

/** The chain of each pending storage (read only while the storage is still pending). */
const chains = new WeakMap<WebGpuStorage, Chain>();
const fusedSources = new Set<string>();
let fusionEnabled = true;

/**
 * Distinct WGSL sources fused chains have used since the page started (each one compiled once):
 * for checking that a training step's chains stop adding sources after the first step.
 */
export function webGpuFusionSourceCount(): number {
  return fusedSources.size;
}

/**
 * Turns fusion off (every elementwise op dispatches when called, as before fusion) or back on;
 * returns the previous setting. For tests comparing fused results with unfused ones.
 */
export function setWebGpuFusion(enabled: boolean): boolean {
  const previous = fusionEnabled;
  fusionEnabled = enabled;
  return previous;
}

let inputLimit: number | undefined;

/** Leaves one chain may read: the cap, within the device's storage bindings less `dims` and the output. */
function leafLimit(): number {
  inputLimit ??= Math.min(
    FUSION_INPUT_LIMIT,
    webGpuContext('fusion').device.limits.maxStorageBuffersPerShaderStage - 2,
  );
  return inputLimit;
}

/**
 * Builds a consumer's chain: its leaves and steps, with the chains of pending operands copied
 * in (shared steps and leaves kept once).
 */
class ChainBuilder {
  readonly leaves: Leaf[] = [];
  readonly constants: Constant[] = [];
  readonly steps: Step[] = [];
  scalarCount = 0;
  readonly #stepOf = new Map<WebGpuStorage, string>();

  constructor(readonly shape: Shape) {}

  #findLeaf(storage: WebGpuStorage, view: TensorView): number {
    return this.leaves.findIndex(
      (leaf) =>
        leaf.storage === storage &&
        leaf.view.offset === view.offset &&
        leaf.view.dtype === view.dtype &&
        sameNumbers(leaf.view.strides, view.strides),
    );
  }

  /** The reference of the leaf reading `storage` through `view`, added if new. */
  leaf(storage: WebGpuStorage, view: TensorView): string {
    let index = this.#findLeaf(storage, view);
    if (index < 0) {
      // Held from here on (the chain being built takes the reference over), so that running
      // another operand's chain before this one is recorded cannot free a leaf it copied.
      holdStorage(storage);
      this.leaves.push({ storage, view });
      index = this.leaves.length - 1;
    }
    return `l${index}`;
  }

  /** The reference of the constant `storage` holds, added if new. */
  constant(storage: WebGpuStorage, value: number): string {
    let index = this.constants.findIndex((constant) => constant.storage === storage);
    if (index < 0) {
      this.constants.push({ storage, value });
      this.scalarCount++;
      index = this.constants.length - 1;
    }
    return `k${index}`;
  }

  /** Appends a step (or finds its origin's) and returns its reference. */
  step(step: Step): string {
    const known = this.#stepOf.get(step.origin);
    if (known !== undefined) return known;
    this.steps.push(step);
    this.scalarCount += step.scalars.length;
    const reference = `v${this.steps.length - 1}`;
    this.#stepOf.set(step.origin, reference);
    return reference;
  }

  /**
   * Copies `chain` in and returns the reference of its value, or undefined (copying nothing)
   * when that would pass a cap, leaving room for `reservedLeaves` more leaves, one more step and
   * `reservedScalars` more scalars.
   */
  inline(chain: Chain, reservedLeaves: number, reservedScalars: number): string | undefined {
    const newLeaves = chain.leaves.filter((leaf) => this.#findLeaf(leaf.storage, leaf.view) < 0).length;
    const newSteps = chain.steps.filter((step) => !this.#stepOf.has(step.origin));
    const newScalars =
      newSteps.reduce((total, step) => total + step.scalars.length, 0) +
      chain.constants.filter((constant) => !this.constants.some((known) => known.storage === constant.storage)).length;
    if (
      this.leaves.length + newLeaves + reservedLeaves > leafLimit() ||
      this.steps.length + newSteps.length + 1 > FUSION_STEP_LIMIT ||
      this.scalarCount + newScalars + reservedScalars > FUSION_SCALAR_LIMIT
    )
      return undefined;
    const references: Record<string, string[]> = {
      l: chain.leaves.map((leaf) => this.leaf(leaf.storage, leaf.view)),
      k: chain.constants.map((constant) => this.constant(constant.storage, constant.value)),
      v: [],
    };
    for (const step of chain.steps) {
      const operands = step.operands.map((operand) => references[operand[0]!]![Number(operand.slice(1))]!);
      references.v!.push(this.step({ ...step, operands }));
    }
    return references.v![references.v!.length - 1];
  }
}

/**
 * The op `kernel` over `inputs` (views broadcast to one shape) with `scalars`, as a pending
 * float32 value fused with its pending operands; where fusion does not apply (another dtype, an
 * empty result, more inputs or scalars than a kernel may take, fusion turned off), the op runs
 * at once through `elementwise`.
 */
export function lazyElementwise(
  op: string,
  kernel: FusedKernel,
  inputs: readonly TensorView[],
  scalars: readonly number[],
  outDtype: DType,
): WebGpuStorage {
  if (
    !fusionEnabled ||
    outDtype !== 'float32' ||
    inputs.length === 0 ||
    inputs.length > leafLimit() ||
    scalars.length > FUSION_SCALAR_LIMIT ||
    sizeOf(inputs[0]!.shape) === 0
  )
    return elementwise(op, kernel, inputs, scalars, outDtype);
  const shape = inputs[0]!.shape;
  const builder = new ChainBuilder(shape);
  const operands = inputs.map((view, which) => {
    const storage = view.data as WebGpuStorage;
    const chain = storage.pending ? chains.get(storage) : undefined;
    if (chain && view.dtype === 'float32' && rowMajorOver(view, chain.shape) && sameNumbers(chain.shape, shape)) {
      // Room is kept for the operands still to come (a leaf or a constant each) and the op's scalars.
      const remaining = inputs.length - which - 1;
      const reference = builder.inline(chain, remaining, scalars.length + remaining);
      if (reference !== undefined) return reference;
    }
    if (storage.constant !== undefined && view.dtype === 'float32') return builder.constant(storage, storage.constant);
    // Not inlined: read as a leaf, its chain (if pending) run first.
    return builder.leaf(viewStorage(view), view);
  });
  const chain = new Chain(shape, builder.leaves, builder.constants, builder.steps);
  const out = createPendingStorage(sizeOf(shape), chain);
  builder.step({ kernel, operands, scalars: [...scalars], origin: out });
  chains.set(out, chain);
  return out;
}

/** The unary op `kernel` (its parameter as the scalar, when it has one), pending where it can be. */
export function lazyUnary(kernel: UnaryKernelName, x: TensorView, outDtype: DType, parameter: number): WebGpuStorage {
  const expressionKernel = unaryExpressionKernel(kernel);
  return lazyElementwise(
    `unary.${kernel}`,
    expressionKernel,
    [x],
    expressionKernel.scalarCount > 0 ? [parameter] : [],
    outDtype,
  );
}

/** The binary op `kernel` over two views broadcast to one shape, pending where it can be. */
export function lazyBinary(
  kernel: BinaryKernelName,
  a: TensorView,
  b: TensorView,
  outShape: Shape,
  outDtype: DType,
): WebGpuStorage {
  // The views come broadcast to `outShape` already.
  void outShape;
  return lazyElementwise(`binary.${kernel}`, binaryExpressionKernel(kernel, 'none'), [a, b], [], outDtype);
}

/** Dispatches `chain` as one kernel writing `into`. */
function runChain(chain: Chain, into: WebGpuStorage): void {
  const views = chain.leaves.map((leaf) => leaf.view);
  const dtypes = views.map((view) => view.dtype);
  const walk = stridedWalk(chain.shape, views);
  const structure = chain.steps
    .map(
      (step) =>
        `${expressionId(step.kernel)}/${step.kernel.arity}/${step.kernel.scalarCount}/${step.scalars.length}(${step.operands.join(',')})`,
    )
    .join(';');
  const key = `fusion|${dtypes.join(',')}|${chain.constants.length}|${walk.rank}|${structure}`;
  fusedSources.add(key);
  const scalarStart = 1 + walk.meta.length;
  const source = cachedSource(key, () => {
    const functions = new Map<number, string>();
    for (const step of chain.steps) {
      const id = expressionId(step.kernel);
      if (!functions.has(id))
        functions.set(
          id,
          wgslExpressionFunction(`vaneOp${id}`, step.kernel.expression, step.kernel.arity, step.kernel.scalarCount),
        );
    }
    const lines = [stridedPositions(walk.rank, views.length)];
    dtypes.forEach((dtype, which) => lines.push(`  let l${which} = ${readAsFloat(which, dtype, `at${which}`)};`));
    // `dims` after the walk: each step's scalars in step order, then the constants.
    let scalarIndex = scalarStart;
    const stepLines = chain.steps.map((step, index) => {
      const scalarOperands = step.scalars.map(() => `bitcast<f32>(dims[${scalarIndex++}])`);
      return `  let v${index} = vaneOp${expressionId(step.kernel)}(${[...step.operands, ...scalarOperands].join(', ')});`;
    });
    chain.constants.forEach((_, which) => lines.push(`  let k${which} = bitcast<f32>(dims[${scalarIndex + which}]);`));
    lines.push(...stepLines);
    lines.push(`  out0[thread] = v${chain.steps.length - 1};`);
    return [
      bindingDeclarations('fusion', dtypes, ['float32']),
      WGSL_MATH,
      ...functions.values(),
      threadKernel(lines.join('\n')),
    ].join('\n');
  });
  const scalars = [
    ...chain.steps.flatMap((step) => step.scalars),
    ...chain.constants.map((constant) => constant.value),
  ];
  const scalarBits = Array.from(new Int32Array(Float32Array.from(scalars).buffer));
  dispatchThreads(
    'fusion',
    source,
    chain.leaves.map((leaf) => leaf.storage),
    [into],
    sizeOf(chain.shape),
    [...walk.meta, ...scalarBits],
  );
}
