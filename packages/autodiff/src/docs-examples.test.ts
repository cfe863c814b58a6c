import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findUndocumentedExamples } from '@vane/testkit';
import { dispose, matmul, memory, tensor, tidy, type Tensor } from '@vane/tensor';
import {
  checkGrad,
  customGrad,
  grad,
  hvp,
  jacobian,
  noGrad,
  stopGradient,
  valueAndGrad,
  vjp,
  zeroGrad,
} from './index.js';

const values = (t: Tensor) => Array.from(t.dataSync());
const close = (t: Tensor, expected: number[], digits = 5) =>
  values(t).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));

// Each example below is copied verbatim from docs/autodiff.md, followed by checks of what the
// doc says it computes (values worked out by hand in the doc's comments). The last test fails
// if a code block of the doc no longer appears here.
describe('docs/autodiff.md examples', () => {
  it('run as written and compute what the doc says', () => {
    const before = memory().numTensors;
    tidy(() => {
      const f = (x: Tensor) => x.square().sum();
      const df = grad(f)(tensor([1, 2, 3])); // [2, 4, 6]
      expect(values(df)).toEqual([2, 4, 6]);

      const params = { w: tensor([[0.5], [-1]]), b: tensor([0.1]) };
      const inputs = tensor([
        [1, 2],
        [3, 4],
      ]);
      const targets = tensor([[1], [0]]);
      const loss = (p: typeof params, x: Tensor, y: Tensor) => matmul(x, p.w).add(p.b).sub(y).square().mean();
      const [value, gradients] = valueAndGrad(loss)(params, inputs, targets);
      // value 5.76; gradients.w is [[-9.6], [-14.4]] (shaped like params.w), gradients.b is [-4.8]
      expect(value.item()).toBeCloseTo(5.76, 5);
      expect(gradients.w.shape).toEqual([2, 1]);
      close(gradients.w, [-9.6, -14.4]);
      close(gradients.b, [-4.8]);

      const [dParams, dInputs] = grad(loss, { argnums: [0, 1] })(params, inputs, targets);
      const withAux = (p: typeof params) => {
        const predictions = matmul(inputs, p.w).add(p.b);
        return [predictions.sub(targets).square().mean(), { predictions }] as const;
      };
      const [lossValue, grads, aux] = valueAndGrad(withAux, { hasAux: true })(params);
      // aux.predictions is [[-1.4], [-2.4]]
      close(dParams.w, [-9.6, -14.4]);
      // ∂loss/∂x = (x·w + b − y)·wᵀ: each row's error −2.4 times [0.5, −1].
      close(dInputs, [-1.2, 2.4, -1.2, 2.4]);
      expect(lossValue.item()).toBeCloseTo(5.76, 5);
      close(grads.b, [-4.8]);
      close(aux.predictions, [-1.4, -2.4]);

      let current = params;
      for (let step = 0; step < 100; step++) {
        const next = tidy(() => {
          const [, g] = valueAndGrad(loss)(current, inputs, targets);
          return { w: current.w.sub(g.w.mul(0.05)), b: current.b.sub(g.b.mul(0.05)) };
        });
        if (current !== params) dispose(current);
        current = next;
      }
      expect(loss(current, inputs, targets).item()).toBeLessThan(0.1);

      const [stepLoss, stepGradients] = valueAndGrad(loss)(params, inputs, targets);
      stepLoss.dispose();
      dispose(stepGradients);

      const [y, pullBack] = vjp((x: Tensor) => x.exp(), tensor([0, 1]));
      const [dx] = pullBack(tensor([1, 2])); // [1·e⁰, 2·e¹]
      close(y, [1, Math.E]);
      close(dx, [1, 2 * Math.E]);

      const J = jacobian((x: Tensor) => x.square().mul(x.sum()))(tensor([1, 2]));
      // J[i][j] = ∂(xᵢ²·Σx)/∂xⱼ = 2xᵢ·Σx·δᵢⱼ + xᵢ², here [[7, 1], [4, 16]]
      expect(J.shape).toEqual([2, 2]);
      expect(values(J)).toEqual([7, 1, 4, 16]);

      const cube = (x: Tensor) => x.pow(3).sum();
      const second = grad((x: Tensor) => grad(cube)(x).sum())(tensor([2])); // 6x = [12]
      const hv = hvp(cube, tensor([1, 2]), tensor([1, 1])); // diag(6x)·v = [6, 12]
      expect(values(second)).toEqual([12]);
      expect(values(hv)).toEqual([6, 12]);

      const clipGradient = customGrad(
        (x: Tensor) => x.mul(1),
        (g: Tensor) => g.clip(-1, 1),
        { name: 'clipGradient' },
      );
      const clipped = grad((x: Tensor) => clipGradient(x).mul(10).sum())(tensor([3])); // [1], not [10]
      expect(values(clipped)).toEqual([1]);

      // ∂/∂v Σ(v − stop(0.9·v))² = 2·(v − 0.9·v) = 0.2·v
      const semiGradient = grad((v: Tensor) =>
        v
          .sub(stopGradient(v.mul(0.9)))
          .square()
          .sum(),
      )(tensor([1, 1]));
      const evaluation = noGrad(() => loss(params, inputs, targets));
      close(semiGradient, [0.2, 0.2]);
      expect(evaluation.item()).toBeCloseTo(5.76, 5);

      const w = tensor([[0.5], [-1]]).requiresGrad_();
      const b = tensor([0.1]).requiresGrad_();
      tidy(() => {
        const lossValue = matmul(inputs, w).add(b).sub(targets).square().mean();
        lossValue.backward();
      });
      // w.grad is [[-9.6], [-14.4]], b.grad is [-4.8]; a second backward would add to them
      close(w.grad!, [-9.6, -14.4]);
      close(b.grad!, [-4.8]);
      zeroGrad([w, b]);
      expect(w.grad).toBeNull();
      w.requiresGrad_(false);
      b.requiresGrad_(false);

      const report = checkGrad((x: Tensor, y: Tensor) => x.mul(y).tanh().sum(), [tensor([0.5, -1]), tensor([2, 0.3])]);
      // report.ok is true; report.worst names the argument, index, analytic and numeric values
      expect(report.ok).toBe(true);
      expect(report.checked).toBe(4);
    });
    expect(memory().numTensors).toBe(before);
  });

  it('contains every code block of docs/autodiff.md', () => {
    const documentation = readFileSync(new URL('../../../docs/autodiff.md', import.meta.url), 'utf8');
    const { blocks, missing } = findUndocumentedExamples(
      documentation,
      readFileSync(new URL(import.meta.url), 'utf8'),
      { skipImports: true },
    );
    expect(blocks).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});
