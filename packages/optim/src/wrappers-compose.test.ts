/**
 * Every wrapper over every optimizer: each combination runs, and where the wrapper has a
 * simple equivalent the result is compared with it (bit for bit where the arithmetic is the
 * same).
 */
import { add, div, tensor, tree, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { applyIfFinite } from './combinators/apply-if-finite.js';
import { chain } from './combinators/chain.js';
import { freeze } from './combinators/freeze.js';
import { injectHyperparams } from './combinators/inject-hyperparams.js';
import { lookahead } from './combinators/lookahead.js';
import { masked } from './combinators/masked.js';
import { multiSteps } from './combinators/multi-steps.js';
import { namedChain } from './combinators/named-chain.js';
import { partition } from './combinators/partition.js';
import { build, CATALOG } from './test-support/catalog.js';
import { trajectory, valuesOf } from './test-support/run.js';
import type { TensorTree } from './transform.js';
import { clipByGlobalNorm } from './transforms/clip-by-global-norm.js';
import { zeroNans } from './transforms/zero-nans.js';

const makeParams = (): TensorTree => ({
  layer: {
    weight: tensor(
      [
        [0.5, -1.25, 0.75],
        [-0.3, 2, -0.875],
      ],
      { dtype: 'float64' },
    ),
    bias: tensor([0.1, -0.45, 1.6], { dtype: 'float64' }),
  },
  scale: tensor([1.5], { dtype: 'float64' }),
});
const gradientAt = (step: number): TensorTree => ({
  layer: {
    weight: tensor(
      [
        [Math.sin(step), -0.5 * Math.cos(step), 0.3],
        [0.2 * step - 0.5, Math.sin(2 * step), -0.1],
      ],
      { dtype: 'float64' },
    ),
    bias: tensor([Math.cos(step), 0.25, -0.4 * Math.sin(step)], { dtype: 'float64' }),
  },
  scale: tensor([0.7 * Math.cos(3 * step)], { dtype: 'float64' }),
});
const STEPS = 6;
const gradients = (count = STEPS) => Array.from({ length: count }, (_, step) => gradientAt(step + 1));
const flat = (value: TensorTree) => tree.leaves(value).flatMap((leaf) => valuesOf(leaf));
const expectBitIdentical = (a: TensorTree, b: TensorTree) => expect(flat(a)).toEqual(flat(b));
const expectClose = (a: TensorTree, b: TensorTree, tolerance: number) => {
  const [x, y] = [flat(a), flat(b)];
  x.forEach((value, index) =>
    expect(Math.abs(value - y[index]!)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(y[index]!))),
  );
};
const final = (run: { params: TensorTree[] }) => run.params[run.params.length - 1]!;

describe.each(CATALOG.map((entry) => [entry.name, entry] as const))('wrappers over %s', (_, entry) => {
  const plain = () => build(entry, 100);
  const reference = () => final(trajectory(plain(), makeParams(), gradients()));

  it('masked with every leaf selected equals the optimizer', () => {
    expectBitIdentical(final(trajectory(masked(plain(), true), makeParams(), gradients())), reference());
  });

  it('masked leaves the unselected leaves to the raw updates', () => {
    const run = trajectory(masked(plain(), { layer: true, scale: false }), makeParams(), gradients());
    const expectedScale = 1.5 + gradients().reduce((sum, g) => sum + valuesOf((g as { scale: Tensor }).scale)[0]!, 0);
    expect(valuesOf((final(run) as { scale: Tensor }).scale)[0]).toBeCloseTo(expectedScale, 12);
  });

  it('partition gives a group the same result as the optimizer on that group alone', () => {
    const run = trajectory(
      partition({ main: plain(), frozen: freeze(true) }, { layer: 'main', scale: 'frozen' }),
      makeParams(),
      gradients(),
    );
    const alone = trajectory(
      plain(),
      (makeParams() as { layer: TensorTree }).layer,
      gradients().map((g) => (g as { layer: TensorTree }).layer),
    );
    expectBitIdentical((final(run) as { layer: TensorTree }).layer, final(alone));
    expect(valuesOf((final(run) as { scale: Tensor }).scale)).toEqual([1.5]);
  });

  it('freeze after the optimizer keeps the frozen leaves fixed', () => {
    const run = trajectory(
      chain(plain(), freeze({ layer: { weight: true, bias: false }, scale: false })),
      makeParams(),
      gradients(),
    );
    expect(valuesOf((final(run) as any).layer.weight)).toEqual(valuesOf((makeParams() as any).layer.weight));
    expect(valuesOf((final(run) as any).layer.bias)).toEqual(
      valuesOf((final(trajectory(plain(), makeParams(), gradients())) as any).layer.bias),
    );
  });

  it('injectHyperparams is bit-identical to the optimizer', () => {
    const injected = injectHyperparams(entry.factory)(entry.options(100) as never);
    expectBitIdentical(final(trajectory(injected, makeParams(), gradients())), reference());
  });

  it('applyIfFinite equals the optimizer on finite gradients and skips a NaN step', () => {
    expectBitIdentical(final(trajectory(applyIfFinite(plain(), 3), makeParams(), gradients())), reference());
    const poisoned = gradients();
    poisoned.splice(2, 0, {
      ...(gradientAt(0) as object),
      scale: tensor([Number.NaN], { dtype: 'float64' }),
    } as TensorTree);
    const run = trajectory(applyIfFinite(plain(), 3), makeParams(), poisoned);
    expectBitIdentical(run.params[2]!, run.params[1]!);
    expectBitIdentical(final(run), reference());
    expect(run.state.totalNotFinite).toBe(1);
  });

  it('multiSteps(k = 2) equals the optimizer on the mean of each pair of gradients', () => {
    const all = gradients(STEPS);
    const means = Array.from(
      { length: STEPS / 2 },
      (_, index) =>
        tree.map((a: Tensor, b: Tensor) => div(add(a, b), 2), all[2 * index]!, all[2 * index + 1]!) as TensorTree,
    );
    const accumulated = trajectory(multiSteps(plain(), 2), makeParams(), all);
    expectBitIdentical(final(accumulated), final(trajectory(plain(), makeParams(), means)));
    // Micro-steps do not move the parameters.
    expectBitIdentical(accumulated.params[0]!, makeParams());
  });

  it('lookahead moves the slow weights halfway to the fast ones every k steps', () => {
    const fast = trajectory(plain(), makeParams(), gradients(3));
    const run = trajectory(lookahead(plain(), { syncPeriod: 3, slowStepSize: 0.5 }), makeParams(), gradients(3));
    const expected = tree.map(
      (start: Tensor, end: Tensor) => div(add(start, end), 2),
      makeParams(),
      final(fast),
    ) as TensorTree;
    expectClose(final(run), expected, 1e-14);
    expectBitIdentical(run.params[1]!, fast.params[1]!);
  });

  it('chains with clipping, NaN zeroing and named chains', () => {
    const run = trajectory(
      namedChain({ nans: zeroNans(), clipping: clipByGlobalNorm(1), optimizer: plain() }),
      makeParams(),
      gradients(),
    );
    expect(flat(final(run)).every(Number.isFinite)).toBe(true);
  });
});
