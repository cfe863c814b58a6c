/**
 * Optimizers PyTorch does not have, checked against their papers' algorithms. Each expected
 * value is derived here from the paper's update rule in plain arithmetic (derivations in the
 * comments, first steps also as literal numbers), independently of the implementation.
 */
import { tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { trajectory, valuesOf, vector } from '../test-support/run.js';
import { adabelief } from './adabelief.js';
import { adafactor } from './adafactor.js';
import { lamb } from './lamb.js';
import { lars } from './lars.js';
import { lion } from './lion.js';
import { signSgd, signum } from './sign-sgd.js';

const close = (actual: number[], expected: number[], tolerance = 1e-12) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, index) =>
    expect(Math.abs(value - expected[index]!)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected[index]!))),
  );
};
const norm = (values: number[]) => Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));

describe('AdaBelief (Zhuang et al. 2020, Algorithm 2)', () => {
  it('follows m_t, s_t = β₂s + (1−β₂)(g − m_t)² + ε and θ −= η m̂/(√ŝ + ε) for three steps', () => {
    const [beta1, beta2, eps, lr] = [0.9, 0.999, 1e-8, 0.1];
    const gradients = [
      [0.5, -1],
      [-0.25, 0.5],
      [0, 0],
    ];
    const { params } = trajectory(
      adabelief({ lr, eps }),
      { w: vector([1, -2]) },
      gradients.map((g) => ({ w: vector(g) })),
    );
    // Step 1 by hand: m₁ = 0.1g = [0.05, −0.1]; g − m₁ = [0.45, −0.9];
    // s₁ = 0.001·[0.2025, 0.81] + ε; m̂ = m₁/0.1 = [0.5, −1]; ŝ = s₁/0.001 ≈ [0.2025, 0.81];
    // √ŝ ≈ [0.45, 0.9] (ε/0.001 = 1e-5 inside the root shifts them by ≈ 1e-5), so the step is
    // ≈ 0.1·[1.1111, −1.1111] and θ₁ ≈ [0.88889, −1.88889].
    close(valuesOf(params[0]!.w), [0.88889, -1.88889], 1e-5);
    let [m, s, theta] = [
      [0, 0],
      [0, 0],
      [1, -2],
    ];
    gradients.forEach((g, index) => {
      const t = index + 1;
      m = m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]!);
      s = s.map((si, i) => beta2 * si + (1 - beta2) * (g[i]! - m[i]!) ** 2 + eps);
      theta = theta.map(
        (ti, i) => ti - (lr * (m[i]! / (1 - beta1 ** t))) / (Math.sqrt(s[i]! / (1 - beta2 ** t)) + eps),
      );
      close(valuesOf(params[index]!.w), theta);
    });
  });
});

describe('Lion (Chen et al. 2023, Program 1)', () => {
  it('steps by sign(β₁m + (1−β₁)g) plus decoupled decay, and the momentum decays with β₂', () => {
    const { params } = trajectory(
      lion({ lr: 0.1, betas: [0.9, 0.99], weightDecay: 0.1 }),
      { w: vector([1, -2, 0.5]) },
      [{ w: vector([0.5, -1, 0]) }, { w: vector([-0.01, 0.02, 0.3]) }],
    );
    // Step 1: c = 0.1g = [0.05, −0.1, 0] → sign [1, −1, 0];
    // θ₁ = θ₀ − 0.1(sign + 0.1θ₀) = [1 − 0.11, −2 + 0.12, 0.5 − 0.005] = [0.89, −1.88, 0.495].
    close(valuesOf(params[0]!.w), [0.89, -1.88, 0.495]);
    // m₁ = 0.01g₁ = [0.005, −0.01, 0]. Step 2: c = 0.9m₁ + 0.1g₂ = [0.0035, −0.007, 0.03]: the
    // momentum outvotes g₂'s flipped sign in the first two entries → sign [1, −1, 1];
    // θ₂ = θ₁ − 0.1(sign + 0.1θ₁) = [0.89 − 0.1089, −1.88 + 0.1188, 0.495 − 0.10495].
    close(valuesOf(params[1]!.w), [0.7811, -1.7612, 0.39005]);
  });
});

