import { findBackend, getBackend, registerBackend, tensor, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { tensorsIn } from '../apply-updates.js';
import { adamHd } from '../baselines/adam-hd.js';
import { scaleByDeltaBarDelta } from '../baselines/delta-bar-delta.js';
import { sgdHd } from '../baselines/sgd-hd.js';
import { chain } from '../combinators/chain.js';
import { graft } from '../graft/graft.js';
import { GRAFT_MAGNITUDE_PRESETS } from '../graft/magnitude-presets.js';
import { adamw } from '../optimizers/adamw.js';
import { sgd } from '../optimizers/sgd.js';
import { gradientNoiseScale, noiseScaleEstimate } from '../scaling/gradient-noise-scale.js';
import { noiseScaleFromPerExample } from '../scaling/noise-scale-from-per-example.js';
import type { AnyTransformation } from '../transform.js';
import { active } from './active.js';
import { activeGains, activeSummary } from './active-inspection.js';

// "Runs on any backend": the math must create every tensor on the backend of its inputs. A
// second backend (the CPU kernels under another name) holds the params and gradients while
// the default backend stays 'cpu', so a tensor made without naming the backend (a scalar, a
// zero sum, a 0-d gain) lands on 'cpu' and the next op fails with "tensors are on different
// backends"; and every tensor returned or kept in the state must be on the second backend.
const SECOND = 'cpu-secondary';
registerBackend({ ...findBackend('cpu'), name: SECOND });

const onSecond = (values: number[]): Tensor => tensor(values, { backend: SECOND });
const params = { w: onSecond([0.5, -1, 2]), b: onSecond([0.1]) };
const stream = [
  [[1, -2, 0.5], [1]],
  [[0.5, 1, -1], [-2]],
  [[2, -1, 0.25], [0.5]],
  [[1, 1, 1], [1]],
].map(([w, b]) => ({ w: onSecond(w!), b: onSecond(b!) }));

function expectAllOnSecond(value: unknown, label: string): void {
  for (const leaf of tensorsIn(value)) expect(leaf.backend.name, label).toBe(SECOND);
}

describe('every wrapper keeps its tensors on the backend of the params', () => {
  const cases: [string, () => AnyTransformation][] = [
    ['active element', () => active(adamw({ lr: 0.01 }), { period: 1 })],
    [
      'active tensor, clamped',
      () => active(sgd({ lr: 0.1, momentum: 0.9 }), { period: 1, granularity: 'tensor', minGain: 0.5, maxGain: 3 }),
    ],
    ['graft tensor', () => graft({ magnitude: adamw({ lr: 0.01 }), direction: sgd({ lr: 0.1 }) })],
    [
      'graft global, eps',
      () =>
        graft({ magnitude: adamw({ lr: 0.01 }), direction: sgd({ lr: 0.1 }) }, { granularity: 'global', eps: 1e-8 }),
    ],
    ...GRAFT_MAGNITUDE_PRESETS.map((name): [string, () => AnyTransformation] => [
      `graft preset ${name}`,
      () => graft({ magnitude: name, direction: sgd({ lr: 0.1 }) }),
    ]),
    [
      'gradientNoiseScale sequential',
      () => chain(gradientNoiseScale({ microBatchSize: 2, groupSize: 2 }), sgd({ lr: 0.1 })),
    ],
    ['scaleByDeltaBarDelta', () => scaleByDeltaBarDelta()],
    ['sgdHd', () => sgdHd({ lr: 0.1, hypergradientLr: 0.01, momentum: 0.9, weightDecay: 0.1 })],
    ['adamHd', () => adamHd({ lr: 0.1, hypergradientLr: 0.01, weightDecay: 0.1 })],
  ];
  it.each(cases)('%s', (label, make) => {
    expect(getBackend()).toBe('cpu');
    const optimizer = make();
    let state = optimizer.init(params);
    expectAllOnSecond(state, `${label}: init`);
    for (const gradient of stream) {
      const [updates, next] = optimizer.update(gradient, state, params);
      expectAllOnSecond(updates, `${label}: updates`);
      expectAllOnSecond(next, `${label}: state`);
      state = next;
    }
  });

  it('inspection and estimators', () => {
    const optimizer = active(sgd({ lr: 0.1 }), { period: 1, granularity: 'tensor' });
    let state = optimizer.init(params);
    for (const gradient of stream) [, state] = optimizer.update(gradient, state, params);
    expectAllOnSecond(activeGains(state), 'activeGains');
    expect(activeSummary(state).elements).toBe(4);
    const monitor = gradientNoiseScale({ microBatchSize: 2 });
    const [, monitored] = monitor.update(stream[0]!, monitor.init(params), params, {
      microBatchGradients: [stream[0]!, stream[1]!],
    });
    expectAllOnSecond(monitored, 'gradientNoiseScale extras mode');
    expect(Number.isFinite(noiseScaleEstimate(monitored).bSimple)).toBe(true);
    expect(
      Number.isFinite(
        noiseScaleFromPerExample({
          w: tensor(
            [
              [1, 2],
              [3, 5],
            ],
            { backend: SECOND },
          ),
        }).bSimple,
      ),
    ).toBe(true);
  });
});
