import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arange, formatTensor, tensor, zeros } from './index.js';
import { doubleValues, fixtures, fromFixture, product, shapeArbitrary, values } from '../test/helpers.js';

interface PrintCase {
  name: string;
  x: { shape: number[]; data: (number | string)[] };
  str: string;
}

/** PyTorch wraps lines at 80 columns and Vane does not; compare modulo whitespace runs. */
const normalise = (text: string) => text.replace(/, shape=\[[\d,]*\]/, '').replace(/\s+/g, ' ');

/** Every number printed in a tensor string, in order. */
function printedNumbers(text: string): number[] {
  const body = text.slice('tensor('.length).replace(/, (shape|dtype)=.*$/, '');
  return (body.match(/-?(?:\d+\.?\d*(?:e[+-]\d+)?|inf|nan)/g) ?? []).map((token) =>
    token === 'nan' ? Number.NaN : token === 'inf' ? Infinity : token === '-inf' ? -Infinity : Number(token),
  );
}

describe('String(t)', () => {
  const cases: PrintCase[] = fixtures.format;

  it('prints small float32 tensors exactly as PyTorch 1.13 does', () => {
    for (const c of cases.filter((c) => !c.name.startsWith('summarised'))) {
      expect(String(fromFixture(c.x, 'float32')), c.name).toBe(c.str);
    }
  });

  it('summarises tensors of more than 1000 elements like PyTorch (up to line wrapping)', () => {
    for (const c of cases.filter((c) => c.name.startsWith('summarised'))) {
      const printed = String(fromFixture(c.x, 'float32'));
      expect(normalise(printed), c.name).toBe(normalise(c.str));
      expect(printed).toContain('...');
    }
    expect(String(arange(1000, undefined, 1, { dtype: 'float32' }))).not.toContain('...');
    expect(String(arange(1001, undefined, 1, { dtype: 'float32' }))).toContain('...');
  });

  it('prints every element of a small tensor to 4 decimals (fixed) or 5 significant digits (scientific)', () => {
    fc.assert(
      fc.property(
        shapeArbitrary(0, 3, 4).chain((shape) =>
          fc.tuple(fc.constant(shape), doubleValues(product(shape), 50), fc.constantFrom(1, 1e-6, 1e6)),
        ),
        ([shape, data, scale]) => {
          const t = tensor(
            data.map((v) => v * scale),
            { shape, dtype: 'float64' },
          );
          const printed = printedNumbers(String(t));
          const actual = values(t);
          expect(printed.length).toBe(actual.length);
          printed.forEach((p, i) => {
            const a = actual[i]!;
            expect(Math.abs(p - a)).toBeLessThanOrEqual(Math.max(5e-5, 5e-5 * Math.abs(a)) + 1e-300);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('aligns the columns: every cell of a row has the same width', () => {
    fc.assert(
      fc.property(
        shapeArbitrary(2, 2, 5).chain((shape) => fc.tuple(fc.constant(shape), doubleValues(product(shape), 1000))),
        ([shape, data]) => {
          const lines = String(tensor(data, { shape })).split('\n');
          const widths = lines.flatMap((line) =>
            line
              .replace(/^tensor\(\[?|\s*\[|\]+\)?,?$/g, '')
              .split(', ')
              .map((cell) => cell.length),
          );
          expect(new Set(widths).size).toBe(1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('names non-default dtypes and prints integers and booleans plainly', () => {
    // PyTorch prints tensor([  1, -20], dtype=torch.int32); Vane names dtypes without 'torch.'.
    expect(String(tensor([1, -20], { dtype: 'int32' }))).toBe('tensor([  1, -20], dtype=int32)');
    expect(String(tensor([true, false]))).toMatch(/^tensor\(\[ ?true, false\], dtype=bool\)$/);
    expect(String(tensor([0.5], { dtype: 'float64' }))).toBe('tensor([0.5000], dtype=float64)');
    expect(`${tensor([2])}`).toBe('tensor([2.])');
    expect(formatTensor(tensor([2]))).toBe(String(tensor([2])));
  });

  it('prints a disposed tensor without reading it', () => {
    const t = zeros([2, 3]);
    t.dispose();
    const printed = String(t);
    expect(printed).toMatch(/disposed/);
    expect(printed).toContain('[2,3]');
  });
});

describe('console.log(t) / util.inspect(t)', () => {
  it('prints the tensor as String(t) does, not its internals', () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(inspect(t)).toBe(String(t));
    expect(inspect({ weight: t })).toContain(String(t).split('\n')[0]);
    expect(inspect(t)).not.toContain('storage');
  });

  it('names a disposed tensor instead of throwing', () => {
    const t = zeros([2, 3], { dtype: 'int32' });
    t.dispose();
    expect(inspect(t)).toBe('tensor(<disposed>, shape=[2,3], dtype=int32)');
  });
});