describe('signSGD and Signum (Bernstein et al. 2018, Algorithms 1 and 3)', () => {
  it('signSGD steps by η·sign(g), and not at all where g = 0', () => {
    const { params } = trajectory(signSgd({ lr: 0.1 }), { w: vector([1, -1, 0.5]) }, [{ w: vector([3, -1e-9, 0]) }]);
    close(valuesOf(params[0]!.w), [0.9, -0.9, 0.5]);
  });

  it('Signum steps by η·sign(m) with m = βm + (1−β)g', () => {
    const { params } = trajectory(signum({ lr: 0.1, momentum: 0.9 }), { w: vector([1, -1]) }, [
      { w: vector([0.2, -0.3]) },
      { w: vector([-0.1, 0.25]) },
      { w: vector([-0.1, 0.1]) },
    ]);
    // m₁ = [0.02, −0.03] → θ₁ = [0.9, −0.9].
    close(valuesOf(params[0]!.w), [0.9, -0.9]);
    // m₂ = 0.9m₁ + 0.1g₂ = [0.008, −0.002]: same signs although g₂ flipped → θ₂ = [0.8, −0.8].
    close(valuesOf(params[1]!.w), [0.8, -0.8]);
    // m₃ = 0.9m₂ + 0.1g₃ = [−0.0028, 0.0082]: now both flip → θ₃ = [0.9, −0.9].
    close(valuesOf(params[2]!.w), [0.9, -0.9]);
  });
});

describe('LAMB (You et al. 2020, Algorithm 2 with φ = identity)', () => {
  it('scales r + λθ by ‖θ‖/‖r + λθ‖ per tensor, and by 1 for a zero tensor', () => {
    const [eps, lr, decay] = [1e-6, 0.1, 0.1];
    const { params } = trajectory(lamb({ lr, eps, weightDecay: decay }), { w: vector([3, 4]), b: vector([0, 0]) }, [
      { w: vector([1, -2]), b: vector([0.5, 0.5]) },
    ]);
    // m₁ = 0.1g, v₁ = 0.001g², so m̂ = g = [1, −2], √v̂ = |g| = [1, 2]: r = g/(|g| + ε) ≈ [1, −1].
    const r = [1 / (1 + eps), -2 / (2 + eps)];
    // d = r + 0.1θ ≈ [1.3, −0.6]; ‖θ‖ = 5, ‖d‖ ≈ √2.05 ≈ 1.4318, ratio ≈ 3.4922.
    const d = [r[0]! + decay * 3, r[1]! + decay * 4];
    const ratio = 5 / norm(d);
    close(valuesOf(params[0]!.w), [3 - lr * ratio * d[0]!, 4 - lr * ratio * d[1]!]);
    close(valuesOf(params[0]!.w), [2.546, 4.2095], 1e-4);
    // The bias is all zeros: ‖θ‖ = 0, so the ratio is 1 and the step is η·r with
    // r = m̂/(√v̂ + ε) = 0.5/(0.5 + ε) (t = 1: m̂ = g, √v̂ = |g| for any β₁, β₂).
    close(valuesOf(params[0]!.b), [(-lr * 0.5) / (0.5 + eps), (-lr * 0.5) / (0.5 + eps)]);
  });
});

describe('LARS (You, Gitman, Ginsburg 2017, Algorithm 1)', () => {
  it('uses λ = η‖w‖/(‖g‖ + β‖w‖), v = m·v + λ(g + βw), w −= γv', () => {
    const [trust, decay, momentum, lr] = [0.001, 0.01, 0.9, 0.1];
    const gradients = [
      [0.6, -0.8],
      [-0.3, 0.4],
    ];
    const { params } = trajectory(
      lars({ lr, momentum, weightDecay: decay, trustCoefficient: trust }),
      { w: vector([3, 4]) },
      gradients.map((g) => ({ w: vector(g) })),
    );
    // Step 1: ‖w‖ = 5, ‖g‖ = 1: λ = 0.001·5/(1 + 0.05) = 0.0047619; g + βw = [0.63, −0.76];
    // v₁ = λ(g + βw) (the buffer starts at the first value); w₁ = w − 0.1v₁.
    close(valuesOf(params[0]!.w), [3 - 0.1 * 0.0047619047619 * 0.63, 4 + 0.1 * 0.0047619047619 * 0.76], 1e-12);
    let w = [3, 4];
    let v = [0, 0];
    gradients.forEach((g, index) => {
      const lambda = (trust * norm(w)) / (norm(g) + decay * norm(w));
      const direction = g.map((gi, i) => lambda * (gi + decay * w[i]!));
      v = index === 0 ? direction : v.map((vi, i) => momentum * vi + direction[i]!);
      w = w.map((wi, i) => wi - lr * v[i]!);
      close(valuesOf(params[index]!.w), w);
    });
  });
});

