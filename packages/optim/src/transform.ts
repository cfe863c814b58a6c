/**
 * The one abstraction of `@vane/optim`: a gradient transformation, a pure pair of functions
 * that turns a tree of updates (at first, gradients) into another tree of updates while
 * threading an explicit state.
 *
 * Everything else in the package (base transforms such as `scaleByAdam`, wrappers such as
 * `masked` or `multiSteps`, and the optimizers such as `adamw`) is a value of this type, so any
 * wrapper composes with any base.
 */
import type { Tensor, Tree } from '@vane/tensor';

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
 * Hooks that let `chain` fold a run of affine transforms (learning rate, decoupled weight
 * decay, constant scales) into one pass, or into the last kernel of the transform before them,
 * saving one full pass over the parameters per folded transform. The result equals the unfused chain up
 * to rounding (the fused kernel rounds once instead of once per transform).
 */
export interface FusionHooks<S> {
  /**
   * For an affine transform: its coefficients at this update and its next state, exactly as
   * `update` would advance it; `undefined` when it cannot be folded now (for example
   * `params` is missing, so the ordinary path can report it).
   */
  affine?(state: S, hasParams: boolean): { coefficients: AffineCoefficients; state: S } | undefined;
  /**
   * For a producer: `update`, with `epilogue` applied to its output in the same kernel. When
   * `multiplier` is given (only if {@link FusionHooks.acceptsMultiplier} is true), the result
   * is also multiplied element by element by that tree (shaped like the updates), bit for bit
   * as if the epilogue's output were stored and then multiplied in a separate pass.
   */
  updateWithEpilogue?(
    updates: TensorTree,
    state: S,
    params: TensorTree | undefined,
    extras: UpdateExtras | undefined,
    epilogue: AffineCoefficients,
    multiplier?: TensorTree,
  ): [TensorTree, S];
  /** True when `updateWithEpilogue` honours its `multiplier` argument. */
  readonly acceptsMultiplier?: boolean;
  /**
   * For a whole optimizer (`chain`, `namedChain`): `update`, with its output multiplied element
   * by element by `multiplier` (a tree shaped like the updates; leaves of the same shape, or
   * 0-d), bit for bit equal to `mul(update(...), multiplier)` leaf by leaf. Wrappers that scale
   * a base's whole update (`active`) call it so that the product folds into the base's last
   * kernel where the base allows, saving a full pass; otherwise it costs that pass.
   */
  updateWithMultiplier?(updates: TensorTree, state: S, params: TensorTree | undefined, extras: UpdateExtras | undefined, multiplier: TensorTree): [TensorTree, S];
}

/** The state type of a transform. */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never;

/** The state of a transform that keeps none. */
export type EmptyState = Record<string, never>;

/** Shorthand for a transform whose state type does not matter to the caller. */
export type AnyTransformation = GradientTransformation<any>;
