import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { systemRequirement } from '@vane/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { DEBIAN_FASHION_MNIST_DIRECTORY, loadFashionMnist, loadMnist } from './mnist.js';

/** IDX bytes for unsigned byte data, written from the format description. */
function idxBytes(dimensions: number[], values: number[]): Uint8Array {
  const header = [0, 0, 0x08, dimensions.length];
  for (const size of dimensions) header.push((size >>> 24) & 255, (size >>> 16) & 255, (size >>> 8) & 255, size & 255);
  return Uint8Array.from([...header, ...values]);
}

const root = mkdtempSync(join(tmpdir(), 'vane-mnist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A miniature MNIST directory: 3 train images of 2×4 pixels, 2 test images, some files gzipped. */
function writeMiniature(name: string, options: { gzip: boolean; labels?: number[] }): string {
  const directory = join(root, name);
  mkdirSync(directory);
  const write = (file: string, bytes: Uint8Array) =>
    options.gzip
      ? writeFileSync(join(directory, `${file}.gz`), gzipSync(bytes))
      : writeFileSync(join(directory, file), bytes);
  write(
    'train-images-idx3-ubyte',
    idxBytes(
      [3, 2, 4],
      Array.from({ length: 24 }, (_, index) => index * 10),
    ),
  );
  write('train-labels-idx1-ubyte', idxBytes([3], options.labels ?? [9, 0, 4]));
  write('t10k-images-idx3-ubyte', idxBytes([2, 2, 4], new Array<number>(16).fill(255)));
  write('t10k-labels-idx1-ubyte', idxBytes([2], [1, 2]));
  return directory;
}

describe('loadMnist and loadFashionMnist on miniature files', () => {
  it('reads images, labels and sizes from plain files', () => {
    const directory = writeMiniature('plain', { gzip: false });
    const train = loadMnist({ directory });
    expect(train.count).toBe(3);
    expect([train.height, train.width, train.channels, train.classes]).toEqual([2, 4, 1, 10]);
    expect(Array.from(train.labels)).toEqual([9, 0, 4]);
    expect(Array.from(train.images)).toEqual(Array.from({ length: 24 }, (_, index) => index * 10));
    const test = loadMnist({ directory, split: 'test', normalize: true });
    expect(test.count).toBe(2);
    expect(Array.from(test.images)).toEqual(new Array<number>(16).fill(1));
  });

  it('reads gzip-compressed files and names Fashion-MNIST classes', () => {
    const directory = writeMiniature('gzipped', { gzip: true });
    const train = loadFashionMnist({ directory });
    expect(Array.from(train.labels)).toEqual([9, 0, 4]);
    expect(train.classNames[9]).toBe('Ankle boot');
    expect(train.classNames[0]).toBe('T-shirt/top');
  });

  it('says which files are missing and how to get them', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => loadFashionMnist({ directory: empty })).toThrow(
      `loadFashionMnist: no train images file in '${empty}' (tried '${join(empty, 'train-images-idx3-ubyte')}', ` +
        `'${join(empty, 'train-images-idx3-ubyte.gz')}', '${join(empty, 'train-images.idx3-ubyte')}'); pass { directory }`,
    );
    expect(() => loadFashionMnist({ directory: empty })).toThrow('apt-get install dataset-fashion-mnist');
    expect(() => loadMnist({ directory: empty, split: 'test' })).toThrow(
      `loadMnist: no test images file in '${empty}'`,
    );
    expect(() => loadMnist({} as { directory: string })).toThrow(
      'loadMnist: options.directory must name the directory',
    );
  });

  it('rejects labels out of range and mismatched counts', () => {
    const badLabel = writeMiniature('bad-label', { gzip: false, labels: [1, 10, 2] });
    expect(() => loadMnist({ directory: badLabel })).toThrow(
      `loadMnist: '${join(badLabel, 'train-labels-idx1-ubyte')}' has label 10 at index 1, expected 0..9`,
    );
    const mismatch = writeMiniature('mismatch', { gzip: false });
    writeFileSync(join(mismatch, 'train-labels-idx1-ubyte'), idxBytes([2], [1, 2]));
    expect(() => loadMnist({ directory: mismatch })).toThrow('holds 3 images but');
    expect(() => loadMnist({ directory: mismatch, split: 'validation' as 'train' })).toThrow(
      "loadMnist: options.split must be 'train' or 'test', got 'validation'",
    );
  });
});

// The real data, when Debian's dataset-fashion-mnist is installed (or the variable points at a copy).
const realDirectory = process.env.VANE_FASHION_MNIST_DIRECTORY ?? DEBIAN_FASHION_MNIST_DIRECTORY;
const realData = systemRequirement(
  `Fashion-MNIST in ${realDirectory} (Debian dataset-fashion-mnist)`,
  'VANE_DATASETS_REQUIRED',
  () => (existsSync(join(realDirectory, 't10k-labels-idx1-ubyte.gz')) ? true : 't10k-labels-idx1-ubyte.gz not found'),
);

describe(`Fashion-MNIST in ${realDirectory} (skipped unless dataset-fashion-mnist is installed)`, () => {
  it('has 10,000 test images, 1,000 per class, 28×28, pixels 0..255', (context) => {
    realData.skipUnlessAvailable(context);
    const test = loadFashionMnist({ directory: realDirectory, split: 'test' });
    expect(test.count).toBe(10_000);
    expect([test.height, test.width]).toEqual([28, 28]);
    const counts = new Array<number>(10).fill(0);
    for (const label of test.labels) counts[label] += 1;
    expect(counts).toEqual(new Array<number>(10).fill(1000));
    let maximum = 0;
    for (const value of test.images) maximum = Math.max(maximum, value);
    expect(maximum).toBe(255);
  });

  it('has 60,000 training images, 6,000 per class, with the published mean 0.2860', (context) => {
    realData.skipUnlessAvailable(context);
    const train = loadFashionMnist({ directory: realDirectory, normalize: true });
    expect(train.count).toBe(60_000);
    const counts = new Array<number>(10).fill(0);
    for (const label of train.labels) counts[label] += 1;
    expect(counts).toEqual(new Array<number>(10).fill(6000));
    let sum = 0;
    for (const value of train.images) sum += value;
    // The commonly quoted normalisation constant for Fashion-MNIST training pixels is 0.2860.
    expect(sum / train.images.length).toBeCloseTo(0.286, 3);
  });
});
