/**
 * The one abstraction of `@vane/optim`: a gradient transformation, a pure pair of functions
 * that turns a tree of updates (at first, gradients) into another tree of updates while
 * threading an explicit state.
 *
 * Everything else in the package (base transforms such as `scaleByAdam`, wrappers such as
 * `masked` or `multiSteps`, and the optimizers such as `adamw`) is a value of this type, so any
 * wrapper composes with any base.
 */
import type { ExpressionKernel, Tensor, Tree } from '@vane/tensor';

/** A tree of tensors: parameters, gradients, updates, or per-parameter optimizer state. */
export type TensorTree = Tree<Tensor>;

/**
 * Values that a caller may hand to `update` beside the updates, for transforms that need
 * more than gradients (for example the current loss, for a plateau-driven transform).
 * Combinators forward it unchanged to every transform they hold.
 */
export interface UpdateExtras {
  /** The loss at the current parameters, when the caller knows it. */
  readonly loss?: number;
  readonly [name: string]: unknown;
}

/**
 * A gradient transformation: `init(params)` makes the state, and
 * `update(updates, state, params?)` returns the transformed updates and the next state.
 *
 * Contract:
 * - Pure: `update` never mutates or disposes its arguments; the returned state may share
 *   tensors with the old one where nothing changed (use `disposeReplaced` to free the rest).
 * - Leak-free: every tensor an update creates and does not return is disposed before it
 *   returns (each transform runs inside `tidy`).
 * - Sign: transforms return *descent* updates; only the learning-rate transforms
 *   (`scaleByLearningRate`) flip the sign, as in optax. `applyUpdates(params, updates)` adds.
 * - State is plain data: numbers, booleans, strings, arrays, plain objects and tensors; where
 *   it is per parameter it is a tree shaped like the parameters.
 *
 * @typeParam S - the state type.
 *
 * @example
 * const tx: GradientTransformation<ScaleByAdamState> = scaleByAdam();
 * let state = tx.init(params);
 * const [updates, next] = tx.update(grads, state, params);
 */
export interface GradientTransformation<S = unknown> {
  /** Creates the initial state for `params`. */
  init(params: TensorTree): S;
  /** Transforms `updates` given `state` (and `params`, which some transforms need). */
  update(updates: TensorTree, state: S, params?: TensorTree, extras?: UpdateExtras): [TensorTree, S];
  /**
   * The one composition point, read by `chain`, `namedChain` and `active`: this step stated as
   * an elementwise stage that is not yet run (see {@link ElementwiseStep}), so that what follows
   * it composes into one kernel. A transform without it, or any wrapper, simply takes the
   * ordinary path, with the same results.
   *
   * `updates` is `undefined` when the incoming updates are themselves a kernel not yet run: a
   * stage that is an affine epilogue of them ({@link AffineStep}) still says so, any other
   * returns `undefined` at once (before doing any work), and the caller runs that kernel and
   * calls `update`. Given the updates, it returns what `update` would compute, left unrun
   * where it can be: the same next state, and an output that equals `update`'s bit for bit
   * when run with no epilogue; or `undefined` where it cannot be stated (a per-leaf factor on a
   * backend other than the CPU), and the caller calls `update`. Like `update` it is pure.
   */
  finalKernel?(
    updates: TensorTree | undefined,
    state: S,
    params: TensorTree | undefined,
    extras: UpdateExtras | undefined,
  ): ElementwiseStep<S> | undefined;
}

/** u ↦ updateScale·u + paramScale·p, the form of scaling, learning-rate and decay transforms. */
export interface AffineCoefficients {
  /** a in a·u + b·p. */
  readonly updateScale: number;
  /** b in a·u + b·p (0: the parameters are not read). */
  readonly paramScale: number;
}

/** Where a final kernel's input comes from, with {@link FreshInputs}: fresh output k, or source tree k itself. */
export type FreshInputReference = { readonly output: number } | { readonly source: number };

/**
 * A final kernel's inputs that are themselves fresh kernel outputs not yet run: `kernels[k]`
 * of the leaves of `sources` and `scalars` (every kernel takes all of them, as `fusedMapMany`
 * requires) gives output k, and the final kernel's input i is what `selected[i]` names (an
 * output, or a source read as it is, such as the gradient). Adam's moments are stated this way,
 * so that the moments, the direction (and, in `updateAndApply`, the parameter add) run as ONE
 * pass per leaf; the producer's next state is made from the outputs, by `state`, once that
 * pass has run.
 */
