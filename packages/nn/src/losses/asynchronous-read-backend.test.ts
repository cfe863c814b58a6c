/**
 * Losses on a backend that cannot read values synchronously (as `webgpu`): their host-side
 * checks of class indices and probabilities would need a synchronous read, so they are skipped
 * there (an index out of range gathers NaN on such a backend, and a probability outside [0, 1]
 * makes the loss NaN), and a valid call never reads.
 *
 * The backend here is the CPU backend with synchronous reads switched off: any attempt to read
 * synchronously throws, so a test passing proves the loss did not read.
 */
import { findBackend, registerBackend, setBackend, tensor, type Backend } from '@vane/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { binaryCrossEntropy, crossEntropy } from './classification-losses.js';

const cpu = findBackend('cpu');
const readsOnlyAsynchronously: Backend = {
  ...cpu,
  name: 'cpu-asynchronous-reads-nn',
  supportsSyncRead: false,
  readSync() {
    throw new Error('cpu-asynchronous-reads-nn: synchronous read attempted');
  },
};
registerBackend(readsOnlyAsynchronously);

afterEach(() => setBackend('cpu'));

describe('losses on a backend without synchronous reads', () => {
  it('crossEntropy with class indices gives the same loss as on the CPU, without reading', async () => {
    const logits = [
      [2, 0.5, -1],
      [0, 1, 3],
    ];
    const expected = crossEntropy(tensor(logits), tensor([0, 2], { dtype: 'int32' })).item();
    setBackend('cpu-asynchronous-reads-nn');
    const loss = crossEntropy(tensor(logits), tensor([0, 2], { dtype: 'int32' }));
    expect((await loss.data())[0]).toBeCloseTo(expected, 6);
  });

  it('binaryCrossEntropy runs without reading its inputs', async () => {
    const expected = binaryCrossEntropy(tensor([0.2, 0.9]), tensor([0, 1])).item();
    setBackend('cpu-asynchronous-reads-nn');
    const loss = binaryCrossEntropy(tensor([0.2, 0.9]), tensor([0, 1]));
    expect((await loss.data())[0]).toBeCloseTo(expected, 6);
  });

  it('the CPU still refuses a class index out of range', () => {
    expect(() => crossEntropy(tensor([[1, 2]]), tensor([4], { dtype: 'int32' }))).toThrow(/contains class 4/);
  });
});
