/**
 * Large-checkpoint check (not part of `npm test`: it writes gigabytes). Builds a model of about
 * `--parameters` parameters (default 100M) with AdamW state after one step, saves it with
 * `saveCheckpoint`, loads it back with `loadCheckpoint` and compares every parameter and
 * optimizer-state tensor bit for bit, then reads every tensor again with two independent
 * readers written from the safetensors format description: one in this script (plain `fs`, no
 * Vane code) and, where Debian's `/usr/bin/python3` has NumPy, one in Python. Both compare a
 * sha256 of each tensor's bytes with the in-memory tensors. Prints one JSON summary; exits 1 on
 * any mismatch. The file is deleted afterwards unless `--keep` is given.
 *
 * Usage (from the repository root; minutes, and about 5× the file size in memory):
 *   nice node --import tsx packages/nn/scripts/large-checkpoint-check.ts --parameters 100000000
 *   nice node --import tsx packages/nn/scripts/large-checkpoint-check.ts --parameters 200000000 --directory /var/tmp
 *
 * Source: `packages/nn/scripts/large-checkpoint-check.ts`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adamw, type TensorTree } from '@vane/optim';
import { isTensor, type Tensor } from '@vane/tensor';
import { Linear, Sequential } from '@vane/nn';
import { loadCheckpoint, saveCheckpoint } from '@vane/nn/node';

const { values: flags } = parseArgs({
  options: {
    parameters: { type: 'string', default: '100000000' },
    width: { type: 'string', default: '4096' },
    directory: { type: 'string', default: tmpdir() },
    keep: { type: 'boolean', default: false },
  },
  strict: true,
});
const wanted = Number(flags.parameters);
const width = Number(flags.width);
if (!Number.isSafeInteger(wanted) || wanted < 1 || !Number.isSafeInteger(width) || width < 1)
  throw new Error('large-checkpoint-check: --parameters and --width must be positive integers');

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const bytesOf = (value: Tensor) => {
  const data = value.dataSync();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
};
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every tensor of a tree with its dotted path (the names the checkpoint uses). */
function tensorsByPath(value: unknown, path: string, into: Map<string, Tensor>): Map<string, Tensor> {
  if (isTensor(value)) into.set(path, value);
  else if (Array.isArray(value)) value.forEach((child, index) => tensorsByPath(child, `${path}.${index}`, into));
  else if (value !== null && typeof value === 'object')
    for (const [key, child] of Object.entries(value)) tensorsByPath(child, `${path}.${key}`, into);
  return into;
}

/**
 * An independent reader: only `fs`, written from the format description. Checks the spec's
 * rules (header length, JSON, contiguous ranges covering the file, sizes per dtype) and
 * returns name → { dtype, shape, sha256 }, streaming each range in 16 MiB pieces.
 */
function independentRead(path: string): Map<string, { dtype: string; shape: number[]; sha256: string }> {
  const size = statSync(path).size;
  const handle = openSync(path, 'r');
  try {
    const readAt = (target: Uint8Array, position: number) => {
      let filled = 0;
      while (filled < target.length) {
        const count = readSync(handle, target, filled, target.length - filled, position + filled);
        if (count === 0) throw new Error(`independent reader: unexpected end of file at ${position + filled}`);
        filled += count;
      }
    };
    const first = new Uint8Array(8);
    readAt(first, 0);
    const headerLength = Number(Buffer.from(first).readBigUInt64LE(0));
    if (headerLength % 8 !== 0 || 8 + headerLength > size)
      throw new Error(`independent reader: bad header length ${headerLength}`);
    const headerBytes = new Uint8Array(headerLength);
    readAt(headerBytes, 8);
    const header = JSON.parse(Buffer.from(headerBytes).toString('utf8')) as Record<
      string,
      { dtype: string; shape: number[]; data_offsets: [number, number] }
    >;
    const widths: Record<string, number> = { F32: 4, F64: 8, I32: 4, BOOL: 1 };
    const entries = Object.entries(header).filter(([name]) => name !== '__metadata__');
    let covered = 0;
    for (const [name, entry] of [...entries].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0])) {
      const [begin, end] = entry.data_offsets;
      if (begin !== covered) throw new Error(`independent reader: '${name}' starts at ${begin}, expected ${covered}`);
      const expected = entry.shape.reduce((product, dimension) => product * dimension, widths[entry.dtype]!);
      if (end - begin !== expected)
        throw new Error(`independent reader: '${name}' spans ${end - begin} bytes, its shape needs ${expected}`);
      covered = end;
    }
    if (8 + headerLength + covered !== size)
      throw new Error(
        `independent reader: tensors cover ${covered} bytes, the data section has ${size - 8 - headerLength}`,
      );
    const result = new Map<string, { dtype: string; shape: number[]; sha256: string }>();
    const piece = new Uint8Array(16 * 1024 * 1024);
    for (const [name, entry] of entries) {
      const hash = createHash('sha256');
      const [begin, end] = entry.data_offsets;
      for (let position = begin; position < end; position += piece.length) {
        const part = piece.subarray(0, Math.min(piece.length, end - position));
        readAt(part, 8 + headerLength + position);
        hash.update(part);
      }
      result.set(name, { dtype: entry.dtype, shape: entry.shape, sha256: hash.digest('hex') });
    }
    return result;
  } finally {
    closeSync(handle);
  }
}

