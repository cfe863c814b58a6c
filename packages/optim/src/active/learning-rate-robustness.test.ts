import { matmul, mean, mul, randn, seed, square, sub, tidy, transpose, zeros, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { applyUpdates, disposeReplaced } from '../apply-updates.js';
import { adamw } from '../optimizers/adamw.js';
import type { AnyTransformation, TensorTree } from '../transform.js';
import { active } from './active.js';

// A small version of the paper's headline claim (spec §1.6, reproduction 1): ActiveLR makes
// the final loss much less sensitive to the initial learning rate. Linear regression
// y = Xw* + 0.1·noise, 512 examples in 20 dimensions, mini-batches of 32 (16 steps per epoch,
// period = one epoch), 20 epochs, AdamW with and without active (the benchmark constants 2, 0.5).
// The claim is qualitative, so the test checks it with wide margins: how many of the
// learning rates 1e-4 … 1e-1 reach a loss below 0.05 (the noise floor is 0.01).
const examples = 512;
const dimension = 20;
const batch = 32;
const epochs = 20;

function makeProblem() {
  const generator = seed(3);
  const inputs = randn([examples, dimension], { generator });
  const teacher = randn([dimension, 1], { generator });
  const targets = tidy(() => matmul(inputs, teacher).add(randn([examples, 1], { generator, std: 0.1 })));
  return { inputs, targets };
}

function finalLoss(optimizer: AnyTransformation, problem: ReturnType<typeof makeProblem>): number {
  let params: TensorTree = { w: zeros([dimension, 1]) };
  let state = optimizer.init(params);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let start = 0; start < examples; start += batch) {
      const grads = tidy(() => {
        const x = problem.inputs.slice([{ start, stop: start + batch }]);
        const residual = sub(
          matmul(x, (params as { w: Tensor }).w),
          problem.targets.slice([{ start, stop: start + batch }]),
        );
        // ∇ mean((xw − y)²) = (2/B)·xᵀ(xw − y).
        return { w: mul(matmul(transpose(x), residual), 2 / batch) };
      });
      const [updates, next] = optimizer.update(grads, state, params);
      const nextParams = applyUpdates(params, updates);
      disposeReplaced([params, state, grads, updates], [nextParams, next]);
      params = nextParams;
      state = next;
    }
  }
  return tidy(() => mean(square(sub(matmul(problem.inputs, (params as { w: Tensor }).w), problem.targets))).item());
}

describe('ActiveLR: robustness to the initial learning rate (small reproduction)', () => {
  it('AdamW reaches the noise floor only at the largest learning rate; active(AdamW) at three of four', () => {
    const problem = makeProblem();
    const rates = [1e-4, 1e-3, 1e-2, 1e-1];
    const plain = rates.map((lr) => finalLoss(adamw({ lr, weightDecay: 0 }), problem));
    const wrapped = rates.map((lr) =>
      finalLoss(active(adamw({ lr, weightDecay: 0 }), { period: examples / batch }), problem),
    );
    const converged = (losses: number[]) => losses.filter((loss) => loss < 0.05).length;
    expect(converged(plain)).toBeLessThanOrEqual(1);
    expect(converged(wrapped)).toBeGreaterThanOrEqual(3);
    // The worst learning rate hurts far less with active.
    expect(Math.max(...wrapped)).toBeLessThan(0.75 * Math.max(...plain));
  });
});
