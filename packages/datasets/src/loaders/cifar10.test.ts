import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASS_NAMES, loadCifar10, parseCifar10Batch } from './cifar10.js';

/** One CIFAR-10 record as documented: a label byte then 3072 pixel bytes (R plane, G plane, B plane). */
function record(label: number, pixel: (channel: number, row: number, column: number) => number): number[] {
  const bytes = [label];
  for (let channel = 0; channel < 3; channel += 1) {
    for (let row = 0; row < 32; row += 1)
      for (let column = 0; column < 32; column += 1) bytes.push(pixel(channel, row, column));
  }
  return bytes;
}

const root = mkdtempSync(join(tmpdir(), 'vane-cifar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Five training batches of two records and a test batch of three, inside cifar-10-batches-bin/. */
function writeMiniature(name: string): string {
  const parent = join(root, name);
  const directory = join(parent, 'cifar-10-batches-bin');
  mkdirSync(directory, { recursive: true });
  for (let batch = 1; batch <= 5; batch += 1) {
    const bytes = [
      ...record((2 * batch - 2) % 10, (channel) => channel * 100 + batch),
      ...record((2 * batch - 1) % 10, (_, row, column) => (row * 32 + column) % 256),
    ];
    writeFileSync(join(directory, `data_batch_${batch}.bin`), Uint8Array.from(bytes));
  }
  writeFileSync(
    join(directory, 'test_batch.bin'),
    Uint8Array.from([3, 8, 8].flatMap((label) => record(label, () => 255))),
  );
  return parent;
}

describe('loadCifar10 on miniature files', () => {
  const parent = writeMiniature('mini');

  it('concatenates the five training batches in order, keeping channel-major pixels', () => {
    const train = loadCifar10({ directory: parent });
    expect(train.count).toBe(10);
    expect([train.channels, train.height, train.width, train.classes]).toEqual([3, 32, 32, 10]);
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(train.images.length).toBe(10 * 3072);
    // Record 4 is the first of batch 3: every pixel of channel c is c·100 + 3.
    const channelValue = (image: number, channel: number, row: number, column: number) =>
      train.images[image * 3072 + channel * 1024 + row * 32 + column];
    expect([channelValue(4, 0, 5, 5), channelValue(4, 1, 0, 31), channelValue(4, 2, 31, 0)]).toEqual([3, 103, 203]);
    // Record 5 stores its (row·32 + column) mod 256 pattern in every channel.
    expect(channelValue(5, 2, 1, 2)).toBe(34);
    expect(train.classNames[train.labels[3]]).toBe('cat');
  });

  it('reads the test batch, accepts the bin directory itself, and normalizes', () => {
    const test = loadCifar10({ directory: join(parent, 'cifar-10-batches-bin'), split: 'test', normalize: true });
    expect(test.count).toBe(3);
    expect(Array.from(test.labels)).toEqual([3, 8, 8]);
    expect(Math.min(...test.images)).toBe(1);
    expect(CIFAR10_CLASS_NAMES[8]).toBe('ship');
  });

  it('explains missing, truncated and mislabelled files', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => loadCifar10({ directory: empty, split: 'test' })).toThrow(
      `loadCifar10: file '${join(empty, 'test_batch.bin')}' does not exist; CIFAR-10 is not packaged by Debian`,
    );
    const broken = writeMiniature('broken');
    const brokenBin = join(broken, 'cifar-10-batches-bin');
    writeFileSync(join(brokenBin, 'data_batch_2.bin'), Uint8Array.from(record(1, () => 0).slice(0, 3000)));
    expect(() => loadCifar10({ directory: broken })).toThrow(
      `loadCifar10: file '${join(brokenBin, 'data_batch_2.bin')}' has 3000 bytes, not a positive multiple of 3073`,
    );
    writeFileSync(join(brokenBin, 'test_batch.bin'), Uint8Array.from([...record(1, () => 0), ...record(12, () => 0)]));
    expect(() => loadCifar10({ directory: broken, split: 'test' })).toThrow(
      'record 1 (byte offset 3073) has label 12, expected 0..9',
    );
    expect(() => loadCifar10({} as { directory: string })).toThrow(
      'loadCifar10: options.directory must name the cifar-10-batches-bin directory',
    );
  });

  it('parses in-memory batches and rejects empty input', () => {
    const batch = parseCifar10Batch(Uint8Array.from(record(7, (channel) => channel)));
    expect(batch.count).toBe(1);
    expect(Array.from(batch.labels)).toEqual([7]);
    expect([batch.pixels[0], batch.pixels[1024], batch.pixels[2048]]).toEqual([0, 1, 2]);
    expect(() => parseCifar10Batch(new Uint8Array(0))).toThrow('parseCifar10Batch: buffer has 0 bytes');
  });
});