export interface FreshInputs<S> {
  /**
   * One kernel per fresh output, all over the same leading `sources` and `scalars` (every
   * kernel the same arity and scalar count, at most all of them).
   */
  readonly kernels: readonly ExpressionKernel[];
  /**
   * Kernels that read the outputs of `kernels` (AMSGrad's maximum of the new second moment),
   * each over all of `sources` followed by those outputs, and the leading `scalars`; their
   * outputs follow those of `kernels` (output `kernels.length + j`). Absent: none.
   */
  readonly dependent?: readonly ExpressionKernel[];
  /** The trees the kernels read, each shaped like the updates, in the kernels' input order. */
  readonly sources: readonly TensorTree[];
  /** The kernels' scalars, the same for every leaf. */
  readonly scalars: readonly number[];
  /** What the final kernel's input i is (`selected[i]`): a fresh output or a source. */
  readonly selected: readonly FreshInputReference[];
  /** The producer's next state, exactly as `update` would return it, from the outputs (one tree per kernel, `dependent` after `kernels`). */
  readonly state: (outputs: readonly TensorTree[]) => S;
  /**
   * Values that `state` holds besides the outputs (the states of a chain's other stages), listed
   * here so that `tidy`, which sees a step's data but not what a function holds, keeps their
   * tensors with the step. Absent: none.
   */
  readonly carried?: readonly unknown[];
}

/** What every {@link FinalKernel} states, whether its inputs are finished tensors or fresh outputs. */
export interface FinalKernelParts {
  /** The producer's name, for error messages (`scaleByAdam`). */
  readonly owner: string;
  /** The output of one element, as an expression kernel. */
  readonly kernel: ExpressionKernel;
  /** The kernel's scalars, the same for every leaf. */
  readonly scalars: readonly number[];
  /**
   * Scalars that differ by leaf (a per-tensor trust ratio or clipping factor, read from the
   * host), one list per leaf in the order `mapTensors` visits them; each leaf's kernel scalars
   * are `scalars` followed by its list. Absent: none.
   */
  readonly leafScalars?: readonly (readonly number[])[];
  /**
   * Whether the composition rounds the kernel's output to float32 (on float32 inputs) before
   * the epilogue, as storing it between the unfused passes did; set by every producer whose
   * step was unfused before composition, so that its fused step is bit for bit the unfused
   * one. Adam and Lion leave it unset: their fused kernels were hand-written on the unrounded
   * direction, and composing on it keeps those results.
   */
  readonly roundsOutput?: boolean;
  /**
   * Whether the kernel (and its fresh kernels) compute with float32 arithmetic, every operation
   * rounded to float32 as PyTorch computes on float32 tensors (a producer chooses it where every
   * leaf is float32); the composed epilogue then rounds each of its operations too. Why: such
   * operations run four elements per f32x4 instruction on WebAssembly SIMD, where float64
   * arithmetic needs two f64x2 instructions. Absent: float64 arithmetic, rounded once when stored.
   */
  readonly float32Arithmetic?: boolean;
  /**
   * The affine stages already composed after the kernel (set by `chain`'s own composition
   * point, for the caller to compose its gain after them); absent: none.
   */
  readonly epilogue?: AffineCoefficients;
  /**
   * A per-element multiplier composed after the epilogue (ActiveLR's gain, set by `active`'s
   * composition point), a tree shaped like the updates; absent: none. Only set together with
   * `epilogue`.
   */
  readonly multiplier?: TensorTree;
}

/** A {@link FinalKernel} whose inputs are finished tensors and whose next state is known. */
export interface FinishedFinalKernel<S> extends FinalKernelParts {
  /** One tree per kernel input, in the kernel's input order. */
  readonly inputs: readonly TensorTree[];
  /** The producer's next state, exactly as `update` would return it. */
  readonly state: S;
  /** None: the inputs are finished. */
  readonly fresh?: undefined;
}

/** A {@link FinalKernel} whose inputs are fresh kernel outputs; its next state comes from the run. */
export interface FreshFinalKernel<S> extends FinalKernelParts {
  /** The kernels that make the inputs, and the state made from their outputs. */
  readonly fresh: FreshInputs<S>;
  /** None: see `fresh.sources`. */
  readonly inputs?: undefined;
  /** None until the run: see `fresh.state`. */
  readonly state?: undefined;
}