describe('Adafactor (Shazeer & Stern 2018, Algorithms 4–5, sections 6–8)', () => {
  it('factors a matrix second moment, uses relative steps and the parameter scale', () => {
    const X0 = [
      [1, 2],
      [3, 4],
    ];
    const G = [
      [
        [0.1, -0.2],
        [0.3, 0.4],
      ],
      [
        [-0.5, 0.1],
        [0.2, -0.1],
      ],
    ];
    const { params } = trajectory(
      adafactor(),
      { w: tensor(X0, { dtype: 'float64' }) },
      G.map((g) => ({ w: tensor(g, { dtype: 'float64' }) })),
    );
    // Step 1: β̂₂₁ = 1 − 1^(−0.8) = 0, so R₁ = row sums of G² + ε₁ = [0.05, 0.25] and
    // C₁ = column sums = [0.1, 0.2]; V̂ = R₁C₁/ΣR₁ = [[0.01667, 0.03333], [0.08333, 0.16667]];
    // U = G/√V̂ = [[0.7746, −1.0954], [1.0392, 0.9798]]; RMS(U) = √0.96 < 1 (no clipping);
    // α₁ = max(ε₂, RMS(X₀))·min(10⁻², 1/√1) = √7.5·0.01 = 0.027386.
    close(
      valuesOf(params[0]!.w),
      [1 - 0.027386 * 0.7746, 2 + 0.027386 * 1.0954, 3 - 0.027386 * 1.0392, 4 - 0.027386 * 0.9798],
      1e-4,
    );
    const eps1 = 1e-30;
    let X = X0.map((row) => [...row]);
    let R = [0, 0];
    let C = [0, 0];
    G.forEach((g, index) => {
      const t = index + 1;
      const beta = 1 - t ** -0.8;
      const squared = g.map((row) => row.map((value) => value * value + eps1));
      R = R.map((ri, i) => beta * ri + (1 - beta) * (squared[i]![0]! + squared[i]![1]!));
      C = C.map((cj, j) => beta * cj + (1 - beta) * (squared[0]![j]! + squared[1]![j]!));
      const rowSum = R[0]! + R[1]!;
      const U = g.map((row, i) => row.map((value, j) => value / Math.sqrt((R[i]! * C[j]!) / rowSum)));
      const rmsU = Math.sqrt(U.flat().reduce((sum, value) => sum + value * value, 0) / 4);
      const clipped = U.map((row) => row.map((value) => value / Math.max(1, rmsU / 1)));
      const rmsX = Math.sqrt(X.flat().reduce((sum, value) => sum + value * value, 0) / 4);
      const alpha = Math.max(1e-3, rmsX) * Math.min(1e-2, 1 / Math.sqrt(t));
      X = X.map((row, i) => row.map((value, j) => value - alpha * clipped[i]![j]!));
      close(valuesOf(params[index]!.w), X.flat(), 1e-12);
    });
  });

  it('keeps a full second moment for vectors and clips updates whose RMS exceeds d', () => {
    const { params } = trajectory(
      adafactor({ lr: 0.1, clipThreshold: 0.5, multiplyByParameterScale: false }),
      { b: vector([1, -1, 0]) },
      [{ b: vector([2, -0.5, 0]) }],
    );
    // V₁ = g² + ε₁ (β̂ = 0), U = g/√V₁ = [1, −1, 0] (ε₁ = 1e-30 makes the zero entry 0);
    // RMS(U) = √(2/3) = 0.8165 > d = 0.5, so Û = U/(0.8165/0.5) = U·0.61237; θ₁ = θ₀ − 0.1Û.
    const factor = 0.5 / Math.sqrt(2 / 3);
    close(valuesOf(params[0]!.b), [1 - 0.1 * factor, -1 + 0.1 * factor, 0]);
  });
});
