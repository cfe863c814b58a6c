import { describe, expect, it } from 'vitest';
import { matmul, seed } from '@vane/tensor';
import { calculateGain, computeFans } from './fan.js';
import { kaimingNormal, kaimingUniform, orthogonal, xavierNormal, xavierUniform, zeros } from './initializers.js';

function moments(values: ArrayLike<number>): { mean: number; variance: number; maxAbs: number } {
  let total = 0;
  let squares = 0;
  let maxAbs = 0;
  for (let index = 0; index < values.length; index += 1) {
    total += values[index]!;
    squares += values[index]! ** 2;
    maxAbs = Math.max(maxAbs, Math.abs(values[index]!));
  }
  const mean = total / values.length;
  return { mean, variance: squares / values.length - mean * mean, maxAbs };
}

// 40,000 samples estimate a variance to ±1.5% (one standard error ≈ 0.7%); we allow 5%.
const SHAPE = [200, 50, 2, 2];
const [FAN_IN, FAN_OUT] = [200, 800];

describe('initializers (torch.nn.init semantics)', () => {
  it('computes fans and gains as PyTorch', () => {
    expect(computeFans([16, 3, 5, 5])).toEqual([75, 400]);
    expect(calculateGain('leakyRelu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(2 / 6), 12);
    expect(calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(() => computeFans([3])).toThrow(
      'computeFans: fan in and fan out need a shape with at least 2 dimensions, got [3]',
    );
  });

  it('kaimingUniform: U(±√(6/fanIn)) for ReLU', () => {
    const bound = Math.sqrt(6 / FAN_IN);
    const stats = moments(kaimingUniform(SHAPE, { nonlinearity: 'relu', generator: seed(1) }).dataSync());
    expect(stats.maxAbs).toBeLessThanOrEqual(bound);
    expect(stats.variance / (bound ** 2 / 3)).toBeCloseTo(1, 1);
  });

  it('kaimingNormal fanOut, xavier uniform and normal', () => {
    expect(
      moments(kaimingNormal(SHAPE, { nonlinearity: 'relu', mode: 'fanOut', generator: seed(2) }).dataSync()).variance /
        (2 / FAN_OUT),
    ).toBeCloseTo(1, 1);
    const xavierBound = Math.sqrt(6 / (FAN_IN + FAN_OUT));
    const uniformStats = moments(xavierUniform(SHAPE, { generator: seed(3) }).dataSync());
    expect(uniformStats.maxAbs).toBeLessThanOrEqual(xavierBound);
    expect(uniformStats.variance / (xavierBound ** 2 / 3)).toBeCloseTo(1, 1);
    expect(
      moments(xavierNormal(SHAPE, { gain: 2, generator: seed(4) }).dataSync()).variance /
        ((4 * 2) / (FAN_IN + FAN_OUT)),
    ).toBeCloseTo(1, 1);
  });

  it('orthogonal gives orthonormal rows or columns, times the gain', () => {
    for (const shape of [
      [4, 4],
      [3, 7],
      [7, 3],
    ]) {
      const q = orthogonal(shape, { generator: seed(5), dtype: 'float64', gain: 2 });
      const [rows, columns] = shape as [number, number];
      const gram = rows <= columns ? matmul(q, q.T) : matmul(q.T, q);
      const size = Math.min(rows, columns);
      const values = gram.dataSync();
      for (let i = 0; i < size; i += 1)
        for (let j = 0; j < size; j += 1) expect(values[i * size + j]).toBeCloseTo(i === j ? 4 : 0, 10);
    }
  });

  it('zeros and seeding', () => {
    expect(Array.from(zeros([3]).dataSync())).toEqual([0, 0, 0]);
    expect(Array.from(xavierUniform([3, 3], { generator: seed(9) }).dataSync())).toEqual(
      Array.from(xavierUniform([3, 3], { generator: seed(9) }).dataSync()),
    );
  });
});