// NumPy's memmap over the byte ranges; hashing in 16 MiB pieces keeps its memory small.
const PYTHON_READER = `
import hashlib, json, struct, sys
import numpy as np
path = sys.argv[1]
with open(path, 'rb') as f:
    (n,) = struct.unpack('<Q', f.read(8))
    header = json.loads(f.read(n))
types = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4', 'BOOL': '?'}
out = {}
for name, entry in header.items():
    if name == '__metadata__':
        continue
    begin, end = entry['data_offsets']
    count = int(np.prod(entry['shape'], dtype=np.int64))
    array = np.memmap(path, dtype=types[entry['dtype']], mode='r', offset=8 + n + begin, shape=(count,)) if count else np.zeros(0, dtype=types[entry['dtype']])
    assert array.nbytes == end - begin
    raw = array.view(np.uint8)
    h = hashlib.sha256()
    for i in range(0, raw.size, 1 << 24):
        h.update(raw[i:i + (1 << 24)].tobytes())
    out[name] = {'dtype': entry['dtype'], 'shape': list(array.reshape(entry['shape']).shape), 'sha256': h.hexdigest()}
print(json.dumps(out))
`;

function build(): Sequential {
  const layers: Linear[] = [];
  let total = 0;
  while (total < wanted) {
    layers.push(new Linear(width, width));
    total += width * width + width;
  }
  return new Sequential(...layers);
}

const summary: Record<string, unknown> = {};
const failures: string[] = [];
let start = process.hrtime.bigint();
const model = build();
const params = model.parameters() as TensorTree;
const optimizer = adamw({ lr: 1e-3, weightDecay: 0.01 });
// One step with the parameters as gradients: both moments become non-zero and distinct.
const [, optimizerState] = optimizer.update(params, optimizer.init(params), params);
summary.parameters = model.namedParameters().reduce((count, [, value]) => count + value.size, 0);
summary.buildSeconds = seconds(start);

const directory = mkdtempSync(join(flags.directory, 'vane-large-checkpoint-'));
const path = join(directory, 'checkpoint.safetensors');
try {
  start = process.hrtime.bigint();
  saveCheckpoint(path, { model, optimizerState, step: 1 });
  summary.saveSeconds = seconds(start);
  summary.fileBytes = statSync(path).size;
  summary.fileGiB = Number((statSync(path).size / 2 ** 30).toFixed(3));

  // What the file must hold: every parameter and optimizer-state tensor, by name.
  const expected = new Map<string, Tensor>();
  for (const [name, value] of model.namedParameters()) expected.set(`parameters.${name}`, value);
  tensorsByPath(optimizerState, 'optimizer', expected);
  const expectedDigests = new Map([...expected].map(([name, value]) => [name, digest(bytesOf(value))]));

  start = process.hrtime.bigint();
  const restored = build();
  const loaded = loadCheckpoint(path, { model: restored });
  summary.loadSeconds = seconds(start);
  const loadedTensors = new Map<string, Tensor>();
  for (const [name, value] of restored.namedParameters()) loadedTensors.set(`parameters.${name}`, value);
  tensorsByPath(loaded.optimizerState, 'optimizer', loadedTensors);
  for (const [name, value] of expected) {
    const other = loadedTensors.get(name);
    if (!other || other.dtype !== value.dtype || !Buffer.from(bytesOf(other)).equals(bytesOf(value)))
      failures.push(`loadCheckpoint: '${name}' differs`);
  }
  if (loadedTensors.size !== expected.size)
    failures.push(`loadCheckpoint: ${loadedTensors.size} tensors, expected ${expected.size}`);

  start = process.hrtime.bigint();
  const independent = independentRead(path);
  summary.independentReadSeconds = seconds(start);
  summary.tensors = independent.size;
  for (const [name, sha256] of expectedDigests) {
    const found = independent.get(name);
    if (!found || found.sha256 !== sha256)
      failures.push(`independent reader: '${name}' ${found ? 'has other bytes' : 'is missing'}`);
  }

  const probe = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status === 0) {
    start = process.hrtime.bigint();
    const run = spawnSync('/usr/bin/python3', ['-c', PYTHON_READER, path], { encoding: 'utf8', maxBuffer: 1 << 26 });
    summary.pythonReadSeconds = seconds(start);
    if (run.status !== 0) failures.push(`python reader failed: ${run.stderr}`);
    else {
      const fromPython = JSON.parse(run.stdout) as Record<string, { sha256: string }>;
      for (const [name, sha256] of expectedDigests)
        if (fromPython[name]?.sha256 !== sha256) failures.push(`python reader: '${name}' differs`);
      summary.pythonTensors = Object.keys(fromPython).length;
    }
  } else {
    summary.pythonReadSeconds = 'skipped: /usr/bin/python3 with NumPy not available';
  }
  summary.peakResidentGiB = Number((process.resourceUsage().maxRSS / 2 ** 20).toFixed(2));
} finally {
  if (!flags.keep) rmSync(directory, { recursive: true, force: true });
}
summary.failures = failures;
console.log(JSON.stringify(summary, null, 2));
process.exitCode = failures.length === 0 ? 0 : 1;
