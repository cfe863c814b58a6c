/**
 * The safetensors and checkpoint bad-input battery: bad paths, directories, bad headers,
 * corrupt and truncated files, oversized headers, unknown dtypes, malformed checkpoint
 * metadata, states a checkpoint cannot hold, and unknown option names. Every case must end in
 * an error that names the function and the file, tensor or field: 0 silent, 0 unclear.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adam, serializeState } from '@vane/optim';
import { tensor } from '@vane/tensor';
import { runBadInputBattery, type BadInputCase } from '@vane/testkit';
import { Linear } from '../layers/linear.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { loadSafetensors, readSafetensors, readSafetensorsMetadata, saveSafetensors } from './safetensors-files.js';

const directory = mkdtempSync(join(tmpdir(), 'vane-io-battery-'));
let fileCounter = 0;

/** Writes raw bytes to a fresh file and returns its path. */
function file(bytes: Uint8Array | string): string {
  const path = join(directory, `case-${fileCounter++}.safetensors`);
  writeFileSync(path, bytes);
  return path;
}

/** A file whose header is `object` (JSON, unpadded) followed by `data`. */
function crafted(object: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): string {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(object));
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return file(bytes);
}

/** A header-length field claiming `length` bytes, followed by `rest`. */
function claimedLength(length: bigint, rest: Uint8Array): string {
  const bytes = new Uint8Array(8 + rest.length);
  new DataView(bytes.buffer).setBigUint64(0, length, true);
  bytes.set(rest, 8);
  return file(bytes);
}

/** A valid checkpoint of `new Linear(2, 2)` whose `vane.checkpoint` metadata is replaced by `edit`'s result. */
function checkpointWith(
  edit: (stored: Record<string, unknown>) => unknown,
  extraTensors: Record<string, ReturnType<typeof tensor>> = {},
): string {
  const source = join(directory, `source-${fileCounter++}.safetensors`);
  const model = new Linear(2, 2);
  const optimizer = adam({ lr: 0.1 });
  saveCheckpoint(source, { model, optimizerState: optimizer.init(model.parameters() as never), step: 3 });
  const { tensors, metadata } = readSafetensors(source);
  const stored = JSON.parse(metadata['vane.checkpoint']!) as Record<string, unknown>;
  const edited = edit(stored);
  return file(
    encodeSafetensors(
      { ...tensors, ...extraTensors },
      { ...metadata, 'vane.checkpoint': typeof edited === 'string' ? edited : JSON.stringify(edited) },
    ),
  );
}

const F32 = (count: number) => new Uint8Array(4 * count);
const w = tensor([1, 2]);
const model = () => new Linear(2, 2);
const subdirectory = join(directory, 'a-directory');
mkdirSync(subdirectory);
const regularFile = file('not a directory');
const valid = file(encodeSafetensors({ w }));
const plainSafetensors = file(
  encodeSafetensors({
    'parameters.weight': tensor([
      [1, 2],
      [3, 4],
    ]),
    'parameters.bias': tensor([1, 2]),
  }),
);

