/**
 * The browser half of the conformance suite: bundled with @vane/tensor and @vane/gpu by
 * browser.test.ts, run in headless Chromium, and reported through `window.vaneResult`.
 */
import {
  argmax,
  argmin,
  conv2d,
  cumprod,
  cumsum,
  matmul,
  maxPool2d,
  setBackend,
  sum,
  tensor,
  tidy,
} from '@vane/tensor';
import { gpuInfo, gpuTextureCount } from '../../src/index.js';
import { productBlockRows } from '../../src/packed-matmul.js';

interface Check {
  readonly name: string;
  readonly actual: number[];
  readonly expected: number[];
}

function run(): unknown {
  const info = gpuInfo();
  setBackend('gpu');
  const checks: Check[] = [];
  const texturesBefore = gpuTextureCount();
  tidy(() => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    checks.push({ name: 'matmul', actual: Array.from(matmul(a, b).dataSync()), expected: [58, 64, 139, 154] });
    checks.push({ name: 'exp', actual: Array.from(tensor([0, 1]).exp().dataSync()), expected: [1, Math.E] });
    checks.push({
      name: 'sigmoid',
      actual: Array.from(tensor([0, 2]).sigmoid().dataSync()),
      expected: [0.5, 1 / (1 + Math.exp(-2))],
    });
    checks.push({ name: 'sum over axis 1', actual: Array.from(sum(a, 1).dataSync()), expected: [6, 15] });
    const image = tensor([
      [
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
      ],
    ]);
    const ones = tensor([
      [
        [
          [1, 1],
          [1, 1],
        ],
      ],
    ]);
    checks.push({ name: 'conv2d', actual: Array.from(conv2d(image, ones).dataSync()), expected: [12, 16, 24, 28] });
    checks.push({
      name: 'maxPool2d',
      actual: Array.from(maxPool2d(image, 2, { stride: 1 }).dataSync()),
      expected: [5, 6, 8, 9],
    });
    checks.push({
      name: 'broadcast add',
      actual: Array.from(a.add(tensor([10, 20, 30])).dataSync()),
      expected: [11, 22, 33, 14, 25, 36],
    });
    // The direct 2-D fetch (matmul) and the same-texel fetch (aligned elementwise inputs) are
    // GLSL native functions with a WebGL2 variant: checked on shapes that take those paths.
    const left = Array.from({ length: 5 }, (_, row) =>
      Array.from({ length: 7 }, (_, column) => ((row * 7 + column) % 5) - 2),
    );
    const right = Array.from({ length: 7 }, (_, row) =>
      Array.from({ length: 6 }, (_, column) => ((row * 3 + column) % 7) - 3),
    );
    const product = left.flatMap((row) =>
      right[0]!.map((_, column) => row.reduce((total, value, k) => total + value * right[k]![column]!, 0)),
    );
    checks.push({
      name: 'matmul 5x7 @ 7x6 (direct 2-D fetch)',
      actual: Array.from(matmul(tensor(left), tensor(right)).dataSync()),
      expected: product,
    });
    // An 8×4-block product (19 rows: three rows of blocks, eight row textures) consumed by one
    // chain over 13 textures (the product's eight and five operands), against the cpu backend.
    const operands = [0, 1, 2, 3, 4].map((seed) =>
      Float32Array.from({ length: 19 * 10 }, (_, index) => (((index + 7 * seed) * 11) % 9) / 4 - 1),
    );
    const chain = (backend: 'cpu' | 'gpu') => {
      const [bias, scale, shift, other, last] = operands.map((data) => tensor(data, { shape: [19, 10], backend }));
      const leftMatrix = Float32Array.from({ length: 19 * 12 }, (_, index) => ((index * 5) % 7) / 3 - 1);
      const rightMatrix = Float32Array.from({ length: 12 * 10 }, (_, index) => ((index * 3) % 11) / 5 - 1);
      const z = matmul(
        tensor(leftMatrix, { shape: [19, 12], backend }),
        tensor(rightMatrix, { shape: [12, 10], backend }),
      );
      return z.add(bias!).relu().mul(scale!).add(shift!).sub(other!.mul(last!));
    };
    checks.push({ name: '8x4 blocks for 19 rows', actual: [productBlockRows(1, 19)], expected: [8] });
    checks.push({
      name: '8x4-block product in a chain over 13 textures',
      actual: Array.from(chain('gpu').dataSync()),
      expected: Array.from(chain('cpu').dataSync()),
    });
    const values = tensor([1, 2, 3, 4, 5, 6, 7]);
    checks.push({
      name: 'aligned chain x*x - x',
      actual: Array.from(values.mul(values).sub(values).dataSync()),
      expected: [0, 2, 6, 12, 20, 30, 42],
    });
    // argmax/argmin trees and the cumsum/cumprod scan in GLSL ES 3.00, against the cpu backend
    // in the same page: long axes, ties across pieces, NaN (the first NaN wins, as on the cpu).
    const length = 70_000;
    const runs = Float32Array.from({ length: 3 * length }, (_, index) => (index * 7) % 5);
    runs[300] = NaN;
    runs[length + 69_000] = NaN;
    runs[length + 69_500] = NaN;
    for (const [name, reduce] of [
      ['argmax', argmax],
      ['argmin', argmin],
    ] as const) {
      checks.push({
        name: `${name} [3, 70000] with ties and NaN`,
        actual: Array.from(reduce(tensor(runs, { shape: [3, length] }), 1).dataSync()),
        expected: Array.from(reduce(tensor(runs, { shape: [3, length], backend: 'cpu' }), 1).dataSync()),
      });
    }
    const integers = Float32Array.from({ length: 100_003 }, (_, index) => ((index * 13) % 7) - 3);
    checks.push({
      name: 'cumsum of 100003 small integers (exact in float32)',
      actual: Array.from(cumsum(tensor(integers), 0).dataSync()),
      expected: Array.from(cumsum(tensor(integers, { backend: 'cpu' }), 0).dataSync()),
    });
    const nearOne = Float32Array.from({ length: 2 * 600 }, (_, index) => 1 + ((index % 9) - 4) / 4096);
    checks.push({
      name: 'cumprod [600, 2] over the first axis',
      actual: Array.from(cumprod(tensor(nearOne, { shape: [600, 2] }), 0).dataSync()),
      expected: Array.from(cumprod(tensor(nearOne, { shape: [600, 2], backend: 'cpu' }), 0).dataSync()),
    });
  });
  setBackend('cpu');
  return { info, checks, leakedTextures: gpuTextureCount() - texturesBefore };
}

const target = globalThis as { vaneResult?: unknown };
try {
  target.vaneResult = { ok: true, ...(run() as object) };
} catch (error) {
  target.vaneResult = { ok: false, error: String((error as Error).stack ?? error) };
}
