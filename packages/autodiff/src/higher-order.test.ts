import { describe, expect, it } from 'vitest';
import {
  add,
  cos,
  exp,
  logsumexp,
  matmul,
  mul,
  pow,
  sin,
  softmax,
  square,
  sum,
  tensor,
  tidy,
  transpose,
  type Tensor,
} from '@vane/tensor';
import { grad, hvp } from './index.js';

const values = (t: Tensor) => Array.from(t.dataSync());
const close = (actual: Tensor, expected: number[], tolerance = 1e-12) => {
  const got = values(actual);
  expect(got.length).toBe(expected.length);
  got.forEach((value, index) =>
    expect(Math.abs(value - expected[index]!)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected[index]!))),
  );
};
const f64 = (data: number[] | number[][] | number) => tensor(data, { dtype: 'float64' });

// Closed forms are evaluated in float64; the tolerance 1e-12 (relative, floored at 1) allows a
// few dozen roundings in the tape's arithmetic and nothing more.
describe('higher-order derivatives against closed forms', () => {
  it('d²/dx² sin x = −sin x and d³/dx³ x³ = 6', () => {
    tidy(() => {
      const points = [-1.2, 0.3, 2.5];
      const second = grad((x: Tensor) => sum(grad((y: Tensor) => sum(sin(y)))(x)))(f64(points));
      close(
        second,
        points.map((p) => -Math.sin(p)),
      );
      const cube = (x: Tensor) => sum(pow(x, 3));
      const third = grad((x: Tensor) => sum(grad((y: Tensor) => sum(grad(cube)(y)))(x)))(f64([-2, 0.5]));
      close(third, [6, 6]);
    });
  });

  it('d²/dx² exp(x²) = (2 + 4x²)·exp(x²)', () => {
    tidy(() => {
      const points = [-0.7, 0, 1.1];
      const f = (x: Tensor) => sum(exp(square(x)));
      close(
        grad((x: Tensor) => sum(grad(f)(x)))(f64(points)),
        points.map((p) => (2 + 4 * p * p) * Math.exp(p * p)),
      );
    });
  });

  it('is free of perturbation confusion: d/dx [x · d/dy (x + y)] = 1', () => {
    tidy(() => {
      // Siskind & Pearlmutter's example: the inner derivative is 1 whatever x is, so the outer
      // one is 1; mixing up the two differentiations would give 2.
      const outer = grad((x: Tensor) => sum(mul(x, grad((y: Tensor) => sum(add(x, y)))(f64(1)))));
      close(outer(f64(1)), [1]);
      // The same with both differentiations taken at the very same tensor.
      const x = f64(3);
      close(grad((u: Tensor) => sum(mul(u, grad((v: Tensor) => sum(mul(u, v)))(u))))(x), [6]);
    });
  });

  it('hvp of ½xᵀAx is ½(A + Aᵀ)v', () => {
    tidy(() => {
      const a = f64([
        [2, 1, 0],
        [3, 4, -1],
        [0.5, 0, 1],
      ]);
      const f = (x: Tensor) => mul(sum(mul(x, matmul(a, x))), 0.5);
      const v = [1, -2, 0.5];
      const symmetric = [
        [2, 2, 0.25],
        [2, 4, -0.5],
        [0.25, -0.5, 1],
      ];
      close(
        hvp(f, f64([0.3, -0.1, 2]), f64(v)),
        symmetric.map((row) => row.reduce((total, entry, j) => total + entry * v[j]!, 0)),
      );
    });
  });

  it('hvp of logsumexp is p⊙v − p(pᵀv) with p = softmax(x)', () => {
    tidy(() => {
      const x = [0.2, -1, 1.5, 0];
      const v = [1, 2, -1, 0.5];
      const p = values(softmax(f64(x)));
      const pv = p.reduce((total, pi, i) => total + pi * v[i]!, 0);
      close(
        hvp((t: Tensor) => logsumexp(t), f64(x), f64(v)),
        p.map((pi, i) => pi * v[i]! - pi * pv),
      );
    });
  });

  it('hvp of a tree-valued argument', () => {
    tidy(() => {
      // f(w, b) = Σ cos(w)·b²: ∂²f/∂w² = −cos(w) b², ∂²f/∂w∂b = −2 sin(w) b, ∂²f/∂b² = 2 cos(w).
      const f = (p: { w: Tensor; b: Tensor }) => sum(mul(cos(p.w), square(p.b)));
      const [w, b, vw, vb] = [0.4, -1.3, 1, 2];
      const result = hvp(f, { w: f64([w]), b: f64([b]) }, { w: f64([vw]), b: f64([vb]) });
      close(result.w, [-Math.cos(w) * b * b * vw - 2 * Math.sin(w) * b * vb]);
      close(result.b, [-2 * Math.sin(w) * b * vw + 2 * Math.cos(w) * vb]);
    });
  });

  it('grad(grad(f)) of a bilinear form through matmul and transpose is constant', () => {
    tidy(() => {
      const m = f64([
        [1, 2],
        [3, 4],
      ]);
      // f(x) = xᵀMx, ∇f = (M + Mᵀ)x, and d/dx Σ∇f = (M + Mᵀ)ᵀ·1 = row sums of M + Mᵀ.
      const f = (x: Tensor) => sum(mul(x, matmul(m, x)));
      const result = grad((x: Tensor) => sum(grad(f)(x)))(f64([0.7, -0.2]));
      const both = values(add(m, transpose(m)));
      close(result, [both[0]! + both[2]!, both[1]! + both[3]!]);
    });
  });
});
