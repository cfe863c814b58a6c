import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arange, tensor } from '@vane/tensor';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, readSafetensorsMetadata, saveSafetensors } from './safetensors';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const scratch = () => mkdtempSync(join(tmpdir(), 'vane-safetensors-'));

describe('safetensors interoperability with Python', () => {
  it('loads a file written by the Python generator (format spec, little-endian, padded header)', () => {
    const path = join(fixtures, 'safetensors-from-python.safetensors');
    const tensors = loadSafetensors(path);
    expect(Object.keys(tensors).sort()).toEqual(['counts', 'half', 'linear.bias', 'linear.weight', 'mask', 'scale']);
    expect(tensors['linear.weight']!.toArray()).toEqual([[0, 0.25, 0.5], [0.75, 1, 1.25]]);
    expect(tensors['linear.bias']!.dtype).toBe('float32');
    expect(tensors.counts!.toArray()).toEqual([[1, -2], [3, 2147483647]]);
    expect(tensors.scale!.shape).toEqual([]);
    expect(tensors.scale!.item()).toBe(3.14159265358979);
    expect(tensors.mask!.toArray()).toEqual([true, false, true]);
    expect(tensors.half!.toArray()).toEqual([1, -2.5, 65504]); // F16 widened to float32
    expect(readSafetensorsMetadata(path)).toEqual({ format: 'pt', writer: 'generate_torch_fixtures.py' });
  });

  it('writes a file that Python reads back (struct + json + numpy, following the spec)', () => {
    const path = join(scratch(), 'from-vane.safetensors');
    saveSafetensors(path, { weight: tensor([[1.5, -2], [3, 4]]), index: tensor([7, -8, 9], { dtype: 'int32' }), exact: tensor([0.1], { dtype: 'float64' }) }, { metadata: { note: 'hi' } });
    let output: string;
    try {
      output = execFileSync('/usr/bin/python3', ['-c', READER, path], { encoding: 'utf8' });
    } catch (error) {
      if (!existsSync('/usr/bin/python3')) return; // no Python on this machine: nothing to compare against
      throw error;
    }
    expect(JSON.parse(output)).toEqual({
      weight: { dtype: 'F32', shape: [2, 2], data: [1.5, -2, 3, 4] },
      index: { dtype: 'I32', shape: [3], data: [7, -8, 9] },
      exact: { dtype: 'F64', shape: [1], data: [0.1] },
      __metadata__: { note: 'hi' },
    });
  });
});

// An independent reader written from the format description, with numpy decoding the data.
const READER = `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
assert n % 8 == 0
header = json.loads(raw[8:8 + n])
body = raw[8 + n:]
out = {}
for name, entry in header.items():
    if name == '__metadata__':
        out[name] = entry
        continue
    dtype = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4'}[entry['dtype']]
    begin, end = entry['data_offsets']
    out[name] = {'dtype': entry['dtype'], 'shape': entry['shape'], 'data': np.frombuffer(body[begin:end], dtype=dtype).astype(float).tolist()}
print(json.dumps(out))
`;

function header(object: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(object));
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

