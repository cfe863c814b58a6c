import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adamw, type TensorTree } from '@vane/optim';
import { arange, randn, seed, tensor, tree, type Tensor } from '@vane/tensor';
import { systemRequirement } from '@vane/testkit';
import { ReLU } from '../layers/activations.js';
import { Linear } from '../layers/linear.js';
import { Sequential } from '../layers/sequential.js';
import { saveCheckpoint } from './checkpoint.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { loadSafetensors, readSafetensors, readSafetensorsMetadata, saveSafetensors } from './safetensors-files.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const scratch = () => mkdtempSync(join(tmpdir(), 'vane-safetensors-'));

describe('safetensors interoperability with Python', () => {
  it('loads a file written by the Python generator (format spec, little-endian, padded header)', () => {
    const path = join(fixtures, 'safetensors-from-python.safetensors');
    const tensors = loadSafetensors(path);
    expect(Object.keys(tensors).sort()).toEqual(['counts', 'half', 'linear.bias', 'linear.weight', 'mask', 'scale']);
    expect(tensors['linear.weight']!.toArray()).toEqual([
      [0, 0.25, 0.5],
      [0.75, 1, 1.25],
    ]);
    expect(tensors['linear.bias']!.dtype).toBe('float32');
    expect(tensors.counts!.toArray()).toEqual([
      [1, -2],
      [3, 2147483647],
    ]);
    expect(tensors.scale!.shape).toEqual([]);
    expect(tensors.scale!.item()).toBe(3.14159265358979);
    expect(tensors.mask!.toArray()).toEqual([true, false, true]);
    expect(tensors.half!.toArray()).toEqual([1, -2.5, 65504]); // F16 widened to float32
    expect(readSafetensorsMetadata(path)).toEqual({ format: 'pt', writer: 'generate_torch_fixtures.py' });
  });

  it('writes a file that Python reads back (struct + json + numpy, following the spec)', (context) => {
    python.skipUnlessAvailable(context);
    const path = join(scratch(), 'from-vane.safetensors');
    saveSafetensors(
      path,
      {
        weight: tensor([
          [1.5, -2],
          [3, 4],
        ]),
        index: tensor([7, -8, 9], { dtype: 'int32' }),
        exact: tensor([0.1], { dtype: 'float64' }),
      },
      { metadata: { note: 'hi' } },
    );
    const output = execFileSync(PYTHON, ['-c', READER, path, 'values'], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({
      weight: { dtype: 'F32', shape: [2, 2], data: [1.5, -2, 3, 4] },
      index: { dtype: 'I32', shape: [3], data: [7, -8, 9] },
      exact: { dtype: 'F64', shape: [1], data: [0.1] },
      __metadata__: { note: 'hi' },
    });
  });

  it('writes a checkpoint with optimizer state whose every tensor Python reads back bit for bit', (context) => {
    python.skipUnlessAvailable(context);
    const model = new Sequential(new Linear(5, 7), new ReLU(), new Linear(7, 3));
    const params = model.parameters() as TensorTree;
    const optimizer = adamw({ lr: 1e-2, weightDecay: 0.1 });
    const gradients = tree.map((leaf) => randn((leaf as Tensor).shape, { generator: seed(5) }), params) as TensorTree;
    const [, optimizerState] = optimizer.update(gradients, optimizer.init(params), params);
    const extra = {
      counts: tensor([1, -2], { dtype: 'int32' }),
      exact: tensor([Math.PI], { dtype: 'float64' }),
      mask: tensor([true, false]),
    };
    const path = join(scratch(), 'checkpoint.safetensors');
    saveCheckpoint(path, { model, optimizerState, step: 1, extra });
    const fromPython = JSON.parse(
      execFileSync(PYTHON, ['-c', READER, path, 'digests'], { encoding: 'utf8' }),
    ) as Record<string, { dtype: string; shape: number[]; sha256: string }>;
    const { tensors } = readSafetensors(path);
    const names = Object.keys(tensors);
    expect(names.filter((name) => name.startsWith('optimizer.')).length).toBe(8); // two moments of four parameters
    expect(names.filter((name) => name.startsWith('extra.')).sort()).toEqual([
      'extra.counts',
      'extra.exact',
      'extra.mask',
    ]);
    expect(
      Object.keys(fromPython)
        .filter((name) => name !== '__metadata__')
        .sort(),
    ).toEqual([...names].sort());
    const dtypes = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' } as const;
    for (const [name, value] of Object.entries(tensors)) {
      const data = value.dataSync();
      const digest = createHash('sha256')
        .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
        .digest('hex');
      expect({ name, ...fromPython[name] }).toEqual({
        name,
        dtype: dtypes[value.dtype],
        shape: [...value.shape],
        sha256: digest,
      });
    }
    // And the tensors Python read are the ones saved (not just the ones Vane reads back).
    const saved = model.namedParameters().map(([name, value]) => [`parameters.${name}`, value] as const);
    for (const [name, value] of saved) {
      const data = value.dataSync();
      expect(fromPython[name]!.sha256).toBe(
        createHash('sha256')
          .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
          .digest('hex'),
      );
    }
  });
});

// Debian's interpreter, named explicitly: `python3` on PATH may be another one (pyenv, a venv) without NumPy.
const PYTHON = '/usr/bin/python3';
const python = systemRequirement('/usr/bin/python3 with NumPy (Debian python3-numpy)', 'VANE_PYTHON_REQUIRED', () => {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot run (${probe.error.message})`;
  return probe.status === 0 || `${PYTHON} -c 'import numpy' failed: ${probe.stderr.trim().split('\n').pop() ?? ''}`;
});

// An independent reader written from the format description, with numpy decoding the data.
// It checks the spec's rules itself (aligned header, contiguous ranges, sizes, BOOL bytes) and
// prints either the values (small files) or a sha256 of each tensor's bytes.
const READER = `
import hashlib, json, struct, sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
assert n % 8 == 0, 'header length is not a multiple of 8'
header = json.loads(raw[8:8 + n])
body = raw[8 + n:]
types = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4', 'BOOL': '?'}
ranges = sorted(tuple(entry['data_offsets']) for name, entry in header.items() if name != '__metadata__')
position = 0
for begin, end in ranges:
    assert begin == position, 'data ranges are not contiguous'
    position = end
assert position == len(body), 'data section length mismatch'
out = {}
for name, entry in header.items():
    if name == '__metadata__':
        out[name] = entry
        continue
    begin, end = entry['data_offsets']
    data = body[begin:end]
    array = np.frombuffer(data, dtype=types[entry['dtype']]).reshape(entry['shape'])
    assert array.nbytes == end - begin
    if entry['dtype'] == 'BOOL':
        assert set(data) <= {0, 1}, 'BOOL bytes other than 0 and 1'
    if sys.argv[2] == 'values':
        out[name] = {'dtype': entry['dtype'], 'shape': entry['shape'], 'data': array.astype(float).ravel().tolist()}
    else:
        out[name] = {'dtype': entry['dtype'], 'shape': list(array.shape), 'sha256': hashlib.sha256(data).hexdigest()}
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
    const tensors = {
      a: tensor(special),
      b: arange(6, undefined, 1, { dtype: 'float64' }).reshape([2, 3]),
      c: tensor([true, false]),
      d: tensor(5, { dtype: 'int32' }),
    };
    const decoded = decodeSafetensors(encodeSafetensors(tensors)).tensors;
    expect(new Uint8Array((decoded.a!.dataSync() as Float32Array).buffer)).toEqual(new Uint8Array(special.buffer));
    expect(decoded.b!.toArray()).toEqual(tensors.b.toArray());
    expect(decoded.c!.toArray()).toEqual([true, false]);
    expect(decoded.d!.shape).toEqual([]);
  });

  it('rejects truncated files, bad headers, bad dtypes, shapes that disagree with offsets, gaps and overlaps', () => {
    const good = encodeSafetensors({ w: tensor([1, 2, 3]) });
    expect(() => decodeSafetensors(good.subarray(0, 5))).toThrow(
      'decodeSafetensors: input is 5 bytes, too short for the 8-byte header length',
    );
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4))).toThrow(
      "tensor 'w' has data_offsets [0, 12] outside the 8-byte data section",
    );
    const trailing = new Uint8Array(good.length + 4);
    trailing.set(good);
    expect(() => decodeSafetensors(trailing)).toThrow(
      'the tensors cover 12 bytes but the data section has 16 (truncated or trailing bytes)',
    );
    expect(() => decodeSafetensors(good.subarray(0, 20))).toThrow(/header length \d+ exceeds the 12 bytes after it/);
    const notJson = header({});
    notJson[8] = 0x5b; // '['
    expect(() => decodeSafetensors(notJson)).toThrow(
      "the header is not valid UTF-8 JSON (the header does not start with '{')",
    );
    expect(() =>
      decodeSafetensors(header({ w: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1))),
    ).toThrow('tensor \'w\' has unsupported dtype "F8"');
    expect(() =>
      decodeSafetensors(header({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4))),
    ).toThrow("tensor 'w' (F32, shape [2]) needs 8 bytes but data_offsets span 4");
    expect(() =>
      decodeSafetensors(header({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8))),
    ).toThrow("tensor 'w' starts at byte 4, expected 0");
    expect(() =>
      decodeSafetensors(
        header(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          new Uint8Array(8),
        ),
      ),
    ).toThrow("tensor 'b' starts at byte 4, expected 8");
    expect(() =>
      decodeSafetensors(header({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4))),
    ).toThrow("tensor 'w' has invalid shape [-1]");
    expect(() => decodeSafetensors(header({ __metadata__: { a: 1 } }))).toThrow(
      "'__metadata__.a' must be a string, got 1",
    );
  });

  it('loadSafetensors checks expected shapes and dtypes and names the file', () => {
    const path = join(scratch(), 'w.safetensors');
    saveSafetensors(path, { w: tensor([[1, 2]]) });
    expect(() => loadSafetensors(path, { expected: { w: { shape: [2, 1] } } })).toThrow(
      `loadSafetensors: '${path}' tensor 'w' has shape [1,2] float32, expected [2,1]`,
    );
    expect(() => loadSafetensors(path, { expected: { w: { shape: [1, 2], dtype: 'float64' } } })).toThrow(
      'has shape [1,2] float32, expected [1,2] float64',
    );
    expect(() => loadSafetensors(path, { expected: { v: { shape: [1] } } })).toThrow(
      `loadSafetensors: '${path}' has no tensor 'v' (it has w)`,
    );
    const notSafetensors = join(scratch(), 'digits.csv');
    writeFileSync(notSafetensors, '0,1,2,3\n4,5,6,7\n');
    expect(() => loadSafetensors(notSafetensors)).toThrow(
      /decodeSafetensors: '.*digits.csv': header length \d+ exceeds the 8 bytes after it/,
    );
  });

  it('a failed save leaves the previous file intact', () => {
    const path = join(scratch(), 'keep.safetensors');
    saveSafetensors(path, { w: tensor([1]) });
    const before = readFileSync(path);
    expect(() => saveSafetensors(path, { w: 'not a tensor' as never })).toThrow(
      `saveSafetensors: '${path}': 'w' is not a tensor`,
    );
    expect(readFileSync(path)).toEqual(before);
  });

  it('fuzz: random bytes and mutated valid files either decode or throw an Error, never anything else', () => {
    const valid = encodeSafetensors(
      {
        a: tensor([
          [1, 2],
          [3, 4],
        ]),
        b: tensor([1, 0, 1], { dtype: 'int32' }),
      },
      { k: 'v' },
    );
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
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(valid.length),
        (edits, cut) => {
          const mutated = valid.slice(0, Math.max(cut, 1));
          for (const [position, value] of edits) if (position < mutated.length) mutated[position] = value;
          decodeOrError(mutated);
        },
      ),
      { numRuns: 1000 },
    );
    // Header JSON built from random values of the right general shape.
    const entry = fc.record({
      dtype: fc.constantFrom('F32', 'F64', 'I32', 'BOOL', 'I64', 'F16', 'X'),
      shape: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }),
      data_offsets: fc.array(fc.integer({ min: -1, max: 40 }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }), entry, { maxKeys: 3 }), fc.nat(40), (object, size) =>
        decodeOrError(header(object, new Uint8Array(size))),
      ),
      { numRuns: 500 },
    );
  });
});

