import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { systemRequirement } from '@vane/testkit';
import { describe, expect, it } from 'vitest';
import { loadDigits } from './load-digits.js';

// scikit-learn's copy of the UCI test set, installed by Debian's python3-sklearn.
const SKLEARN_DIGITS = '/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';
const sklearnDigits = systemRequirement(`${SKLEARN_DIGITS} (Debian python3-sklearn)`, 'VANE_PYTHON_REQUIRED', () =>
  existsSync(SKLEARN_DIGITS) ? true : 'file not found',
);

describe('loadDigits', () => {
  it('has the documented size and shape', () => {
    const digits = loadDigits();
    expect(digits.count).toBe(1797);
    expect(digits.height).toBe(8);
    expect(digits.width).toBe(8);
    expect(digits.classes).toBe(10);
    expect(digits.images).toBeInstanceOf(Float32Array);
    expect(digits.images.length).toBe(1797 * 64);
    expect(digits.labels).toBeInstanceOf(Int32Array);
    expect(digits.labels.length).toBe(1797);
  });

  it('has the known class counts of the UCI test set', () => {
    const { labels } = loadDigits();
    const counts = new Array<number>(10).fill(0);
    for (const label of labels) counts[label] += 1;
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  });

  it('keeps raw pixels as integers in 0..16 using the whole range', () => {
    const { images } = loadDigits();
    let minimum = Infinity;
    let maximum = -Infinity;
    let nonIntegers = 0;
    for (const value of images) {
      if (!Number.isInteger(value)) nonIntegers += 1;
      minimum = Math.min(minimum, value);
      maximum = Math.max(maximum, value);
    }
    expect(nonIntegers).toBe(0);
    expect(minimum).toBe(0);
    expect(maximum).toBe(16);
  });

  it('scales to [0, 1] with normalize', () => {
    const raw = loadDigits();
    const normalized = loadDigits({ normalize: true });
    let maximum = 0;
    let largestError = 0;
    for (let index = 0; index < raw.images.length; index += 1) {
      largestError = Math.max(largestError, Math.abs(normalized.images[index] - raw.images[index] / 16));
      maximum = Math.max(maximum, normalized.images[index]);
    }
    expect(largestError).toBe(0); // k/16 is exact in float32
    expect(maximum).toBe(1);
    expect(normalized.labels).toEqual(raw.labels);
  });

  it('returns fresh arrays on every call', () => {
    const first = loadDigits();
    first.images[0] = 99;
    first.labels[0] = 99;
    const second = loadDigits();
    expect(second.images[0]).toBe(0);
    expect(second.labels[0]).toBe(0);
  });

  it('rejects a bad normalize option, naming it', () => {
    expect(() => loadDigits({ normalize: 'yes' as unknown as boolean })).toThrow(
      "loadDigits: options.normalize must be a boolean, got 'yes'",
    );
  });

  it(`matches ${SKLEARN_DIGITS} value for value (skipped when python3-sklearn is not installed)`, (context) => {
    sklearnDigits.skipUnlessAvailable(context);
    const rows = gunzipSync(readFileSync(SKLEARN_DIGITS))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(',').map(Number));
    expect(rows.length).toBe(1797);
    const { images, labels } = loadDigits();
    let csvSum = 0;
    let loadedSum = 0;
    rows.forEach((row, rowIndex) => {
      expect(row.length).toBe(65);
      for (let pixel = 0; pixel < 64; pixel += 1) {
        csvSum += row[pixel];
        loadedSum += images[rowIndex * 64 + pixel];
        if (images[rowIndex * 64 + pixel] !== row[pixel]) {
          throw new Error(
            `image ${rowIndex} pixel ${pixel}: loaded ${images[rowIndex * 64 + pixel]}, csv ${row[pixel]}`,
          );
        }
      }
      expect(labels[rowIndex]).toBe(row[64]);
    });
    expect(loadedSum).toBe(csvSum);
  });
});

describe('scripts/embed-digits.mjs', () => {
  it('cites only files that exist (its encoding notes name the decoder)', () => {
    const script = readFileSync(new URL('../../scripts/embed-digits.mjs', import.meta.url), 'utf8');
    const cited = [...new Set(script.match(/\bsrc\/[\w/-]+\.ts\b/g) ?? [])];
    expect(cited).toContain('src/digits/load-digits.ts');
    expect(cited.filter((path) => !existsSync(new URL(`../../${path}`, import.meta.url)))).toEqual([]);
  });
});
