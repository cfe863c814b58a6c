// Runs every example of docs/tensor.md. The code of every line of the guide's examples (without
// its comment and final semicolon) must appear in this file (checked below), so the guide
// cannot drift from code that runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  add,
  arange,
  conv2d,
  eye,
  fromNdarray,
  greater,
  linspace,
  logsumexp,
  matmul,
  max,
  maxPool2d,
  mean,
  memory,
  ones,
  rand,
  randint,
  randn,
  reshape,
  seed,
  slice,
  softmax,
  sum,
  tensor,
  tidy,
  toNdarray,
  tree,
  variance,
  where,
  zeros,
  type Tensor,
} from './index.js';

const guide = readFileSync(new URL('../../../docs/tensor.md', import.meta.url), 'utf8');
const source = readFileSync(new URL(import.meta.url), 'utf8');

describe('docs/tensor.md', () => {
  it('every code block appears in this test file', () => {
    const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!.trimEnd());
    expect(blocks.length).toBeGreaterThan(8);
    // Compared without comments, whitespace and trailing commas: prettier may wrap a line of the
    // guide over several lines here.
    const withoutLayout = (text: string) =>
      text
        .split('\n')
        .map((line) => line.replace(/\s*\/\/.*$/, ''))
        .join('')
        .replace(/\s+/g, '')
        .replace(/,([)\]}])/g, '$1');
    const code = withoutLayout(source);
    for (const block of blocks) {
      for (const line of block.split('\n')) {
        const statement = withoutLayout(line).replace(/;$/, '');
        if (statement) expect(code).toContain(statement);
      }
    }
  });

  it('creating tensors', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]); // float32, shape [2, 3]
    const b = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
    const mask = tensor([true, false, true]); // bool
    const counts = arange(5); // int32 [0, 1, 2, 3, 4]
    const grid = linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
    const identity = eye(3);
    expect([a.dtype, a.shape]).toEqual(['float32', [2, 3]]);
    expect(b.dtype).toBe('float64');
    expect(mask.toArray()).toEqual([true, false, true]);
    expect([counts.dtype, counts.toArray()]).toEqual(['int32', [0, 1, 2, 3, 4]]);
    expect(grid.toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(identity.toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  it('seeded randomness', () => {
    const generator = seed(42);
    const weights = randn([3, 4], { generator });
    const noise = rand([3, 4], { generator, low: -1, high: 1 });
    const labels = randint(0, 10, [8], { generator });
    expect(Array.from(randn([3, 4], { generator: seed(42) }).dataSync())).toEqual(Array.from(weights.dataSync()));
    expect(Array.from(noise.dataSync()).every((value) => value >= -1 && value < 1)).toBe(true);
    expect(Array.from(labels.dataSync()).every((value) => Number.isInteger(value) && value >= 0 && value < 10)).toBe(
      true,
    );
  });

  it('elementwise ops and broadcasting', () => {
    const column = tensor([[1], [2]]); // [2, 1]
    const row = tensor([10, 20, 30]); // [3]
    const table = add(column, row); // [2, 3]: [[11, 21, 31], [12, 22, 32]]
    const scaled = table.mul(0.5).sub(1); // scalars work wherever a tensor does
    const positive = where(greater(scaled, 10), scaled, 0);
    expect(table.toArray()).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
    expect(positive.toArray()).toEqual([
      [0, 0, 14.5],
      [0, 0, 15],
    ]);
  });

  it('reductions', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(sum(x).item()).toBe(10);
    expect(mean(x, 0).toArray()).toEqual([2, 3]);
    expect(max(x, 1, true).shape).toEqual([2, 1]);
    expect(variance(tensor([1, 2, 3, 4])).item()).toBeCloseTo(5 / 3, 5);
    expect(variance(tensor([1, 2, 3, 4]), undefined, { correction: 0 }).item()).toBeCloseTo(1.25, 6);
    // float32 spacing at 1e4 is ~0.001, so compare to 2 decimals against 1e4 + ln 2.
    expect(logsumexp(tensor([10000, 10000])).item()).toBeCloseTo(10000 + Math.log(2), 2);
  });

  it('views', () => {
    const m = arange(12).reshape([3, -1]); // [3, 4], a view
    const t = m.T; // [4, 3], a view with swapped strides
    const inner = slice(m, [{ start: 1 }, { start: 1, stop: -1 }]); // m[1:, 1:-1]
    const reversed = slice(m, [null, { step: -1 }]); // m[:, ::-1]
    const row0 = slice(m, [0]); // m[0], shape [4]
    expect(t.shape).toEqual([4, 3]);
    expect(t.storage).toBe(m.storage);
    expect(inner.toArray()).toEqual([
      [5, 6],
      [9, 10],
    ]);
    expect(reversed.toArray()).toEqual([
      [3, 2, 1, 0],
      [7, 6, 5, 4],
      [11, 10, 9, 8],
    ]);
    expect(row0.toArray()).toEqual([0, 1, 2, 3]);
  });

  it('matrix products and convolutions', () => {
    const left = randn([5, 2, 3], { generator: seed(1) });
    const right = randn([3, 4], { generator: seed(2) });
    expect(matmul(left, right).shape).toEqual([5, 2, 4]);
    const image = randn([1, 3, 8, 8], { generator: seed(3) });
    const filters = randn([16, 3, 3, 3], { generator: seed(4) });
    expect(conv2d(image, filters, { stride: 2, padding: 'same' }).shape).toEqual([1, 16, 4, 4]);
    expect(maxPool2d(image, 2).shape).toEqual([1, 3, 4, 4]);
    const expected = [1, 2, 3].map((v) => Math.exp(v) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    (softmax(tensor([1, 2, 3])).toArray() as number[]).forEach((value, index) =>
      expect(value).toBeCloseTo(expected[index]!, 6),
    );
  });

  it('trees', () => {
    const params = { layers: [{ weight: ones([2, 2]), bias: zeros([2]) }] };
    expect(tree.paths(params)).toEqual(['layers.0.weight', 'layers.0.bias']);
    const halved = tree.map((leaf: Tensor) => leaf.mul(0.5), params);
    expect(tree.leaves(halved).length).toBe(2);
    expect((halved as { layers: { weight: Tensor }[] }).layers[0]!.weight.toArray()).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
  });

  it('memory', () => {
    const before = memory().numTensors;
    const result = tidy(() => {
      const hidden = randn([4, 4]).relu(); // freed when tidy returns
      return hidden.sum(); // kept: it is returned
    });
    expect(memory().numTensors === before + 1).toBe(true);
    result.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('errors', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow("matmul: 'b' has shape [4,5], expected [3,*]");
    expect(() => reshape(zeros([2, 3]), [4, 2])).toThrow(
      'reshape: cannot reshape tensor of shape [2,3] (6 elements) into [4,2]',
    );
    expect(() => sum(zeros([2, 3]), 2)).toThrow("sum: 'axis' 2 is out of range for shape [2,3]");
  });

  it('errors and strict options', () => {
    expect(() => randn([3], { seed: 3 } as never)).toThrow(
      "randn: unknown option 'seed'; expected one of 'dtype', 'backend', 'generator', 'mean', 'std'",
    );
    expect(() => sum(zeros([2, 3]), 1, { keepDims: true } as never)).toThrow(
      "sum: unknown option 'keepDims'; expected one of 'keepdims'",
    );
    expect(() => sum(zeros([2, 3]), { axis: 1 } as never)).toThrow(
      "sum: 'axis' must be an integer, an array of integers or undefined, got an object",
    );
    expect(() => tensor([3e9], { dtype: 'int32' })).toThrow(
      "tensor: 'data' holds 3000000000, out of range for int32 [-2147483648, 2147483647]",
    );
    expect(() => where(tensor([1, 0]), 1, 0)).toThrow("where: 'condition' must be a bool tensor, got float32");
    const nothing = softmax(zeros([2, 0])); // shape [2, 0]
    const total = sum(zeros([2, 0]), 1); // [0, 0]
    expect(nothing.shape).toEqual([2, 0]);
    expect(total.toArray()).toEqual([0, 0]);
  });

  it('ndarray interop', () => {
    const shared = toNdarray(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    ); // same memory, no copy
    expect(shared.get(1, 0)).toBe(3);
    const back = fromNdarray(shared); // again no copy
    expect(back.storage.data).toBe(shared.data);
  });

  it('printing', () => {
    expect(
      String(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toBe('tensor([[1., 2.],\n        [3., 4.]])');
  });
});
