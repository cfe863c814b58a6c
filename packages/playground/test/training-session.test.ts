/**
 * The playground's training logic, in Node (no browser): the default run's accuracy, Stop and
 * Resume giving exactly the uninterrupted run, abandoning, the gain histogram, the checks of a
 * configuration, the Fashion-MNIST bytes path and the sweep plan.
 */
import { memory } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { checkRunConfiguration } from '../src/training/check-run-configuration.js';
import { configurationFromQuery, DEFAULT_RUN_CONFIGURATION } from '../src/training/run-configuration.js';
import { meanAccuracy, sweepPlan, SWEEP_LEARNING_RATES } from '../src/training/sweep-plan.js';
import { digitsTaskData, fashionTaskData } from '../src/training/task-data.js';
import { nextMacrotask, TrainingSession, type EpochRecord } from '../src/training/training-session.js';

const short = { ...DEFAULT_RUN_CONFIGURATION, epochs: 2 };

function idxBytes(typeByte: number, dimensions: number[], values: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dimensions.length + values.length);
  bytes.set([0, 0, typeByte, dimensions.length]);
  const view = new DataView(bytes.buffer);
  dimensions.forEach((size, axis) => view.setUint32(4 + 4 * axis, size, false));
  bytes.set(values, 4 + 4 * dimensions.length);
  return bytes;
}

describe('TrainingSession', () => {
  it('trains the default configuration (digits MLP, active(adamw), 10 epochs) to at least 0.85', async () => {
    const started = performance.now();
    const records = await new TrainingSession(DEFAULT_RUN_CONFIGURATION, digitsTaskData(true, 1)).run();
    console.log(
      `default run: ${records.length} epochs, validation accuracy ${records.at(-1)!.validationAccuracy.toFixed(4)}, ${((performance.now() - started) / 1000).toFixed(2)} s in Node`,
    );
    expect(records).toHaveLength(10);
    expect(records.at(-1)!.validationAccuracy).toBeGreaterThanOrEqual(0.85);
    // active(…) reports its gains every epoch; one count per parameter element (64·64+64+64·10+10).
    for (const record of records) expect(record.gains!.counts.reduce((a, b) => a + b, 0)).toBe(4810);
    expect(records.at(-1)!.gains!.edges.at(-1)!).toBeGreaterThan(records.at(-1)!.gains!.edges[0]!);
  });

  it('Stop then Resume continues with the same model and optimizer state: the same losses as an uninterrupted run', async () => {
    const uninterrupted: number[] = [];
    await new TrainingSession(short, digitsTaskData(true, 1)).run({ onStep: (_, loss) => uninterrupted.push(loss) });
    const session = new TrainingSession(short, digitsTaskData(true, 1));
    const losses: number[] = [];
    let pausedAt = -1;
    const running = session.run({
      onStep: (step, loss) => {
        losses.push(loss);
        if (step === 30) session.pause();
      },
    });
    while (!session.isPaused) await nextMacrotask();
    // While paused no step is taken, however long the wait.
    for (let turn = 0; turn < 20; turn++) await nextMacrotask();
    pausedAt = losses.length;
    expect(pausedAt).toBe(30);
    session.resume();
    await running;
    expect(losses).toEqual(uninterrupted);
  });

  it('abandon ends the run before the next batch and frees every tensor it made', async () => {
    const before = memory().numTensors;
    const session = new TrainingSession(short, digitsTaskData(true, 1));
    let steps = 0;
    const records: EpochRecord[] = await session.run({
      onStep: () => {
        steps += 1;
        if (steps === 5) session.abandon();
      },
    });
    expect(steps).toBe(5);
    expect(records).toEqual([]);
    expect(memory().numTensors).toBe(before);
  });

  it('reports no gains for an optimizer that is not active(…)', async () => {
    const records = await new TrainingSession(
      { ...short, epochs: 1, optimizer: 'graft(adam,sgd)' },
      digitsTaskData(true, 1),
    ).run();
    expect(records[0]!.gains).toBeUndefined();
    expect(Number.isFinite(records[0]!.loss)).toBe(true);
  });

  it("refuses a malformed optimizer expression with the parser's message", () => {
    expect(() => new TrainingSession({ ...short, optimizer: 'active(adamw' }, digitsTaskData(true, 1))).toThrow(
      /malformed optimizer 'active\(adamw': missing \)/,
    );
    expect(() => new TrainingSession({ ...short, optimizer: 'adam(beta1=1.5)' }, digitsTaskData(true, 1))).toThrow(
      /beta/,
    );
  });

  it('runs once', async () => {
    const session = new TrainingSession({ ...short, epochs: 1 }, digitsTaskData(true, 1, 200));
    await session.run();
    await expect(session.run()).rejects.toThrow(/TrainingSession.run: a session runs once/);
  });
});