describe('safetensors names and streaming', () => {
  it("a tensor named '__proto__' is kept, in memory and in files (it was silently dropped)", () => {
    const tensors = Object.fromEntries([
      ['__proto__', tensor([1, 2])],
      ['constructor', tensor([3])],
    ]) as Record<string, Tensor>;
    expect(Object.keys(tensors)).toEqual(['__proto__', 'constructor']);
    const decoded = decodeSafetensors(encodeSafetensors(tensors, { __proto__: 'metadata too' } as never));
    expect(Object.keys(decoded.tensors)).toEqual(['__proto__', 'constructor']);
    expect(decoded.tensors['__proto__']!.toArray()).toEqual([1, 2]);
    expect(Object.keys(decoded.metadata)).toEqual([]); // an object literal's __proto__ sets the prototype: no metadata was given
    const path = join(scratch(), 'proto.safetensors');
    saveSafetensors(path, new Map([['__proto__', tensor([5])]]), {
      metadata: Object.fromEntries([['__proto__', 'kept']]),
    });
    expect(loadSafetensors(path, { expected: { __proto__: { shape: [1] } } as never })['__proto__']!.toArray()).toEqual(
      [5],
    );
    expect(readSafetensorsMetadata(path)['__proto__']).toBe('kept');
  });

  it('reads and writes through chunks of any size with the same bytes as a single buffer', () => {
    const tensors = {
      a: arange(1000, undefined, 1, { dtype: 'float64' }),
      b: tensor([true, false, true]),
      c: tensor(7, { dtype: 'int32' }),
      d: tensor([], { dtype: 'float32' }),
    };
    const path = join(scratch(), 'chunks.safetensors');
    saveSafetensors(path, tensors, { chunkBytes: 3, metadata: { k: 'v' } });
    expect(new Uint8Array(readFileSync(path))).toEqual(encodeSafetensors(tensors, { k: 'v' }));
    for (const chunkBytes of [1, 5, 8000]) {
      const { tensors: read, metadata } = readSafetensors(path, { chunkBytes });
      expect(metadata).toEqual({ k: 'v' });
      expect(read.a!.toArray()).toEqual(tensors.a.toArray());
      expect(read.b!.toArray()).toEqual([true, false, true]);
      expect(read.c!.item()).toBe(7);
      expect(read.d!.shape).toEqual([0]);
    }
  });

  it('save refuses what load would refuse: reserved and malformed names, header size, unknown options', () => {
    const path = join(scratch(), 'refused.safetensors');
    expect(() => saveSafetensors(path, { __metadata__: tensor([1]) })).toThrow(
      `saveSafetensors: '${path}': '__metadata__' is reserved`,
    );
    expect(() => saveSafetensors(path, { ['bad\uD800']: tensor([1]) })).toThrow('contains a lone UTF-16 surrogate');
    expect(() =>
      saveSafetensors(path, { w: tensor([1]) }, { metadata: { note: 'x'.repeat(100) }, maxHeaderBytes: 64 }),
    ).toThrow('over the limit of 64 bytes');
    expect(() => saveSafetensors(path, { w: tensor([1]) }, { metadat: {} } as never)).toThrow(
      "saveSafetensors: unknown option 'metadat'",
    );
    expect(() => readSafetensorsMetadata(path)).toThrow(/readSafetensorsMetadata: cannot open .*ENOENT/);
  });
});
