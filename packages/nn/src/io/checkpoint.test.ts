/**
 * Checkpoints of any size: optimizer state stored as real tensors named by their path (a small
 * header whatever the model size), exact round trips of every kind of state, streamed I/O in
 * bounded chunks, temporaries of killed writers cleaned up, old (version 1) files still read.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  active,
  adam,
  adamw,
  chain,
  clipByGlobalNorm,
  graft,
  graftMagnitude,
  multiSteps,
  serializeState,
  sgd,
  trace,
  type TensorTree,
} from '@vane/optim';
import { randn, seed, tensor, tree, type Tensor } from '@vane/tensor';
import { Linear } from '../layers/linear.js';
import { ReLU } from '../layers/activations.js';
import { Sequential } from '../layers/sequential.js';
import { findStateDifference } from '../../test/support/state-comparison.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { encodeSafetensors } from './safetensors.js';
import { readSafetensors } from './safetensors-files.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'vane-checkpoint-io-'));

function headerBytes(path: string): number {
  return Number(readFileSync(path).subarray(0, 8).readBigUInt64LE(0));
}

/** A model of `width`² + … parameters and its AdamW state after one step. */
function trainedState(model: Sequential, optimizer = adamw({ lr: 1e-3, weightDecay: 0.01 })) {
  const params = model.parameters() as TensorTree;
  const generator = seed(3);
  const gradients = tree.map((leaf) => randn((leaf as Tensor).shape, { generator }), params) as TensorTree;
  const [, state] = optimizer.update(gradients, optimizer.init(params), params);
  return state;
}

