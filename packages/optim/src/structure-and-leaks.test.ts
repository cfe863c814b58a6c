/**
 * Trees that do not match the state fail with an error naming the path; and a step leaks no
 * tensor (tfjs's idiom: exact tensor-count deltas around `memory().numTensors`).
 */
import { memory, tensor, tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { applyUpdates, disposeReplaced, tensorsIn } from './apply-updates.js';
import { applyIfFinite } from './combinators/apply-if-finite.js';
import { injectHyperparams } from './combinators/inject-hyperparams.js';
import { lookahead } from './combinators/lookahead.js';
import { masked } from './combinators/masked.js';
import { multiSteps } from './combinators/multi-steps.js';
import { partition } from './combinators/partition.js';
import { build, CATALOG } from './test-support/catalog.js';
import type { GradientTransformation, TensorTree } from './transform.js';

const params = (): TensorTree => ({
  layer: {
    weight: tensor([
      [1, -2],
      [0.5, 3],
    ]),
    bias: tensor([0.1, -0.2]),
  },
});
const grads = (scale = 1): TensorTree => ({
  layer: {
    weight: tensor([
      [0.3 * scale, -0.1],
      [0.2, 0.4],
    ]),
    bias: tensor([-0.5, 0.25 * scale]),
  },
});

describe('structure errors name the path', () => {
  it.each(CATALOG.map((entry) => [entry.name, entry] as const))('%s', (_, entry) => {
    const optimizer = build(entry, 10);
    const state = optimizer.init(params());
    const missing = {
      layer: {
        weight: tensor([
          [0.3, -0.1],
          [0.2, 0.4],
        ]),
      },
    };
    expect(() => optimizer.update(missing, state, params())).toThrow(/'layer\.bias'/);
    const extra = { layer: { ...(grads() as any).layer, scale: tensor([1]) } };
    expect(() => optimizer.update(extra, state, params())).toThrow(/'layer\.scale'/);
  });

  it('reports which transform and which tree', () => {
    const optimizer = CATALOG.find((entry) => entry.name === 'adam')!;
    const state = build(optimizer, 10).init(params());
    expect(() =>
      build(optimizer, 10).update({ layer: { weight: tensor([1]), bias: null } } as TensorTree, state, params()),
    ).toThrow(
      // The optimizer's entry point checks the trees before any transform runs, so the error
      // names the optimizer the user called, not the transform inside it that would trip first.
      "adam.update: tree structures differ at 'layer.bias': 'params' has a leaf, 'updates' has null",
    );
  });

  it('applyUpdates names the path', () => {
    expect(() => applyUpdates(params(), { layer: { weight: tensor([1]) } })).toThrow(/applyUpdates: .*'layer\.bias'/);
  });
});

/** Runs steps; checks each one adds exactly the tensors of the new params and state. */
function expectNoLeaks(optimizer: GradientTransformation<unknown>, steps = 4, insideTidy = true): void {
  let current = params();
  let state = optimizer.init(current);
  for (let step = 0; step < steps; step++) {
    const gradients = grads(step + 1);
    const before = memory().numTensors;
    const run = () => {
      const [updates, next] = optimizer.update(gradients, state, current);
      return [applyUpdates(current, updates), next] as const;
    };
    const [nextParams, nextState] = insideTidy ? tidy(run) : run();
    const old = new Set(tensorsIn([current, state, gradients]));
    const created = tensorsIn([nextParams, nextState]).filter((t: Tensor) => !old.has(t)).length;
    if (insideTidy) expect(memory().numTensors - before).toBe(created);
    else expect(memory().numTensors - before).toBeGreaterThanOrEqual(created);
    const beforeDispose = memory().numTensors;
    disposeReplaced([current, state, gradients], [nextParams, nextState]);
    current = nextParams as TensorTree;
    state = nextState;
    expect(memory().numTensors).toBeLessThan(beforeDispose + 1);
  }
  const steady = memory().numTensors;
  disposeReplaced([current, state], []);
  expect(memory().numTensors).toBe(steady - tensorsIn([current, state]).length);
}

describe('a step inside tidy adds exactly the returned tensors', () => {
  it.each(CATALOG.map((entry) => [entry.name, entry] as const))('%s', (_, entry) => {
    expectNoLeaks(build(entry, 10));
  });

  it.each([
    ['masked', () => masked(build(CATALOG[2]!, 10), { layer: { weight: true, bias: false } })],
    [
      'partition',
      () => partition({ a: build(CATALOG[2]!, 10), b: build(CATALOG[0]!, 10) }, { layer: { weight: 'a', bias: 'b' } }),
    ],
    ['injectHyperparams', () => injectHyperparams(CATALOG[3]!.factory)(CATALOG[3]!.options(10) as never)],
    ['applyIfFinite', () => applyIfFinite(build(CATALOG[2]!, 10), 2)],
    ['multiSteps', () => multiSteps(build(CATALOG[2]!, 10), 3)],
    ['lookahead', () => lookahead(build(CATALOG[2]!, 10), { syncPeriod: 2 })],
  ])('%s', (_, make) => {
    expectNoLeaks(make(), 6);
  });

  it('applyIfFinite frees what a skipped update made', () => {
    const optimizer = applyIfFinite(build(CATALOG[2]!, 10), 3);
    const current = params();
    const state = optimizer.init(current);
    const poisoned: TensorTree = {
      layer: {
        weight: tensor([
          [Number.NaN, 0],
          [0, 0],
        ]),
        bias: tensor([0, 0]),
      },
    };
    const before = memory().numTensors;
    const [updates, next] = optimizer.update(poisoned, state, current);
    expect(next.lastFinite).toBe(false);
    expect(next.inner).toBe(state.inner);
    // Only the zero updates are new.
    expect(memory().numTensors - before).toBe(tensorsIn(updates).length);
  });

  it('transforms free their temporaries even without an outer tidy', () => {
    const optimizer = build(CATALOG[3]!, 10);
    const current = params();
    const state = optimizer.init(current);
    const gradients = grads();
    const before = memory().numTensors;
    const [updates, next] = optimizer.update(gradients, state, current);
    const old = new Set(tensorsIn([current, state, gradients]));
    expect(memory().numTensors - before).toBe(tensorsIn([updates, next]).filter((t) => !old.has(t)).length);
    disposeReplaced([updates, next], [current, state, gradients]);
    expect(memory().numTensors).toBe(before);
  });
});
