import { readFileSync } from 'node:fs';
import { tensor, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { findUndocumentedExamples } from '@vane/testkit';
import {
  active,
  activeGains,
  activeSummary,
  activeSgd,
  activeAdamw,
  activeRadam,
  activeAdabelief,
  adamw,
  applyUpdates,
  identity,
  scaleByDeltaBarDelta,
  sgdHd,
  adamHd,
  rprop,
  chain,
  scaleByLearningRate,
  type AnyTransformation,
} from '../index.js';

// Each example below is copied verbatim from docs/active.md; the last test fails if a code
// block of the page no longer appears here, so the page cannot drift from tested code.
describe('docs/active.md examples', () => {
  it('wraps any optimizer', () => {
    const optimizer = active(adamw({ lr: 1e-3 }), { period: 390 });
    expect(typeof optimizer.update).toBe('function');
  });

  it('runs the examples in order', () => {
    const gradients = [1, 2, -1, 0.5, -3, -1, 2, 2];
    const passThrough = active(identity(), { period: 2, increase: 2, decrease: 0.5 });
    const theta = { x: tensor([0], { dtype: 'float64' }) };
    let state = passThrough.init(theta);
    const gainsUsed: number[] = [];
    for (const g of gradients) {
      const [update, next] = passThrough.update({ x: tensor([g], { dtype: 'float64' }) }, state, theta);
      gainsUsed.push((update as { x: Tensor }).x.item() / g);
      state = next;
    }
    expect(gainsUsed).toEqual([1, 1, 1, 1, 0.5, 0.5, 2.5, 2.5]);
    expect((activeGains(state) as { x: Tensor }).x.item()).toBe(1.25);
    const params = { w: tensor([0.5, -0.5]) };
    const optimizer = active(adamw({ lr: 0.01, weightDecay: 0 }), { period: 2 });
    let current = params;
    let optimizerState = optimizer.init(params);
    for (const g of [
      [1, -1],
      [1, 1],
      [1, -1],
      [1, 1],
      [1, -1],
    ]) {
      const [updates, next] = optimizer.update({ w: tensor(g) }, optimizerState, current);
      current = applyUpdates(current, updates) as typeof params;
      optimizerState = next;
    }
    expect(Array.from((activeGains(optimizerState) as { w: Tensor }).w.dataSync())).toEqual([3, 0.5]);
    expect(activeSummary(optimizerState)).toEqual({
      min: 0.5,
      max: 3,
      mean: 1.75,
      grewFraction: 0.5,
      gainChanges: 1,
      elements: 2,
    });
    const activeSgdOptimizer = activeSgd({ lr: 0.1, momentum: 0.9, period: 2 });
    const activeAdamwOptimizer = activeAdamw({ lr: 1e-3, weightDecay: 0, period: 2 });
    let sgdState = activeSgdOptimizer.init(theta);
    let adamwState = activeAdamwOptimizer.init(theta);
    let sgdTheta = 0;
    let adamwTheta = 0;
    for (const g of gradients) {
      const grads = { x: tensor([g], { dtype: 'float64' }) };
      const [sgdUpdate, nextSgd] = activeSgdOptimizer.update(grads, sgdState, theta);
      const [adamwUpdate, nextAdamw] = activeAdamwOptimizer.update(grads, adamwState, theta);
      sgdTheta += (sgdUpdate as { x: Tensor }).x.item();
      adamwTheta += (adamwUpdate as { x: Tensor }).x.item();
      sgdState = nextSgd;
      adamwState = nextAdamw;
    }
    // Appendix A: the last points of the ActiveSGD and ActiveAdamW trajectories.
    expect(sgdTheta).toBeCloseTo(-1.120679475, 12);
    expect(adamwTheta).toBeCloseTo(-0.00316443792, 11);
    const released = activeAdamw({ lr: 1e-3, weightDecay: 1e-2, gainScalesWeightDecay: false, period: 2 });
    const laggedRadam = activeRadam({ lr: 1e-3, laggedMoments: true, period: 2 });
    const rectifiedBelief = activeAdabelief({ lr: 1e-3, eps: 1e-8, rectify: true, period: 2 });
    const one = { x: tensor([1], { dtype: 'float64' }) };
    // The lag makes the first RAdam update exactly 0 (m₀ = 0).
    expect(Math.abs((laggedRadam.update(one, laggedRadam.init(theta), theta)[0] as { x: Tensor }).x.item())).toBe(0);
    // Rectified AdaBelief takes a plain momentum step while ρ_t ≤ 4: −η·m₁ = −1e-3·0.1.
    expect((rectifiedBelief.update(one, rectifiedBelief.init(theta), theta)[0] as { x: Tensor }).x.item()).toBeCloseTo(
      -1e-4,
      15,
    );
    // With the decay unscaled, the active state sits under state.adam.
    expect(activeSummary(released.init(theta).adam).gainChanges).toBe(0);
    const hinton = chain(scaleByDeltaBarDelta({ averaging: 0 }), scaleByLearningRate(0.01));
    const hypergradientSgd = sgdHd({ lr: 0.01, hypergradientLr: 1e-4, momentum: 0.9 });
    const hypergradientAdam = adamHd({ lr: 1e-3, hypergradientLr: 1e-7 });
    const resilient = rprop({ lr: 0.01 });
    for (const baseline of [hinton, hypergradientSgd, hypergradientAdam, resilient] as AnyTransformation[]) {
      const [update] = baseline.update({ x: tensor([2], { dtype: 'float64' }) }, baseline.init(theta), theta);
      expect((update as { x: Tensor }).x.item()).toBeLessThan(0);
    }
  });

  it('contains every code block of docs/active.md', () => {
    const documentation = readFileSync(new URL('../../../../docs/active.md', import.meta.url), 'utf8');
    const { blocks, missing } = findUndocumentedExamples(
      documentation,
      readFileSync(new URL(import.meta.url), 'utf8'),
      { skipImports: true },
    );
    expect(blocks).toBeGreaterThan(4);
    expect(missing).toEqual([]);
  });
});