describe('checkpoint format: optimizer state as named tensors', () => {
  it('a model of a few MB with AdamW state keeps a small header and round-trips bit for bit', () => {
    const model = new Sequential(
      new Linear(512, 512),
      new ReLU(),
      new Linear(512, 512),
      new ReLU(),
      new Linear(512, 64),
    ); // 558,144 parameters
    const optimizerState = trainedState(model);
    const path = join(scratch(), 'model.safetensors');
    saveCheckpoint(path, { model, optimizerState, step: 1 });
    expect(statSync(path).size).toBeGreaterThan(3 * 558_144 * 4); // parameters and both moments
    // Before: the moments were base64 in the header (4/3 of their bytes); now only names and shapes.
    expect(headerBytes(path)).toBeLessThan(8_000);
    const names = Object.keys(readSafetensors(path).tensors);
    expect(names).toContain('optimizer.adam.firstMoment.0.weight');
    expect(names).toContain('optimizer.adam.secondMoment.4.bias');
    const restored = new Sequential(
      new Linear(512, 512),
      new ReLU(),
      new Linear(512, 512),
      new ReLU(),
      new Linear(512, 64),
    );
    const loaded = loadCheckpoint(path, { model: restored });
    expect(findStateDifference(optimizerState, loaded.optimizerState)).toBeUndefined();
    expect(findStateDifference(model.parameters(), restored.parameters())).toBeUndefined();
    expect(loaded.step).toBe(1);
  });

  it('round-trips chain, graft, active, multiSteps and adam states exactly', () => {
    const optimizers = {
      chain: chain(clipByGlobalNorm(1), adam({ lr: 1e-2 })),
      graft: graft({ magnitude: graftMagnitude('adagrad'), direction: trace({ decay: 0.9 }) }),
      active: active(adamw({ lr: 1e-3 }), { period: 2 }),
      multiSteps: multiSteps(sgd({ lr: 0.1, momentum: 0.9 }), 3),
    };
    for (const [name, optimizer] of Object.entries(optimizers)) {
      const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
      const optimizerState = trainedState(model, optimizer as never);
      const path = join(scratch(), `${name}.safetensors`);
      saveCheckpoint(path, { model, optimizerState, step: 7 });
      const loaded = loadCheckpoint(path, { model: new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)) });
      expect({ name, difference: findStateDifference(optimizerState, loaded.optimizerState) }).toEqual({
        name,
        difference: undefined,
      });
    }
  });

  it('round-trips every kind of leaf: dtypes, scalars, empty tensors, NaN/-0/undefined, $ keys, __proto__, colliding paths', () => {
    const weird: Record<string, unknown> = {
      f64: tensor(
        [
          [Math.PI, -Number.MIN_VALUE],
          [1e308, Number.NaN],
        ],
        { dtype: 'float64' },
      ),
      i32: tensor([-2147483648, 7, 2147483647], { dtype: 'int32' }),
      bool: tensor([true, false, true]),
      scalar: tensor(2.5),
      empty: tensor([], { dtype: 'float32' }),
      nanPayload: tensor(new Float32Array(new Uint32Array([0x7fc01234, 0x80000000]).buffer)),
      numbers: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0.1, 5e-324, 2 ** 53],
      leaves: [true, false, null, undefined, 'text', [[tensor([1])], []]],
      $tagLike: { $tensor: 'not a reference', $number: 'NaN' },
      'a.b': tensor([1]),
      a: { b: tensor([2]) },
      count: 12,
    };
    Object.defineProperty(weird, '__proto__', { value: tensor([42]), enumerable: true });
    const model = new Linear(2, 2);
    const path = join(scratch(), 'weird.safetensors');
    saveCheckpoint(path, {
      model,
      optimizerState: weird,
      extra: { history: [Number.NaN, 0.5], note: tensor([9], { dtype: 'int32' }) },
    });
    const loaded = loadCheckpoint(path, { model: new Linear(2, 2) });
    expect(findStateDifference(weird, loaded.optimizerState)).toBeUndefined();
    expect(Object.keys(loaded.optimizerState as object)).toContain('__proto__');
    expect(
      findStateDifference({ history: [Number.NaN, 0.5], note: tensor([9], { dtype: 'int32' }) }, loaded.extra),
    ).toBeUndefined();
    const names = Object.keys(readSafetensors(path).tensors);
    // 'a.b' and a → b read the same; the second gets a suffix, and the skeleton records which is which.
    expect(names).toEqual(
      expect.arrayContaining([
        'optimizer.a.b',
        'optimizer.a.b#2',
        'optimizer.__proto__',
        'optimizer.leaves.5.0.0',
        'extra.note',
      ]),
    );
    // A whole state that is one tensor, and no state at all.
    saveCheckpoint(path, { model, optimizerState: tensor([1, 2], { dtype: 'float64' }) });
    expect(
      findStateDifference(
        tensor([1, 2], { dtype: 'float64' }),
        loadCheckpoint(path, { model: new Linear(2, 2) }).optimizerState,
      ),
    ).toBeUndefined();
    saveCheckpoint(path, { model });
    expect(loadCheckpoint(path, { model: new Linear(2, 2) })).toEqual({
      optimizerState: undefined,
      step: 0,
      extra: null,
    });
  });

  it('refuses states a checkpoint cannot hold, naming the path, and leaves the previous file intact', () => {
    const model = new Linear(2, 2);
    const path = join(scratch(), 'keep.safetensors');
    saveCheckpoint(path, { model, step: 1 });
    const before = readFileSync(path);
    expect(() => saveCheckpoint(path, { model, optimizerState: { adam: { schedule: () => 1 } } })).toThrow(
      "saveCheckpoint: optimizer state: 'optimizer.adam.schedule' is a function",
    );
    expect(() => saveCheckpoint(path, { model, extra: { when: new Date(0) } })).toThrow(
      "saveCheckpoint: extra: 'extra.when' is an instance of Date",
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => saveCheckpoint(path, { model, optimizerState: cyclic })).toThrow(
      "'optimizer.self' refers back to one of its own ancestors",
    );
    expect(() => saveCheckpoint(path, { model, step: -1 })).toThrow(
      'saveCheckpoint: step must be a non-negative integer, got -1',
    );
    expect(() => saveCheckpoint(path, { model, optimzerState: {} } as never)).toThrow(
      "saveCheckpoint: unknown option 'optimzerState'",
    );
    expect(readFileSync(path)).toEqual(before);
  });

  it('still reads version 1 checkpoints (optimizer state as base64 JSON in the header)', () => {
    const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    const optimizerState = trainedState(model, adam({ lr: 1e-2 }));
    const tensors = Object.fromEntries(model.namedParameters().map(([name, value]) => [`parameters.${name}`, value]));
    const version1 = {
      version: 1,
      step: 5,
      optimizerState: serializeState(optimizerState),
      generatorState: [1, 2, 3, 4, null],
      dataState: null,
      extra: { epochs: 2 },
    };
    const path = join(scratch(), 'version1.safetensors');
    writeFileSync(path, encodeSafetensors(tensors, { 'vane.checkpoint': JSON.stringify(version1), format: 'pt' }));
    const restored = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    const generator = seed(1);
    const loaded = loadCheckpoint(path, { model: restored, generator });
    expect(findStateDifference(optimizerState, loaded.optimizerState)).toBeUndefined();
    expect(findStateDifference(model.parameters(), restored.parameters())).toBeUndefined();
    expect(loaded).toMatchObject({ step: 5, extra: { epochs: 2 } });
    expect(generator.state().slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(generator.state()[4]).toBeNaN();
  });
});

