import { readFileSync } from 'node:fs';
import { tensor, type Tensor } from '@vane/tensor';
import {
  graft,
  graftMagnitude,
  calibrateLayerwiseLR,
  scaleByLayerRatios,
  adam,
  adagrad,
  sgd,
  trace,
  chain,
  scaleByLearningRate,
  applyUpdates,
} from '../index.js';
import { describe, expect, it } from 'vitest';
import { findUndocumentedExamples } from '@vane/testkit';

// Each example below is copied verbatim from docs/graft.md; the last test fails if a code
// block of the page no longer appears here, so the page cannot drift from tested code.
describe('docs/graft.md examples', () => {
  it('runs the examples in order', () => {
    const params = {
      A: tensor([1, -2, 0.5], { dtype: 'float64' }),
      B: tensor(
        [
          [0.3, 0],
          [0, -0.1],
        ],
        { dtype: 'float64' },
      ),
    };
    const grads = {
      A: tensor([0.2, -0.4, 0], { dtype: 'float64' }),
      B: tensor(
        [
          [1, 0],
          [0.5, -2],
        ],
        { dtype: 'float64' },
      ),
    };
    const sgdSharpAdam = graft({ magnitude: sgd({ lr: 0.1 }), direction: adam({ lr: 1e-3 }) });
    const [updates] = sgdSharpAdam.update(grads, sgdSharpAdam.init(params), params);
    const next = applyUpdates(params, updates) as typeof params;
    expect(Array.from(next.A.dataSync()).map((x) => Number(x.toFixed(8)))).toEqual([0.96837722, -1.96837722, 0.5]);
    expect(Array.from(next.B.dataSync()).map((x) => Number(x.toFixed(8)))).toEqual([
      0.16771243, 0, -0.13228756, 0.03228757,
    ]);
    const globalGraft = graft(
      { magnitude: sgd({ lr: 0.1 }), direction: adam({ lr: 1e-3 }) },
      { granularity: 'global' },
    );
    const [, globalState] = globalGraft.update(grads, globalGraft.init(params), params);
    expect((globalState.multiplier as Tensor).item()).toBeCloseTo(104.403067, 6);
    const adamAlone = adam({ lr: 0.01 });
    const adamOnAdam = graft({ magnitude: adam({ lr: 0.01 }), direction: adam({ lr: 0.01 }) });
    const [alone] = adamAlone.update(grads, adamAlone.init(params), params);
    const [grafted] = adamOnAdam.update(grads, adamOnAdam.init(params), params);
    expect(Array.from((grafted as typeof params).B.dataSync())).toEqual(
      Array.from((alone as typeof params).B.dataSync()),
    );
    const slowDirection = graft({ magnitude: adagrad({ lr: 0.1 }), direction: sgd({ lr: 1e-6, momentum: 0.9 }) });
    const fastDirection = graft({ magnitude: adagrad({ lr: 0.1 }), direction: sgd({ lr: 10, momentum: 0.9 }) });
    const [slow] = slowDirection.update(grads, slowDirection.init(params), params);
    const [fast] = fastDirection.update(grads, fastDirection.init(params), params);
    Array.from((slow as typeof params).A.dataSync()).forEach((x, index) =>
      expect(x).toBeCloseTo((fast as typeof params).A.dataSync()[index]!, 14),
    );
    const adagradSharpMomentum = chain(
      graft({ magnitude: 'adagrad', direction: trace({ decay: 0.9 }) }),
      scaleByLearningRate(0.1),
    );
    const [presetUpdate] = adagradSharpMomentum.update(grads, adagradSharpMomentum.init(params), params);
    // AdaGrad's first step is g/(|g| + ε) per element: norm √2 for A (two non-zeros), √3 for B, times 0.1.
    const normA = Math.hypot(...Array.from((presetUpdate as typeof params).A.dataSync()));
    expect(normA).toBeCloseTo(0.1 * Math.SQRT2, 9);
    const signMagnitude = graftMagnitude('sqrtN');
    const [signs] = signMagnitude.update(grads, signMagnitude.init(params), params);
    expect(Array.from((signs as typeof params).A.dataSync())).toEqual([1, -1, 0]);
    // f(w, b) = ½‖w‖² + 2‖b‖², gradient (w, 4b).
    const start = { w: tensor([3, 4], { dtype: 'float64' }), b: tensor([1, -1, 1, -1], { dtype: 'float64' }) };
    const calibration = calibrateLayerwiseLR({
      magnitude: adam({ lr: 0.01 }),
      params: start,
      gradient: (p) => {
        const { w, b } = p as typeof start;
        return { w: w.mul(1), b: b.mul(4) };
      },
      steps: 1,
      momentum: 0.9, // the momentum of the SGD that will use the ratios: trace({ decay: 0.9 }) below
    });
    // Adam's first step is 0.01·sign(g): r_w = 0.01·√2/‖(3, 4)‖, r_b = 0.01·2/‖(4, −4, 4, −4)‖.
    const ratios = calibration.ratios as { w: number; b: number };
    expect(ratios.w).toBeCloseTo((0.01 * Math.SQRT2) / 5, 9);
    expect(ratios.b).toBeCloseTo(0.0025, 9);
    const layerwiseSgd = chain(trace({ decay: 0.9 }), scaleByLayerRatios(calibration.ratios), scaleByLearningRate(1));
    // One step of it has Adam's step length in each layer (0.01·√2 for w):
    const [step] = layerwiseSgd.update({ w: start.w.mul(1), b: start.b.mul(4) }, layerwiseSgd.init(start), start);
    expect(Math.hypot(...(step as typeof start).w.dataSync())).toBeCloseTo(0.01 * Math.SQRT2, 9);
  });

  it('contains every code block of docs/graft.md', () => {
    const documentation = readFileSync(new URL('../../../../docs/graft.md', import.meta.url), 'utf8');
    const { blocks, missing } = findUndocumentedExamples(
      documentation,
      readFileSync(new URL(import.meta.url), 'utf8'),
      { skipImports: true },
    );
    expect(blocks).toBeGreaterThan(3);
    expect(missing).toEqual([]);
  });
});