describe('safetensors reader: bad input gives clear errors', () => {
  it('round-trips every dtype bit for bit, including NaN payloads and -0', () => {
    const special = new Float32Array([Number.NaN, -0, Number.POSITIVE_INFINITY, 1e-45]);
    const tensors = { a: tensor(special), b: arange(6, undefined, 1, { dtype: 'float64' }).reshape([2, 3]), c: tensor([true, false]), d: tensor(5, { dtype: 'int32' }) };
    const decoded = decodeSafetensors(encodeSafetensors(tensors)).tensors;
    expect(new Uint8Array((decoded.a!.dataSync() as Float32Array).buffer)).toEqual(new Uint8Array(special.buffer));
    expect(decoded.b!.toArray()).toEqual(tensors.b.toArray());
    expect(decoded.c!.toArray()).toEqual([true, false]);
    expect(decoded.d!.shape).toEqual([]);
  });

  it('rejects truncated files, bad headers, bad dtypes, shapes that disagree with offsets, gaps and overlaps', () => {
    const good = encodeSafetensors({ w: tensor([1, 2, 3]) });
    expect(() => decodeSafetensors(good.subarray(0, 5))).toThrow('decodeSafetensors: input is 5 bytes, too short for the 8-byte header length');
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4))).toThrow("tensor 'w' has data_offsets [0, 12] outside the 8-byte data section");
    const trailing = new Uint8Array(good.length + 4);
    trailing.set(good);
    expect(() => decodeSafetensors(trailing)).toThrow('the tensors cover 12 bytes but the data section has 16 (truncated or trailing bytes)');
    expect(() => decodeSafetensors(good.subarray(0, 20))).toThrow(/header length \d+ exceeds the 12 bytes after it/);
    const notJson = header({});
    notJson[8] = 0x5b; // '['
    expect(() => decodeSafetensors(notJson)).toThrow("the header is not valid UTF-8 JSON (the header does not start with '{')");
    expect(() => decodeSafetensors(header({ w: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)))).toThrow("tensor 'w' has unsupported dtype \"F8\"");
    expect(() => decodeSafetensors(header({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow("tensor 'w' (F32, shape [2]) needs 8 bytes but data_offsets span 4");
    expect(() => decodeSafetensors(header({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)))).toThrow("tensor 'w' starts at byte 4, expected 0");
    expect(() => decodeSafetensors(header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)))).toThrow("tensor 'b' starts at byte 4, expected 8");
    expect(() => decodeSafetensors(header({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow("tensor 'w' has invalid shape [-1]");
    expect(() => decodeSafetensors(header({ __metadata__: { a: 1 } }))).toThrow("'__metadata__.a' must be a string, got 1");
  });

  it('loadSafetensors checks expected shapes and dtypes and names the file', () => {
    const path = join(scratch(), 'w.safetensors');
    saveSafetensors(path, { w: tensor([[1, 2]]) });
    expect(() => loadSafetensors(path, { expected: { w: { shape: [2, 1] } } })).toThrow(`loadSafetensors: '${path}' tensor 'w' has shape [1,2] float32, expected [2,1]`);
    expect(() => loadSafetensors(path, { expected: { w: { shape: [1, 2], dtype: 'float64' } } })).toThrow('has shape [1,2] float32, expected [1,2] float64');
    expect(() => loadSafetensors(path, { expected: { v: { shape: [1] } } })).toThrow(`loadSafetensors: '${path}' has no tensor 'v' (it has w)`);
    const notSafetensors = join(scratch(), 'digits.csv');
    writeFileSync(notSafetensors, '0,1,2,3\n4,5,6,7\n');
    expect(() => loadSafetensors(notSafetensors)).toThrow(/decodeSafetensors: '.*digits.csv': header length \d+ exceeds the 8 bytes after it/);
  });

  it('a failed save leaves the previous file intact', () => {
    const path = join(scratch(), 'keep.safetensors');
    saveSafetensors(path, { w: tensor([1]) });
    const before = readFileSync(path);
    expect(() => saveSafetensors(path, { w: 'not a tensor' as never })).toThrow("encodeSafetensors: 'w' is not a tensor");
    expect(readFileSync(path)).toEqual(before);
  });

  it('fuzz: random bytes and mutated valid files either decode or throw an Error, never anything else', () => {
    const valid = encodeSafetensors({ a: tensor([[1, 2], [3, 4]]), b: tensor([1, 0, 1], { dtype: 'int32' }) }, { k: 'v' });
    const decodeOrError = (bytes: Uint8Array): void => {
      try {
        const { tensors } = decodeSafetensors(bytes);
        for (const value of Object.values(tensors)) expect(value.size).toBe(value.shape.reduce((p, s) => p * s, 1));
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/^decodeSafetensors: /);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), decodeOrError), { numRuns: 500 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(valid.length), (edits, cut) => {
        const mutated = valid.slice(0, Math.max(cut, 1));
        for (const [position, value] of edits) if (position < mutated.length) mutated[position] = value;
        decodeOrError(mutated);
      }),
      { numRuns: 1000 },
    );
    // Header JSON built from random values of the right general shape.
    const entry = fc.record({ dtype: fc.constantFrom('F32', 'F64', 'I32', 'BOOL', 'I64', 'F16', 'X'), shape: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }), data_offsets: fc.array(fc.integer({ min: -1, max: 40 }), { maxLength: 3 }) });
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 4 }), entry, { maxKeys: 3 }), fc.nat(40), (object, size) => decodeOrError(header(object, new Uint8Array(size)))), { numRuns: 500 });
  });
});