describe('checkRunConfiguration', () => {
  it('accepts the default and the query form of it', () => {
    expect(checkRunConfiguration(DEFAULT_RUN_CONFIGURATION)).toEqual(DEFAULT_RUN_CONFIGURATION);
    expect(
      checkRunConfiguration(configurationFromQuery(new URLSearchParams('autorun=1&backend=gpu&epochs=3'))),
    ).toEqual({ ...DEFAULT_RUN_CONFIGURATION, backend: 'gpu', epochs: 3 });
  });

  it('names the field and the value of each bad input, unknown fields included', () => {
    expect(() => checkRunConfiguration({ ...DEFAULT_RUN_CONFIGURATION, batchsize: 8 })).toThrow(
      /checkRunConfiguration: unknown option 'batchsize'/,
    );
    expect(() => checkRunConfiguration({ ...DEFAULT_RUN_CONFIGURATION, backend: 'webgpu' })).toThrow(
      /checkRunConfiguration: 'backend' must be one of 'cpu', 'gpu', got "webgpu"/,
    );
    expect(() => checkRunConfiguration({ ...DEFAULT_RUN_CONFIGURATION, lr: 0 })).toThrow(
      /'lr' must be a positive finite number, got 0/,
    );
    expect(() => checkRunConfiguration({ ...DEFAULT_RUN_CONFIGURATION, epochs: 2.5 })).toThrow(
      /'epochs' must be a positive integer, got 2.5/,
    );
    expect(() => checkRunConfiguration({ ...DEFAULT_RUN_CONFIGURATION, batchSize: Number.NaN })).toThrow(
      /'batchSize' must be a positive integer/,
    );
    expect(() => checkRunConfiguration({ ...DEFAULT_RUN_CONFIGURATION, optimizer: ' ' })).toThrow(
      /'optimizer' must be an optimizer expression/,
    );
    expect(() => checkRunConfiguration(null)).toThrow(/checkRunConfiguration: expected an object/);
  });
});

describe('fashionTaskData (IDX bytes picked in the page)', () => {
  it('parses images and labels, scales pixels to [0, 1] and splits 80/20', () => {
    const count = 20;
    const images = idxBytes(
      0x08,
      [count, 2, 2],
      Array.from({ length: count * 4 }, (_, index) => (index * 13) % 256),
    );
    const labels = idxBytes(
      0x08,
      [count],
      Array.from({ length: count }, (_, index) => index % 10),
    );
    const data = fashionTaskData({ images, labels }, false, 1);
    expect(data.imageShape).toEqual([1, 2, 2]);
    expect(data.train.count + data.validation.count).toBe(count);
    expect(data.validation.count).toBe(4);
    expect(Math.max(...data.train.inputs)).toBeLessThanOrEqual(1);
    expect(fashionTaskData({ images, labels }, true, 1, 10).train.count).toBe(8);
  });

  it('says which file is wrong', () => {
    const images = idxBytes(0x08, [3, 2, 2], new Array(12).fill(0));
    expect(() =>
      fashionTaskData({ images: idxBytes(0x08, [3], [0, 1, 2]), labels: idxBytes(0x08, [3], [0, 1, 2]) }, true, 1),
    ).toThrow(/the images file has 1 dimensions, expected 3|the images file has magic/);
    expect(() => fashionTaskData({ images, labels: idxBytes(0x08, [2], [0, 1]) }, true, 1)).toThrow(
      /holds 3 images but the labels file holds 2 labels/,
    );
    expect(() => fashionTaskData({ images, labels: idxBytes(0x08, [3], [0, 1, 12]) }, true, 1)).toThrow(
      /label 12 at index 2, expected 0..9/,
    );
  });
});

describe('sweepPlan', () => {
  it('compares adamw and active(adamw) at every learning rate and seed, on the default data and model', () => {
    const plan = sweepPlan({ epochs: 3, seeds: 2 });
    expect(plan).toHaveLength(2 * 2 * SWEEP_LEARNING_RATES.length);
    for (const lr of SWEEP_LEARNING_RATES) {
      for (const optimizer of ['adamw', 'active(adamw)'])
        expect(
          plan
            .filter((run) => run.lr === lr && run.optimizer === optimizer)
            .map((run) => run.seed)
            .sort(),
        ).toEqual([0, 1]);
    }
    for (const run of plan)
      expect(checkRunConfiguration(run)).toEqual({
        ...DEFAULT_RUN_CONFIGURATION,
        optimizer: run.optimizer,
        lr: run.lr,
        epochs: 3,
        seed: run.seed,
      });
    expect(
      meanAccuracy(
        [
          { optimizer: 'adamw', lr: 1e-3, seed: 0, accuracy: 0.5 },
          { optimizer: 'adamw', lr: 1e-3, seed: 1, accuracy: 0.7 },
        ],
        'adamw',
        1e-3,
      ),
    ).toBeCloseTo(0.6);
    expect(meanAccuracy([], 'adamw', 1e-3)).toBeNull();
  });
});