describe('checkpoint I/O: streamed in chunks, files of any size', () => {
  it('writes and reads through chunks smaller than every tensor and the header, bit for bit', () => {
    const model = new Sequential(new Linear(37, 29), new ReLU(), new Linear(29, 5));
    const optimizerState = trainedState(model);
    const directory = scratch();
    const [chunked, whole] = [join(directory, 'chunked.safetensors'), join(directory, 'whole.safetensors')];
    saveCheckpoint(chunked, { model, optimizerState, step: 3 }, { chunkBytes: 7 });
    saveCheckpoint(whole, { model, optimizerState, step: 3 });
    expect(readFileSync(chunked)).toEqual(readFileSync(whole));
    for (const chunkBytes of [1, 3, 4096]) {
      const restored = new Sequential(new Linear(37, 29), new ReLU(), new Linear(29, 5));
      const loaded = loadCheckpoint(chunked, { model: restored }, { chunkBytes });
      expect(findStateDifference(optimizerState, loaded.optimizerState)).toBeUndefined();
      expect(findStateDifference(model.parameters(), restored.parameters())).toBeUndefined();
    }
    expect(() => loadCheckpoint(chunked, { model }, { chunkBytes: 0 })).toThrow(
      'readSafetensors: chunkBytes must be an integer from 1 to 2147483647, got 0',
    );
    expect(() => saveCheckpoint(chunked, { model }, { chunkBytes: 2 ** 31 })).toThrow(
      'saveCheckpoint: chunkBytes must be an integer from 1 to 2147483647',
    );
  });

  it('save refuses a header over the limit that load would refuse, and load names the limit', () => {
    const model = new Linear(2, 2);
    const path = join(scratch(), 'limit.safetensors');
    expect(() => saveCheckpoint(path, { model, extra: 'x'.repeat(2000) }, { maxHeaderBytes: 1000 })).toThrow(
      /^saveCheckpoint: '.*limit.safetensors': the header would be \d+ bytes, over the limit of 1000 bytes/,
    );
    expect(existsSync(path)).toBe(false);
    saveCheckpoint(path, { model, extra: 'x'.repeat(2000) });
    expect(() => loadCheckpoint(path, { model }, { maxHeaderBytes: 1000 })).toThrow(
      /header length \d+ exceeds the limit of 1000 bytes/,
    );
  });

  it('a directory as the path is an error naming the path, for save and load', () => {
    const directory = scratch();
    const model = new Linear(2, 2);
    expect(() => saveCheckpoint(directory, { model })).toThrow(
      `saveCheckpoint: '${directory}' is a directory; give a file path inside it`,
    );
    expect(() => loadCheckpoint(directory, { model })).toThrow(
      `readSafetensors: '${directory}' is a directory, not a safetensors file`,
    );
    expect(() => loadCheckpoint(join(directory, 'missing.safetensors'), { model })).toThrow(
      /readSafetensors: cannot open '.*missing.safetensors' \(ENOENT/,
    );
    expect(() => saveCheckpoint(join(directory, 'no', 'such', 'c.safetensors'), { model })).toThrow(
      /saveCheckpoint: cannot write '.*c.safetensors': its directory '.*no.such' is not accessible \(ENOENT/,
    );
    expect(readdirSync(directory)).toEqual([]);
  });
});

describe('temporaries of killed writers', () => {
  it('the next save removes temporaries of dead writers, and nothing else', () => {
    const directory = scratch();
    const path = join(directory, 'checkpoint.safetensors');
    // A process id that has certainly exited: a child that already ran.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = [`.checkpoint.safetensors.${deadPid}.0.tmp`, `.checkpoint.safetensors.${process.pid}.999999.tmp`];
    const kept = [
      `.checkpoint.safetensors.${process.ppid}.0.tmp`, // a live writer (our parent is running)
      '.checkpoint.safetensors.notes.tmp', // the user's, not our pattern
      'checkpoint.safetensors.tmp',
      `.other.safetensors.${deadPid}.0.tmp`, // another target's
    ];
    for (const name of [...stale, ...kept]) writeFileSync(join(directory, name), 'partial');
    mkdirSync(join(directory, 'subdirectory'));
    saveCheckpoint(path, { model: new Linear(2, 2) });
    expect(readdirSync(directory).sort()).toEqual(['checkpoint.safetensors', 'subdirectory', ...kept].sort());
  });
});
