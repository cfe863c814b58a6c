/** The walkthrough of docs/testkit.md, verbatim; the last test keeps the page and this file in step. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GradientTransformation, TensorTree } from '@vane/optim';
import { tensor, tidy, tree, type Tensor } from '@vane/tensor';
import { checkOptimizer, expectTrajectory, findUndocumentedExamples } from '../src/index.js';

function signMomentum(lr: number, beta = 0.9): GradientTransformation<{ momentum: TensorTree }> {
  return {
    init: (params) => ({ momentum: tree.zerosLike(params) }),
    update: (gradients, state) =>
      tidy(() => {
        const momentum = tree.map(
          (m: Tensor, g: Tensor) => m.mul(beta).add(g.mul(1 - beta)),
          state.momentum,
          gradients,
        );
        const updates = tree.map((m: Tensor) => m.sign().mul(-lr), momentum);
        return [updates, { momentum }] as [TensorTree, { momentum: TensorTree }];
      }),
  };
}

describe('docs/testkit.md', () => {
  it('checks the custom optimizer', () => {
    const report = checkOptimizer(() => signMomentum(1e-3), {
      capabilities: { descends: true, zeroGradientNoOp: true, scaleInvariant: true, nonZeroFirstStep: true },
      learningRateFactory: (lr) => signMomentum(lr),
      numRuns: 20,
    });
    expect(report.passed).toContain('positiveScaleInvariance');
    expect(report.skipped.map((entry) => entry.name)).toContain('backendAgreement'); // no 'gpu' backend here
  });

  it('pins a golden trajectory', () => {
    // By hand: m₁ = 0.1·g, so u₁ = −η·sign(g); m₂ = 0.09·g₁ + 0.1·g₂.
    expectTrajectory(
      signMomentum(0.5),
      [{ w: tensor([2, -1]) }, { w: tensor([-1, -1]) }],
      [{ w: tensor([-0.5, 0.5]) }, { w: tensor([-0.5, 0.5]) }], // m₂ = [0.08, −0.19]
      { absolute: 0 }, // signs times 0.5 are exact
    );
  });

  it('the page shows exactly this code', () => {
    const page = readFileSync(new URL('../../../docs/testkit.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const { blocks, missing } = findUndocumentedExamples(page, source);
    expect(blocks).toBe(3);
    expect(missing).toEqual([]);
  });
});