const cases: BadInputCase[] = [
  // Paths: save
  {
    name: 'saveSafetensors(directory)',
    run: () => saveSafetensors(subdirectory, { w }),
    message: /^saveSafetensors: '.*a-directory' is a directory; give a file path inside it/,
  },
  {
    name: 'saveSafetensors(missing parent)',
    run: () => saveSafetensors(join(directory, 'missing', 'w.safetensors'), { w }),
    message: /^saveSafetensors: cannot write '.*w.safetensors': its directory '.*missing' is not accessible \(ENOENT/,
  },
  {
    name: 'saveSafetensors(path under a regular file)',
    run: () => saveSafetensors(join(regularFile, 'w.safetensors'), { w }),
    message:
      /^saveSafetensors: cannot write '.*w.safetensors': ('.*' is not a directory|its directory .* is not accessible \(ENOTDIR)/,
  },
  {
    name: "saveSafetensors('')",
    run: () => saveSafetensors('', { w }),
    message: /^saveSafetensors: the path must be a non-empty string, got ""/,
  },
  {
    name: 'saveSafetensors(42)',
    run: () => saveSafetensors(42 as never, { w }),
    message: /^saveSafetensors: the path must be a non-empty string, got 42/,
  },
  {
    name: 'saveCheckpoint(directory)',
    run: () => saveCheckpoint(subdirectory, { model: model() }),
    message: /^saveCheckpoint: '.*a-directory' is a directory/,
  },
  // Tensors and metadata: save
  {
    name: 'saveSafetensors(tensors: null)',
    run: () => saveSafetensors(join(directory, 'x.safetensors'), null as never),
    message: /^saveSafetensors: '.*x.safetensors': tensors must be an object or Map/,
  },
  {
    name: "saveSafetensors({ w: 'text' })",
    run: () => saveSafetensors(join(directory, 'x.safetensors'), { w: 'text' as never }),
    message: /^saveSafetensors: '.*': 'w' is not a tensor/,
  },
  {
    name: 'saveSafetensors({ __metadata__: tensor })',
    run: () => saveSafetensors(join(directory, 'x.safetensors'), { __metadata__: w }),
    message: /^saveSafetensors: '.*': '__metadata__' is reserved/,
  },
  {
    name: 'saveSafetensors(name with a lone surrogate)',
    run: () => saveSafetensors(join(directory, 'x.safetensors'), { 'w\uD800': w }),
    message: /^saveSafetensors: '.*': the name "w\\ud800" contains a lone UTF-16 surrogate/,
  },
  {
    name: 'saveSafetensors(metadata: { n: 1 })',
    run: () => saveSafetensors(join(directory, 'x.safetensors'), { w }, { metadata: { n: 1 as never } }),
    message: /^saveSafetensors: '.*': metadata 'n' must be a string, got number/,
  },
  {
    name: 'saveSafetensors(metadata: [])',
    run: () => saveSafetensors(join(directory, 'x.safetensors'), { w }, { metadata: [] as never }),
    message: /^saveSafetensors: '.*': metadata must be an object of strings/,
  },
  {
    name: 'saveSafetensors({ metadat })',
    run: () => saveSafetensors(join(directory, 'x.safetensors'), { w }, { metadat: {} } as never),
    message: /^saveSafetensors: unknown option 'metadat'; expected one of 'metadata', 'chunkBytes', 'maxHeaderBytes'/,
  },
  {
    name: 'saveSafetensors(header over maxHeaderBytes)',
    run: () =>
      saveSafetensors(
        join(directory, 'x.safetensors'),
        { w },
        { metadata: { long: 'x'.repeat(200) }, maxHeaderBytes: 100 },
      ),
    message: /^saveSafetensors: '.*': the header would be \d+ bytes, over the limit of 100 bytes/,
  },
  {
    name: 'saveSafetensors(chunkBytes: 0)',
    run: () => saveSafetensors(join(directory, 'x.safetensors'), { w }, { chunkBytes: 0 }),
    message: /^saveSafetensors: chunkBytes must be an integer from 1 to 2147483647, got 0/,
  },
  {
    name: 'saveSafetensors(chunkBytes: 1.5)',
    run: () => saveSafetensors(join(directory, 'x.safetensors'), { w }, { chunkBytes: 1.5 }),
    message: /^saveSafetensors: chunkBytes must be an integer/,
  },
  {
    name: 'saveSafetensors(maxHeaderBytes: -1)',
    run: () => saveSafetensors(join(directory, 'x.safetensors'), { w }, { maxHeaderBytes: -1 }),
    message: /^saveSafetensors: maxHeaderBytes must be an integer of at least 8, got -1/,
  },
  {
    name: 'encodeSafetensors({ w: 3 })',
    run: () => encodeSafetensors({ w: 3 as never }),
    message: /^encodeSafetensors: 'w' is not a tensor/,
  },
  // Checkpoint contents: save
  {
    name: 'saveCheckpoint(contents: null)',
    run: () => saveCheckpoint(join(directory, 'c.safetensors'), null as never),
    message: /^saveCheckpoint: contents must be an object with at least 'model'/,
  },
  {
    name: 'saveCheckpoint({ model: 3 })',
    run: () => saveCheckpoint(join(directory, 'c.safetensors'), { model: 3 as never }),
    message: /^saveCheckpoint: 'model' must be a Module, got number/,
  },
  {
    name: 'saveCheckpoint({ optimzerState })',
    run: () => saveCheckpoint(join(directory, 'c.safetensors'), { model: model(), optimzerState: {} } as never),
    message: /^saveCheckpoint: unknown option 'optimzerState'; expected one of 'model', 'optimizerState'/,
  },
  {
    name: 'saveCheckpoint({ step: -1 })',
    run: () => saveCheckpoint(join(directory, 'c.safetensors'), { model: model(), step: -1 }),
    message: /^saveCheckpoint: step must be a non-negative integer, got -1/,
  },
  {
    name: 'saveCheckpoint({ step: 1.5 })',
    run: () => saveCheckpoint(join(directory, 'c.safetensors'), { model: model(), step: 1.5 }),
    message: /^saveCheckpoint: step must be a non-negative integer, got 1.5/,
  },
  {
    name: 'saveCheckpoint({ step: NaN })',
    run: () => saveCheckpoint(join(directory, 'c.safetensors'), { model: model(), step: Number.NaN }),
    message: /^saveCheckpoint: step must be a non-negative integer/,
  },
  {
    name: 'saveCheckpoint(optimizer state with a function)',
    run: () => saveCheckpoint(join(directory, 'c.safetensors'), { model: model(), optimizerState: { lr: () => 1 } }),
    message: /^saveCheckpoint: optimizer state: 'optimizer.lr' is a function/,
  },
  {
    name: 'saveCheckpoint(optimizer state with a bigint)',
    run: () => saveCheckpoint(join(directory, 'c.safetensors'), { model: model(), optimizerState: { count: 1n } }),
    message: /^saveCheckpoint: optimizer state: 'optimizer.count' is a bigint/,
  },
  {
    name: 'saveCheckpoint(extra with a Map)',
    run: () => saveCheckpoint(join(directory, 'c.safetensors'), { model: model(), extra: { seen: new Map() } }),
    message: /^saveCheckpoint: extra: 'extra.seen' is an instance of Map/,
  },
  {
    name: 'saveCheckpoint(cyclic optimizer state)',
    run: () => {
      const state: Record<string, unknown> = {};
      state.loop = [state];
      saveCheckpoint(join(directory, 'c.safetensors'), { model: model(), optimizerState: state });
    },
    message: /^saveCheckpoint: optimizer state: 'optimizer.loop.0' refers back to one of its own ancestors/,
  },
  {
    name: 'saveCheckpoint({ chunkByts })',
    run: () => saveCheckpoint(join(directory, 'c.safetensors'), { model: model() }, { chunkByts: 1 } as never),
    message: /^saveCheckpoint: unknown option 'chunkByts'; expected one of 'chunkBytes', 'maxHeaderBytes'/,
  },
  // Paths: load
  {
    name: 'loadSafetensors(missing file)',
    run: () => loadSafetensors(join(directory, 'missing.safetensors')),
    message: /^readSafetensors: cannot open '.*missing.safetensors' \(ENOENT/,
  },
  {
    name: 'loadSafetensors(directory)',
    run: () => loadSafetensors(subdirectory),
    message: /^readSafetensors: '.*a-directory' is a directory, not a safetensors file/,
  },
  {
    name: 'readSafetensorsMetadata(directory)',
    run: () => readSafetensorsMetadata(subdirectory),
    message: /^readSafetensorsMetadata: '.*a-directory' is a directory/,
  },
  {
    name: 'loadCheckpoint(directory)',
    run: () => loadCheckpoint(subdirectory, { model: model() }),
    message: /^readSafetensors: '.*a-directory' is a directory/,
  },
  {
    name: "loadSafetensors('')",
    run: () => loadSafetensors(''),
    message: /^readSafetensors: the path must be a non-empty string/,
  },
  {
    name: 'loadSafetensors(/dev/null)',
    run: () => loadSafetensors('/dev/null'),
    message: /^readSafetensors: '\/dev\/null' is not a regular file/,
  },
  // Corrupt files: load
  {
    name: 'empty file',
    run: () => loadSafetensors(file(new Uint8Array(0))),
    message: /^decodeSafetensors: '.*' is 0 bytes, too short for the 8-byte header length/,
  },
  {
    name: '5-byte file',
    run: () => loadSafetensors(file(new Uint8Array(5))),
    message: /^decodeSafetensors: '.*' is 5 bytes, too short/,
  },
  {
    name: 'header length past the end',
    run: () => loadSafetensors(claimedLength(1000n, new Uint8Array(10))),
    message:
      /^decodeSafetensors: '.*': header length 1000 exceeds the 10 bytes after it \(truncated or not a safetensors file\)/,
  },
  {
    name: 'header length 2^64 − 1',
    run: () => loadSafetensors(claimedLength(2n ** 64n - 1n, new Uint8Array(10))),
    message: /^decodeSafetensors: '.*': header length 18446744073709551615 exceeds the 10 bytes after it/,
  },
  {
    name: 'header over maxHeaderBytes',
    run: () => loadSafetensors(valid, { maxHeaderBytes: 16 }),
    message: /^decodeSafetensors: '.*': header length \d+ exceeds the limit of 16 bytes/,
  },
  {
    name: 'a CSV file',
    run: () => loadSafetensors(file('0,1,2,3\n4,5,6,7\n')),
    message: /^decodeSafetensors: '.*': header length \d+ exceeds the 8 bytes after it/,
  },
  {
    name: 'header not JSON',
    run: () => loadSafetensors(crafted(null, undefined, '{not json')),
    message: /^decodeSafetensors: '.*': the header is not valid UTF-8 JSON/,
  },
  {
    name: 'header a JSON array',
    run: () => loadSafetensors(crafted(null, undefined, '[1, 2]')),
    message: /^decodeSafetensors: '.*': the header is not valid UTF-8 JSON \(the header does not start with '\{'\)/,
  },
  {
    name: 'header invalid UTF-8',
    run: () => loadSafetensors(file(new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff, 0xfe, 0x7d]))),
    message: /^decodeSafetensors: '.*': the header is not valid UTF-8 JSON/,
  },
  {
    name: 'entry not an object',
    run: () => loadSafetensors(crafted({ w: 3 })),
    message: /^decodeSafetensors: '.*': entry 'w' must be an object with dtype, shape and data_offsets/,
  },
  {
    name: 'unknown dtype F8',
    run: () => loadSafetensors(crafted({ w: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1))),
    message: /^decodeSafetensors: '.*': tensor 'w' has unsupported dtype "F8" \(supported: F64, F32/,
  },
  {
    name: 'dtype missing',
    run: () => loadSafetensors(crafted({ w: { shape: [1], data_offsets: [0, 4] } }, F32(1))),
    message: /tensor 'w' has unsupported dtype undefined/,
  },
  {
    name: "dtype 'toString' (an Object.prototype key)",
    run: () => loadSafetensors(crafted({ w: { dtype: 'toString', shape: [1], data_offsets: [0, 4] } }, F32(1))),
    message: /tensor 'w' has unsupported dtype "toString"/,
  },
  {
    name: 'negative shape',
    run: () => loadSafetensors(crafted({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, F32(1))),
    message: /tensor 'w' has invalid shape \[-1\]/,
  },
  {
    name: 'fractional shape',
    run: () => loadSafetensors(crafted({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, F32(1))),
    message: /tensor 'w' has invalid shape \[1.5\]/,
  },
  {
    name: 'shape not an array',
    run: () => loadSafetensors(crafted({ w: { dtype: 'F32', shape: 1, data_offsets: [0, 4] } }, F32(1))),
    message: /tensor 'w' has invalid shape 1/,
  },
  {
    name: 'shape whose size overflows',
    run: () =>
      loadSafetensors(
        crafted({ w: { dtype: 'F64', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 8] } }, new Uint8Array(8)),
      ),
    message: /tensor 'w' has shape \[1073741824,1073741824,1073741824\], whose byte size exceeds 2\^53/,
  },
  {
    name: 'data_offsets of length 3',
    run: () => loadSafetensors(crafted({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, F32(1))),
    message: /tensor 'w' has invalid data_offsets \[0,4,8\]/,
  },
  {
    name: 'data_offsets reversed',
    run: () => loadSafetensors(crafted({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, F32(1))),
    message: /tensor 'w' has data_offsets \[4, 0\] outside the 4-byte data section/,
  },
  {
    name: 'data_offsets past the end (truncated data)',
    run: () => loadSafetensors(crafted({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, F32(1))),
    message: /tensor 'w' has data_offsets \[0, 8\] outside the 4-byte data section/,
  },
  {
    name: 'shape disagrees with offsets',
    run: () => loadSafetensors(crafted({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, F32(1))),
    message: /tensor 'w' \(F32, shape \[2\]\) needs 8 bytes but data_offsets span 4/,
  },
  {
    name: 'gap before the first tensor',
    run: () => loadSafetensors(crafted({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, F32(2))),
    message: /tensor 'w' starts at byte 4, expected 0 \(data ranges must be contiguous and non-overlapping\)/,
  },
  {
    name: 'overlapping tensors',
    run: () =>
      loadSafetensors(
        crafted(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          F32(2),
        ),
      ),
    message: /tensor 'b' starts at byte 4, expected 8/,
  },
  {
    name: 'trailing bytes',
    run: () => loadSafetensors(crafted({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, F32(2))),
    message: /the tensors cover 4 bytes but the data section has 8 \(truncated or trailing bytes\)/,
  },
  {
    name: 'metadata value a number',
    run: () => loadSafetensors(crafted({ __metadata__: { a: 1 } })),
    message: /'__metadata__.a' must be a string, got 1/,
  },
  {
    name: 'metadata an array',
    run: () => loadSafetensors(crafted({ __metadata__: ['a'] })),
    message: /'__metadata__' must be an object of strings/,
  },
  {
    name: 'BOOL byte 2',
    run: () =>
      loadSafetensors(crafted({ m: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, new Uint8Array([1, 2]))),
    message: /BOOL tensor 'm' contains the byte 2 \(expected 0 or 1\)/,
  },
  {
    name: 'I64 outside int32',
    run: () =>
      loadSafetensors(
        crafted(
          { n: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } },
          new Uint8Array(new BigInt64Array([2n ** 40n]).buffer),
        ),
      ),
    message: /I64 tensor 'n' holds 1099511627776, outside the int32 range/,
  },
  {
    name: 'name with an escaped lone surrogate',
    run: () => loadSafetensors(crafted(null, F32(1), '{"w\\ud800":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}')),
    message: /the name "w\\ud800" contains a lone UTF-16 surrogate/,
  },
  {
    name: 'loadSafetensors(expected shape differs)',
    run: () => loadSafetensors(valid, { expected: { w: { shape: [3] } } }),
    message: /^loadSafetensors: '.*' tensor 'w' has shape \[2\] float32, expected \[3\]/,
  },
  {
    name: 'loadSafetensors(expected name missing)',
    run: () => loadSafetensors(valid, { expected: { v: { shape: [2] } } }),
    message: /^loadSafetensors: '.*' has no tensor 'v' \(it has w\)/,
  },
  {
    name: "loadSafetensors(expected 'toString')",
    run: () => loadSafetensors(valid, { expected: { toString: { shape: [2] } } }),
    message: /^loadSafetensors: '.*' has no tensor 'toString'/,
  },
  {
    name: 'loadSafetensors({ expect })',
    run: () => loadSafetensors(valid, { expect: {} } as never),
    message: /^loadSafetensors: unknown option 'expect'; expected one of 'expected', 'chunkBytes', 'maxHeaderBytes'/,
  },
  {
    name: 'decodeSafetensors({ path })',
    run: () => decodeSafetensors(encodeSafetensors({ w }), { path: 'x' } as never),
    message: /^decodeSafetensors: unknown option 'path'; expected one of 'source'/,
  },
  // Checkpoints: load
  {
    name: 'loadCheckpoint(missing file)',
    run: () => loadCheckpoint(join(directory, 'missing.safetensors'), { model: model() }),
    message: /^readSafetensors: cannot open '.*missing.safetensors' \(ENOENT/,
  },
  {
    name: 'loadCheckpoint(targets: null)',
    run: () => loadCheckpoint(valid, null as never),
    message: /^loadCheckpoint: targets must be an object with at least 'model'/,
  },
  {
    name: 'loadCheckpoint({ modle })',
    run: () => loadCheckpoint(valid, { modle: model() } as never),
    message: /^loadCheckpoint: unknown option 'modle'; expected one of 'model', 'generator', 'data'/,
  },
  {
    name: 'loadCheckpoint({ model: {} })',
    run: () => loadCheckpoint(valid, { model: {} as never }),
    message: /^loadCheckpoint: 'model' must be a Module, got object/,
  },
  {
    name: 'loadCheckpoint(plain safetensors file)',
    run: () => loadCheckpoint(plainSafetensors, { model: model() }),
    message: /^loadCheckpoint: '.*' is a safetensors file but not a Vane checkpoint \(no 'vane.checkpoint' metadata\)/,
  },
  {
    name: 'loadCheckpoint(metadata not JSON)',
    run: () =>
      loadCheckpoint(
        checkpointWith(() => '{oops'),
        { model: model() },
      ),
    message: /^loadCheckpoint: '.*' has corrupted 'vane.checkpoint' metadata/,
  },
  {
    name: 'loadCheckpoint(metadata null)',
    run: () =>
      loadCheckpoint(
        checkpointWith(() => 'null'),
        { model: model() },
      ),
    message: /^loadCheckpoint: '.*' has corrupted 'vane.checkpoint' metadata \(not a JSON object\)/,
  },
  {
    name: 'loadCheckpoint(version 99)',
    run: () =>
      loadCheckpoint(
        checkpointWith((stored) => ({ ...stored, version: 99 })),
        { model: model() },
      ),
    message: /^loadCheckpoint: '.*' has checkpoint version 99, this build reads 1 and 2/,
  },
  {
    name: 'loadCheckpoint(step -3 in the file)',
    run: () =>
      loadCheckpoint(
        checkpointWith((stored) => ({ ...stored, step: -3 })),
        { model: model() },
      ),
    message: /^loadCheckpoint: '.*': step must be a non-negative integer, got -3/,
  },
  {
    name: 'loadCheckpoint(step missing)',
    run: () =>
      loadCheckpoint(
        checkpointWith(({ step: _step, ...stored }) => stored),
        { model: model() },
      ),
    message: /^loadCheckpoint: '.*': step must be a non-negative integer, got undefined/,
  },
  {
    name: 'loadCheckpoint(reference to a missing tensor)',
    run: () =>
      loadCheckpoint(
        checkpointWith((stored) => ({ ...stored, optimizerState: { $tensor: 'optimizer.nowhere' } })),
        { model: model() },
      ),
    message:
      /^loadCheckpoint: '.*': 'optimizer' refers to the tensor "optimizer.nowhere", which the file does not hold/,
  },
  {
    name: 'loadCheckpoint(reference to a prototype key)',
    run: () =>
      loadCheckpoint(
        checkpointWith((stored) => ({ ...stored, extra: { $tensor: 'constructor' } })),
        { model: model() },
      ),
    message: /'extra' refers to the tensor "constructor", which the file does not hold/,
  },
  {
    name: 'loadCheckpoint(bad $number)',
    run: () =>
      loadCheckpoint(
        checkpointWith((stored) => ({ ...stored, extra: { x: { $number: 'eleven' } } })),
        { model: model() },
      ),
    message: /^loadCheckpoint: '.*': 'extra.x' has a bad \$number "eleven"/,
  },
  {
    name: 'loadCheckpoint(unknown tag)',
    run: () =>
      loadCheckpoint(
        checkpointWith((stored) => ({ ...stored, extra: { $date: 0 } })),
        { model: model() },
      ),
    message: /^loadCheckpoint: '.*': 'extra' has the unknown tag '\$date'/,
  },
  {
    name: 'loadCheckpoint(unexpected tensor)',
    run: () =>
      loadCheckpoint(
        checkpointWith((stored) => stored, { 'optimizer.stray': tensor([1]) }),
        { model: model() },
      ),
    message:
      /^loadCheckpoint: '.*' has an unexpected tensor 'optimizer.stray' \(neither a parameter, a buffer, nor referred to by the saved state\)/,
  },
  {
    name: 'loadCheckpoint(generator state of 4 words)',
    run: () =>
      loadCheckpoint(
        checkpointWith((stored) => ({ ...stored, generatorState: [1, 2, 3, 4] })),
        { model: model() },
      ),
    message: /^loadCheckpoint: '.*' has a generator state of 4 values, expected 5 numbers/,
  },
  {
    name: 'loadCheckpoint(generator state a string)',
    run: () =>
      loadCheckpoint(
        checkpointWith((stored) => ({ ...stored, generatorState: 'seed' })),
        { model: model() },
      ),
    message: /^loadCheckpoint: '.*' has a generator state of string, expected 5 numbers/,
  },
  {
    name: 'loadCheckpoint(another architecture)',
    run: () =>
      loadCheckpoint(
        checkpointWith((stored) => stored),
        { model: new Linear(2, 3) },
      ),
    message: /^Linear.loadCheckpoint\('.*'\): 'weight' has shape \[2,2\] float32, expected \[3,2\] float32/,
  },
  {
    name: 'loadCheckpoint(version 1 with corrupted base64 state)',
    run: () => {
      const saved = serializeState({ w: tensor([1, 2]) }) as unknown as {
        state: { w: { $tensor: { shape: number[] } } };
      };
      saved.state.w.$tensor.shape = [3];
      const version1 = {
        version: 1,
        step: 0,
        optimizerState: saved,
        generatorState: [1, 2, 3, 4, 5],
        dataState: null,
        extra: null,
      };
      return loadCheckpoint(
        file(
          encodeSafetensors(
            {
              'parameters.weight': tensor([
                [1, 2],
                [3, 4],
              ]),
              'parameters.bias': tensor([1, 2]),
            },
            { 'vane.checkpoint': JSON.stringify(version1) },
          ),
        ),
        { model: model() },
      );
    },
    message: /^loadCheckpoint: '.*' has a corrupted optimizer state \(deserializeState: 'w' has 8 bytes, expected 12/,
  },
  {
    name: 'loadCheckpoint(version 1 with a stray tensor)',
    run: () =>
      loadCheckpoint(
        checkpointWith(() => ({
          version: 1,
          step: 0,
          optimizerState: null,
          generatorState: [1, 2, 3, 4, 5],
          dataState: null,
          extra: null,
        })),
        { model: model() },
      ),
    message: /^loadCheckpoint: '.*' has an unexpected tensor 'optimizer.adam.firstMoment.weight'/,
  },
  {
    name: 'loadCheckpoint(chunkBytes: -1)',
    run: () => loadCheckpoint(valid, { model: model() }, { chunkBytes: -1 }),
    message: /^readSafetensors: chunkBytes must be an integer from 1 to 2147483647, got -1/,
  },
];

describe('safetensors and checkpoint bad-input battery', () => {
  it('every case ends in a clear error: 0 silent, 0 unclear', async () => {
    const report = await runBadInputBattery('safetensors and checkpoints', cases);
    console.log(report.summary);
    expect(report.failures).toEqual([]);
    expect(report.tried).toBe(cases.length);
    expect(report.tried).toBeGreaterThanOrEqual(80);
  });
});
