import { tensor, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { identity } from '../combinators/identity.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { active } from './active.js';
import { activeGains } from './active-inspection.js';
import { activeAdamw, activeSgd } from './active-optimizers.js';

// spec/algorithms.md Appendix A (an independent numpy re-implementation of the authors' code):
// K = 2, λ_high = 2, λ_low = 0.5, one scalar parameter, this gradient stream (epoch sums
// 3, −0.5, −4, 4).
const GRADIENTS = [1, 2, -1, 0.5, -3, -1, 2, 2];

/** Feeds the stream to `optimizer` with θ₀ = 0 (float64) and returns each step's update and the final state. */
function run<S>(optimizer: GradientTransformation<S>): { updates: number[]; thetas: number[]; state: S } {
  let params: TensorTree = { theta: tensor([0], { dtype: 'float64' }) };
  let state = optimizer.init(params);
  const updates: number[] = [];
  const thetas: number[] = [];
  for (const g of GRADIENTS) {
    const [update, next] = optimizer.update({ theta: tensor([g], { dtype: 'float64' }) }, state, params);
    const u = (update as { theta: Tensor }).theta.item();
    updates.push(u);
    params = { theta: tensor([(params as { theta: Tensor }).theta.item() + u], { dtype: 'float64' }) };
    thetas.push((params as { theta: Tensor }).theta.item());
    state = next;
  }
  return { updates, thetas, state };
}

describe('active: spec Appendix A reference vectors', () => {
  it('gain trace: gains used [1,1,1,1,0.5,0.5,2.5,2.5], final gain 1.25', () => {
    // With a pass-through base the update is a·g, so the gain in force is update/g.
    const { updates, state } = run(active(identity(), { period: 2, increase: 2, decrease: 0.5 }));
    expect(updates.map((u, index) => u / GRADIENTS[index]!)).toEqual([1, 1, 1, 1, 0.5, 0.5, 2.5, 2.5]);
    expect((activeGains(state) as { theta: Tensor }).theta.item()).toBe(1.25);
  });

  it('the defaults are the benchmark constants (λ_high = 2, λ_low = 0.5)', () => {
    const { updates } = run(active(identity(), { period: 2 }));
    expect(updates.map((u, index) => u / GRADIENTS[index]!)).toEqual([1, 1, 1, 1, 0.5, 0.5, 2.5, 2.5]);
  });

  it('ActiveSGD trajectory (lr 0.1, momentum 0.9, buffer initialised to g)', () => {
    const expected = [-0.1, -0.39, -0.551, -0.7459, -0.683605, -0.5775395, -0.60024475, -1.120679475];
    const { thetas } = run(activeSgd({ lr: 0.1, momentum: 0.9, period: 2, increase: 2, decrease: 0.5 }));
    // Float64 with a handful of roundings per step: 1e-12 relative is far above the rounding
    // error (~1e-15) and far below the printed precision's spacing.
    thetas.forEach((theta, index) =>
      expect(Math.abs(theta - expected[index]!)).toBeLessThanOrEqual(1e-12 * Math.abs(expected[index]!)),
    );
  });

  it('ActiveAdamW trajectory (lr 1e-3, betas (0.9, 0.999), eps 1e-8, wd 0)', () => {
    const expected = [
      -0.00099999999, -0.00196518201, -0.00238527131, -0.00283875428, -0.00275168515, -0.00261416586, -0.00263974709,
      -0.00316443792,
    ];
    const { thetas } = run(activeAdamw({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, period: 2 }));
    // The appendix prints 11 decimals: agree to half a unit in the last printed place.
    thetas.forEach((theta, index) => expect(Math.abs(theta - expected[index]!)).toBeLessThanOrEqual(0.5e-11));
  });
});
