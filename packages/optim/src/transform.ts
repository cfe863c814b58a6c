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
   * Optional speed hooks read by `chain` and `namedChain` (see {@link FusionHooks}); a
   * transform without them, or any wrapper, simply takes the ordinary path.
   */
  readonly fusion?: FusionHooks<S>;
}

/** u ↦ updateScale·u + paramScale·p, the form of scaling, learning-rate and decay transforms. */
export interface AffineCoefficients {
  readonly updateScale: number;
  readonly paramScale: number;
}

/**
 * A producer's last elementwise kernel, not yet run: per leaf, `kernel` of the leaves of
 * `inputs` (each tree shaped like the updates) and `scalars` gives the producer's output.
 * `chain` composes what follows it into this one kernel (see {@link FusionHooks.finalKernel}).
 */
export interface FinalKernel<S> {
  /** The producer's name, for error messages (`scaleByAdam`). */
  readonly owner: string;
  /** The output of one element, as an expression kernel. */
  readonly kernel: ExpressionKernel;
  /** One tree per kernel input, in the kernel's input order. */
  readonly inputs: readonly TensorTree[];
  /** The kernel's scalars, the same for every leaf. */
  readonly scalars: readonly number[];
  /** The producer's next state, exactly as `update` would return it. */
  readonly state: S;
  /**
   * Whether the composition rounds the kernel's output to float32 (on float32 inputs) before
   * the epilogue, as storing it between the unfused passes did; set by every producer whose
   * step was unfused before composition, so that its fused step is bit for bit the unfused
   * one. Adam and Lion leave it unset: their fused kernels were hand-written on the unrounded
   * direction, and composing on it keeps those results.
   */
  readonly roundsOutput?: boolean;
}

/**
 * Hooks that let `chain` compose a producer's last kernel with what follows it into one pass:
 * a run of affine transforms after it (learning rate, decoupled weight decay, constant scales)
 * and, for a wrapper that scales the whole update (`active`), an element-wise multiplier. Each
 * saves one full pass over the parameters. The result equals the unfused chain up to rounding
 * (the fused kernel rounds once instead of once per transform); the multiplier's product is
 * bit for bit the separate multiply's.
 */
export interface FusionHooks<S> {
  /**
   * For an affine transform: its coefficients at this update and its next state, exactly as
   * `update` would advance it; `undefined` when it cannot be folded now (for example
   * `params` is missing, so the ordinary path can report it).
   */
  affine?(state: S, hasParams: boolean): { coefficients: AffineCoefficients; state: S } | undefined;
  /**
   * For a producer whose output is one elementwise kernel per leaf: advance the state (the
   * moments, say) and return that kernel with its operands instead of running it. `update` is
   * then this kernel run as it is; `chain` composes the affine run after the producer, and a
   * multiplier, into its expression (`combinators/compose-final-kernel.ts`).
   */
  finalKernel?(
    updates: TensorTree,
    state: S,
    params: TensorTree | undefined,
    extras: UpdateExtras | undefined,
  ): FinalKernel<S>;
  /**
   * For a whole optimizer (`chain`, `namedChain`): `update`, with its output multiplied element
   * by element by `multiplier` (a tree shaped like the updates; leaves of the same shape, or
   * 0-d), bit for bit equal to `mul(update(...), multiplier)` leaf by leaf. Wrappers that scale
   * a base's whole update (`active`) call it so that the product folds into the base's last
   * kernel where the base allows, saving a full pass; otherwise it costs that pass.
   */
  updateWithMultiplier?(
    updates: TensorTree,
    state: S,
    params: TensorTree | undefined,
    extras: UpdateExtras | undefined,
    multiplier: TensorTree,
  ): [TensorTree, S];
}

/** The state type of a transform. */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never;

/** The state of a transform that keeps none. */
export type EmptyState = Record<string, never>;

/** Shorthand for a transform whose state type does not matter to the caller. */
export type AnyTransformation = GradientTransformation<any>;
