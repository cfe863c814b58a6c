import { randn, seed, tree, type Tensor } from '@vane/tensor';
import { checkOptimizer } from '@vane/testkit';
import { describe, expect, it } from 'vitest';
import { adamHd } from '../baselines/adam-hd.js';
import { scaleByDeltaBarDelta } from '../baselines/delta-bar-delta.js';
import { sgdHd } from '../baselines/sgd-hd.js';
import { chain } from '../combinators/chain.js';
import { graft } from '../graft/graft.js';
import { graftMagnitude, GRAFT_MAGNITUDE_PRESETS } from '../graft/magnitude-presets.js';
import { sgd } from '../optimizers/sgd.js';
import { gradientNoiseScale } from '../scaling/gradient-noise-scale.js';
import type { AnyTransformation, TensorTree } from '../transform.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { active } from './active.js';
import { CORE_OPTIMIZERS } from './test-support/core-optimizers.js';

// Every wrapper over every core optimizer. The laws come from @vane/testkit (independent of
// this package's code): active with neutral gain changes is its base; active's gains follow
// gradient signs whatever the base; graft(A, A) is A; graft's per-block norm law; and, for the
// wrapped optimizers themselves, determinism, finite state and the exact state round trip
// through serializeState/deserializeState into a fresh instance.
const RUNS = 8;

describe.each(CORE_OPTIMIZERS.map((optimizer) => [optimizer.name, optimizer] as const))('%s', (_name, optimizer) => {
  it('active and graft laws with it as the base', () => {
    const report = checkOptimizer(optimizer.make, {
      invariants: ['activeNeutralEqualsBase', 'activeGainsFollowSigns', 'graftSelfEqualsBase', 'graftNormLaw'],
      numRuns: RUNS,
      seed: 7,
    });
    expect(report.passed).toHaveLength(4);
  });

  it.each([
    ['active (element)', () => active(optimizer.make(), { period: 2 })],
    [
      'active (tensor, update signal, clamped)',
      () => active(optimizer.make(), { period: 1, granularity: 'tensor', signal: 'update', minGain: 0.1, maxGain: 10 }),
    ],
    ['graft as magnitude', () => graft({ magnitude: optimizer.make(), direction: sgd({ lr: 0.1, momentum: 0.9 }) })],
    [
      'graft as direction (global)',
      () => graft({ magnitude: sgd({ lr: 0.1 }), direction: optimizer.make() }, { granularity: 'global' }),
    ],
    [
      'gradientNoiseScale before it',
      () => chain(gradientNoiseScale({ microBatchSize: 4, groupSize: 2 }), optimizer.make()),
    ],
  ])('%s: determinism, finite state, state round trip', (_label, factory) => {
    const report = checkOptimizer(factory, {
      invariants: ['determinism', 'finiteState', 'stateRoundTrip'],
      numRuns: RUNS,
      seed: 11,
    });
    expect(report.passed).toHaveLength(3);
  });

  it('active(B) at fixed params is a_t ⊙ B_t with a_t from an independent gain computation', () => {
    const generator = seed(5);
    const params = {
      w: randn([2, 3], { generator, dtype: 'float64' }),
      b: randn([3], { generator, dtype: 'float64' }),
    };
    const gradients: TensorTree[] = Array.from({ length: 9 }, () => ({
      w: randn([2, 3], { generator, dtype: 'float64' }),
      b: randn([3], { generator, dtype: 'float64' }),
    }));
    const period = 2;
    const baseUpdates = runFixed(optimizer.make(), params, gradients);
    const activeUpdates = runFixed(
      active(optimizer.make(), { period, increase: 0.5, decrease: 0.25 }),
      params,
      gradients,
    );
    // Plain-number ActiveLR (spec §1.2): gains used at step t are those before its change.
    const flatGradients = gradients.map(flat);
    const size = flatGradients[0]!.length;
    const gain = new Array<number>(size).fill(1);
    let sum = new Array<number>(size).fill(0);
    let previous = new Array<number>(size).fill(0);
    flatGradients.forEach((g, index) => {
      const t = index + 1;
      const expected = flat(baseUpdates[index]!).map((u, element) => u * gain[element]!);
      expect(flat(activeUpdates[index]!)).toEqual(expected);
      sum = sum.map((value, element) => value + g[element]!);
      if (t % period === 0) {
        if (t > period)
          for (let element = 0; element < size; element++)
            gain[element] = previous[element]! * sum[element]! <= 0 ? gain[element]! * 0.25 : gain[element]! + 0.5;
        previous = sum;
        sum = new Array<number>(size).fill(0);
      }
    });
  });
});

describe('baselines and presets: determinism, finite state, state round trip', () => {
  const cases: [string, () => AnyTransformation][] = [
    ['scaleByDeltaBarDelta', () => chain(scaleByDeltaBarDelta(), scaleByLearningRate(0.01))],
    ['sgdHd', () => sgdHd({ lr: 0.01, hypergradientLr: 1e-3, momentum: 0.9, weightDecay: 0.01 })],
    ['adamHd', () => adamHd({ lr: 0.01, hypergradientLr: 1e-4 })],
    ...GRAFT_MAGNITUDE_PRESETS.map((name): [string, () => AnyTransformation] => [
      `graft preset ${name}`,
      () => graft({ magnitude: name, direction: sgd({ lr: 0.1, momentum: 0.9 }) }),
    ]),
    ...GRAFT_MAGNITUDE_PRESETS.map((name): [string, () => AnyTransformation] => [
      `preset ${name} as an optimizer`,
      () => chain(graftMagnitude(name), scaleByLearningRate(0.01)),
    ]),
  ];
  it.each(cases)('%s', (_label, factory) => {
    const report = checkOptimizer(factory, {
      invariants: ['determinism', 'finiteState', 'stateRoundTrip', 'activeNeutralEqualsBase', 'graftSelfEqualsBase'],
      numRuns: RUNS,
      seed: 13,
    });
    expect(report.passed).toHaveLength(5);
  });
});

function runFixed(
  optimizer: {
    init: (p: TensorTree) => unknown;
    update: (u: TensorTree, s: never, p: TensorTree) => [TensorTree, unknown];
  },
  params: TensorTree,
  gradients: TensorTree[],
): TensorTree[] {
  let state = optimizer.init(params);
  return gradients.map((gradient) => {
    const [update, next] = optimizer.update(gradient, state as never, params);
    state = next;
    return update;
  });
}

function flat(value: TensorTree): number[] {
  return tree.leaves(value).flatMap((leaf) => Array.from((leaf as Tensor).dataSync()));
}
