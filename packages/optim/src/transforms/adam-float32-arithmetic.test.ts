/**
 * AdamW on float32 leaves computes with float32 arithmetic: every operation and scalar rounded
 * to float32, as PyTorch computes on float32 tensors. Checked bit for bit (parameters and both
 * moments; the moments show a rounding the parameters absorb) against that
 * arithmetic written out with Math.fround, on WebAssembly SIMD (f32x4 lanes) and on the
 * JavaScript loop, through `update` + `applyUpdates` and `updateAndApply`; float64 leaves keep
 * float64 arithmetic.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dispose, setKernelMode, tensor, type Tensor } from '@vane/tensor';
import { applyUpdates } from '../apply-updates.js';
import { adamw } from '../optimizers/adamw.js';
import { updateAndApply } from '../update-and-apply.js';

afterEach(() => setKernelMode('simd'));

const f = Math.fround;
const [LR, DECAY, BETA1, BETA2, EPS] = [1e-2, 0.1, 0.9, 0.999, 1e-8];
const SIZE = 37;
const STEPS = 4;

/** The parameters and moments after each step, with float32 arithmetic written out per element. */
function reference(params: Float32Array, gradients: Float32Array[]): Float32Array[][] {
  const p = Float32Array.from(params);
  const m = new Float32Array(SIZE);
  const v = new Float32Array(SIZE);
  const [a, b] = [-LR, -LR * DECAY];
  return gradients.map((g, step) => {
    const t = step + 1;
    const [c1, c2] = [1 / (1 - BETA1 ** t), 1 / Math.sqrt(1 - BETA2 ** t)];
    for (let i = 0; i < SIZE; i++) {
      m[i] = f(f(f(BETA1) * m[i]!) + f(f(1 - BETA1) * g[i]!));
      v[i] = f(f(f(BETA2) * v[i]!) + f(f(f(1 - BETA2) * g[i]!) * g[i]!));
      const direction = f(f(m[i]! * f(c1)) / f(f(f(Math.sqrt(v[i]!)) * f(c2)) + f(EPS)));
      const update = f(f(f(a) * direction) + f(f(b) * p[i]!));
      p[i] = f(p[i]! + update);
    }
    return [Float32Array.from(p), Float32Array.from(m), Float32Array.from(v)];
  });
}

/** Deterministic numbers in [0, 1) (mulberry32), so that a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bits(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

describe('AdamW with float32 arithmetic on float32 leaves', () => {
  const next = random(11);
  const initial = Float32Array.from({ length: SIZE }, () => next() * 4 - 2);
  const gradients = Array.from({ length: STEPS }, () =>
    Float32Array.from({ length: SIZE }, (_, index) => (index % 9 === 0 ? 0 : (next() - 0.5) * 10 ** (next() * 6 - 4))),
  );
  const expected = reference(initial, gradients);

  it.each([
    ['WebAssembly SIMD', 'simd', false],
    ['WebAssembly SIMD, updateAndApply', 'simd', true],
    ['the JavaScript loop', 'scalar', false],
    ['the JavaScript loop, updateAndApply', 'scalar', true],
  ] as const)('equals Math.fround per operation bit for bit on %s', (_label, mode, together) => {
    setKernelMode(mode);
    const optimizer = adamw({ lr: LR, weightDecay: DECAY, betas: [BETA1, BETA2], eps: EPS });
    let params: { w: Tensor } = { w: tensor(initial) };
    let state = optimizer.init(params);
    gradients.forEach((values, step) => {
      const grads = { w: tensor(values) };
      if (together) [params, state] = updateAndApply(optimizer, grads, state, params) as [{ w: Tensor }, typeof state];
      else {
        const [updates, nextState] = optimizer.update(grads, state, params);
        params = applyUpdates(params, updates) as { w: Tensor };
        state = nextState;
        dispose(Object.values(updates as Record<string, Tensor>));
      }
      const [p, m, v] = expected[step]!;
      const { adam } = state as unknown as { adam: { firstMoment: { w: Tensor }; secondMoment: { w: Tensor } } };
      expect(bits(params.w.dataSync() as Float32Array), `p, step ${step + 1}`).toEqual(bits(p!));
      expect(bits(adam.firstMoment.w.dataSync() as Float32Array), `m, step ${step + 1}`).toEqual(bits(m!));
      expect(bits(adam.secondMoment.w.dataSync() as Float32Array), `v, step ${step + 1}`).toEqual(bits(v!));
    });
  });

  it('keeps float64 arithmetic on float64 leaves (rounded once, not per operation)', () => {
    const optimizer = adamw({ lr: LR, weightDecay: DECAY, betas: [BETA1, BETA2], eps: EPS });
    const params = { w: tensor(Array.from(initial), { dtype: 'float64' }) };
    const grads = { w: tensor(Array.from(gradients[0]!), { dtype: 'float64' }) };
    const [updated] = updateAndApply(optimizer, grads, optimizer.init(params), params) as [{ w: Tensor }, unknown];
    const values = updated.w.dataSync() as Float64Array;
    const [c1, c2] = [1 / (1 - BETA1), 1 / Math.sqrt(1 - BETA2)];
    initial.forEach((p, i) => {
      const g = gradients[0]![i]!;
      const m = BETA1 * 0 + (1 - BETA1) * g;
      const v = BETA2 * 0 + (1 - BETA2) * g * g;
      const direction = (m * c1) / (Math.sqrt(v) * c2 + EPS);
      expect(values[i]).toBeCloseTo(p - LR * direction - LR * DECAY * p, 15);
    });
  });
});
