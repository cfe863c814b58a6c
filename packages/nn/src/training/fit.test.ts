import { describe, expect, it } from 'vitest';
import { DataLoader, gaussianBlobs } from '@vane/datasets';
import { injectHyperparams, sgd } from '@vane/optim';
import { seed, tensor } from '@vane/tensor';
import { Linear } from '../layers/linear.js';
import { crossEntropy } from '../losses/classification-losses.js';
import { earlyStopping, learningRateLogger, type Callback } from './callbacks.js';
import { fit } from './fit.js';
import { accuracy } from './metrics.js';
import { ProgressBar, formatDuration } from './progress-bar.js';

function blobs() {
  const data = gaussianBlobs({
    count: 200,
    centers: [
      [0, 0],
      [4, 4],
    ],
    std: 0.5,
    seed: 1,
  });
  return new DataLoader(data, { batchSize: 20, shuffle: true, seed: 3 });
}

describe('fit', () => {
  it('records history, calls callbacks in order, and learns a separable problem', () => {
    const events: string[] = [];
    const recorder: Callback = {
      onTrainBegin: () => events.push('trainBegin'),
      onEpochBegin: (context) => events.push(`epochBegin ${context.epoch}`),
      onBatchEnd: (_context, logs) => {
        if (logs.batch === 9) events.push('batch 9');
      },
      onEpochEnd: (context) => events.push(`epochEnd ${context.epoch}`),
      onTrainEnd: (context) => events.push(`trainEnd ${context.step}`),
    };
    const model = new Linear(2, 2, { generator: seed(0) });
    const { history, step } = fit(model, sgd({ lr: 0.5 }), blobs(), {
      epochs: 2,
      loss: crossEntropy,
      metrics: { accuracy },
      callbacks: [recorder],
      progress: false,
    });
    expect(events).toEqual([
      'trainBegin',
      'epochBegin 0',
      'batch 9',
      'epochEnd 0',
      'epochBegin 1',
      'batch 9',
      'epochEnd 1',
      'trainEnd 20',
    ]);
    expect(step).toBe(20);
    expect(history.accuracy![1]).toBeGreaterThan(0.95);
  });

  it('stops early when the monitored value stops improving', () => {
    const stopper = earlyStopping({ monitor: 'loss', patience: 2, minDelta: 10 }); // nothing improves by 10
    const { history } = fit(new Linear(2, 2), sgd({ lr: 0.1 }), blobs(), {
      epochs: 20,
      loss: crossEntropy,
      callbacks: [stopper],
      progress: false,
    });
    expect(history.loss).toHaveLength(3); // the first epoch improves on +∞, then two without improvement
    expect(stopper.stoppedEpoch).toBe(2);
  });

  it('logs the learning rate from a schedule or from injectHyperparams', () => {
    const scheduled = fit(new Linear(2, 2), sgd({ lr: 0.1 }), blobs(), {
      epochs: 1,
      loss: crossEntropy,
      callbacks: [learningRateLogger({ schedule: (count) => 1 / (count + 1) })],
      progress: false,
    });
    expect(scheduled.history.learningRate).toEqual([1 / 11]);
    const injected = fit(new Linear(2, 2), injectHyperparams(sgd)({ lr: 0.05 }), blobs(), {
      epochs: 1,
      loss: crossEntropy,
      callbacks: [learningRateLogger()],
      progress: false,
    });
    expect(injected.history.learningRate).toEqual([0.05]);
  });

  it('rejects bad options with a clear message', () => {
    expect(() => fit(new Linear(2, 2), sgd({ lr: 0.1 }), blobs(), { epochs: -1, loss: crossEntropy })).toThrow(
      "fit: 'epochs' must be a non-negative integer, got -1",
    );
    const badTarget = [{ inputs: tensor([[1, 2]]), targets: tensor([5], { dtype: 'int32' }) }];
    expect(() =>
      fit(new Linear(2, 2), sgd({ lr: 0.1 }), badTarget, { epochs: 1, loss: crossEntropy, progress: false }),
    ).toThrow("crossEntropy: 'target' contains class 5, outside [0, 2)");
  });
});

describe('ProgressBar', () => {
  it('redraws in place on a TTY, with steps/s, loss and ETA', () => {
    const written: string[] = [];
    const bar = new ProgressBar({ write: (text) => written.push(text), isTTY: true }, 'epoch 1/2', 10, 0);
    bar.update(5, { loss: 0.5 });
    bar.finish({ loss: 0.25 });
    expect(written[0]).toMatch(
      // eslint-disable-next-line no-control-regex -- the ANSI erase-line escape is what is under test
      /^\r\u001b\[2Kepoch 1\/2 \[=========>\.{10}\] 5\/10 [\d.]+ steps\/s loss 0\.5000 ETA \d+s$/,
    );
    // eslint-disable-next-line no-control-regex -- as above
    expect(written[1]).toMatch(/^\r\u001b\[2Kepoch 1\/2 \[[=>.]+\] 5\/10 .* loss 0\.2500 \d+s\n$/);
  });

  it('formats durations', () => {
    expect([formatDuration(5), formatDuration(184), formatDuration(3720)]).toEqual(['5s', '3m04s', '1h02m']);
  });
});
