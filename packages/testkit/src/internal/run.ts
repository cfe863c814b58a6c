/** Running a transform over a gradient stream the way a training loop does. */
import fc from 'fast-check';
import { add, tree, type Tensor, type Tree } from '@vane/tensor';
import type { AnyTransform } from '../optim-implementations.js';
import { arbParams } from '../arbitraries/arb-params.js';
import { arbGradientStream, type GradientStreamKind } from '../arbitraries/arb-gradient-stream.js';

/** A parameter tree and a stream of gradients for it. */
export interface Problem {
  readonly params: Tree<Tensor>;
  readonly gradients: Tree<Tensor>[];
}

/** The trace of a run: every update and every state after it, and the final parameters. */
export interface Run {
  readonly updates: Tree<Tensor>[];
  readonly states: unknown[];
  readonly params: Tree<Tensor>;
  readonly state: unknown;
}

/**
 * Feeds `gradients` to `transform` from `state` (default `init(params)`), adding each update
 * to the parameters (p ← p + u, with plain tensor addition rather than `applyUpdates`, so the
 * loop does not depend on the package under test).
 */
export function runSteps(
  transform: AnyTransform,
  params: Tree<Tensor>,
  gradients: readonly Tree<Tensor>[],
  initialState?: unknown,
): Run {
  let state = initialState === undefined ? transform.init(params) : initialState;
  let current = params;
  const updates: Tree<Tensor>[] = [];
  const states: unknown[] = [];
  for (const gradient of gradients) {
    const [update, next] = transform.update(gradient, state, current);
    updates.push(update);
    states.push(next);
    state = next;
    current = tree.map((p: Tensor, u: Tensor) => add(p, u), current, update);
  }
  return { updates, states, params: current, state };
}

/** Float64 problems: small parameter trees and gradient streams of `length` steps. */
export function arbProblem(options: {
  length: number;
  kind?: GradientStreamKind;
  minLength?: number;
  dtype?: 'float32' | 'float64';
}): fc.Arbitrary<Problem> {
  const dtype = options.dtype ?? 'float64';
  const minLength = options.minLength ?? options.length;
  return fc
    .tuple(
      arbParams({ dtype, maxRank: 2, maxDimension: 3, maxLeaves: 2 }),
      fc.integer({ min: minLength, max: options.length }),
    )
    .chain(([params, length]) =>
      arbGradientStream({ params, length, kind: options.kind ?? 'random' }).map((gradients) => ({ params, gradients })),
    );
}

/** Feeds `gradients` with the parameters held at `params` (updates are returned, not applied). */
export function runFixedParams(
  transform: AnyTransform,
  params: Tree<Tensor>,
  gradients: readonly Tree<Tensor>[],
): Tree<Tensor>[] {
  let state = transform.init(params);
  return gradients.map((gradient) => {
    const [update, next] = transform.update(gradient, state, params);
    state = next;
    return update;
  });
}