/**
 * A producer's last elementwise kernel, not yet run: per leaf, `kernel` of the leaves of
 * `inputs` (each tree shaped like the updates) and `scalars` gives the producer's output, and
 * then the `epilogue` and `multiplier`, when there are. `chain` composes the affine stages that
 * follow it into `epilogue`, and `active` its gain after that, all in this one kernel
 * (`combinators/compose-final-kernel.ts`). Its inputs may themselves be fresh kernel outputs
 * ({@link FreshInputs}): then `runFinalKernel` runs them in the same pass and gives the state.
 */
export type FinalKernel<S> = FinishedFinalKernel<S> | FreshFinalKernel<S>;

/**
 * A stage that is u ↦ a·u + b·p of its incoming updates (a learning rate, a constant scale,
 * decoupled weight decay): its expression is fixed, so it states only its coefficients at
 * this update. `chain` composes a run of them by multiplying the coefficients out
 * (a₂(a₁u + b₁p) + b₂p = a₂a₁·u + (a₂b₁ + b₂)·p), so the run rounds once, into the kernel
 * before it or, with none, in one pass of its own.
 */
export interface AffineStep<S> {
  /** The coefficients at this update. */
  readonly epilogue: AffineCoefficients;
  /** The next state, exactly as `update` would return it. */
  readonly state: S;
}

/**
 * A step already run, for a composite (`chain`) whose last stage cannot be left unrun: its
 * updates and next state, exactly as `update` returns them.
 */
export interface ComputedStep<S> {
  /** The output updates. */
  readonly updates: TensorTree;
  /** The next state. */
  readonly state: S;
}

/**
 * What a transform's composition point (`GradientTransformation.finalKernel`) returns: its
 * output as one kernel not yet run, as an affine stage of its input, or (for a composite whose
 * tail cannot be left unrun) already computed.
 */
export type ElementwiseStep<S> = FinalKernel<S> | AffineStep<S> | ComputedStep<S>;

/** Whether `step` is an unrun kernel (rather than an affine stage or a computed step). */
export function isFinalKernel<S>(step: ElementwiseStep<S>): step is FinalKernel<S> {
  return 'kernel' in step;
}

/** Whether `step` is an affine stage of its incoming updates. */
export function isAffineStep<S>(step: ElementwiseStep<S>): step is AffineStep<S> {
  return !('kernel' in step) && 'epilogue' in step;
}

/**
 * `step` with its next state passed through `change`: at once where the state is known, and
 * once the pass has run where it comes from fresh kernel outputs ({@link FreshInputs}). The one
 * way a composite (`chain`, `namedChain`, `active`, the input checks) wraps the state of the
 * step it hands on. Values that `change` holds and that may contain tensors made inside a
 * `tidy` go in `carried` (see {@link FreshInputs.carried}).
 *
 * @example
 * const named = mapStepState(step, (states) => ({ adam: states[0], learningRate: states[1] }));
 */
export function mapStepState<S, T>(
  step: FinalKernel<S>,
  change: (state: S) => T,
  carried?: readonly unknown[],
): FinalKernel<T>;
/** `step` with its next state passed through `change` (see the overload above). */
export function mapStepState<S, T>(
  step: ElementwiseStep<S>,
  change: (state: S) => T,
  carried?: readonly unknown[],
): ElementwiseStep<T>;
export function mapStepState<S, T>(
  step: ElementwiseStep<S>,
  change: (state: S) => T,
  carried: readonly unknown[] = [],
): ElementwiseStep<T> {
  if (isFinalKernel(step) && step.fresh !== undefined) {
    const { fresh } = step;
    return {
      ...step,
      fresh: {
        ...fresh,
        state: (outputs) => change(fresh.state(outputs)),
        carried: [...(fresh.carried ?? []), ...carried],
      },
    };
  }
  return { ...step, state: change(step.state as S) } as ElementwiseStep<T>;
}

/** The state type of a transform. */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never;

/** The state of a transform that keeps none. */
export type EmptyState = Record<string, never>;

/** Shorthand for a transform whose state type does not matter to the caller. */
export type AnyTransformation = GradientTransformation<any>;
