/**
 * Ops on a backend that cannot read values synchronously (as `webgpu`): the host-side index
 * range checks of gather, takeAlongAxis and oneHot would need a synchronous read, so they are
 * skipped there (the backend's kernels guard instead), and valid calls never read.
 *
 * The backend here is the CPU backend with synchronous reads switched off: any attempt to read
 * synchronously throws, so a test passing proves the op did not read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findBackend, registerBackend, setBackend, type Backend } from '../backend.js';
import { tensor } from '../index.js';
import { gather, oneHot } from './indexing.js';

const cpu = findBackend('cpu');
const readsOnlyAsynchronously: Backend = {
  ...cpu,
  name: 'cpu-asynchronous-reads',
  supportsSyncRead: false,
  readSync() {
    throw new Error('cpu-asynchronous-reads: synchronous read attempted');
  },
};
registerBackend(readsOnlyAsynchronously);

afterEach(() => setBackend('cpu'));

describe('ops on a backend without synchronous reads', () => {
  it('gathers without reading the index on the host', async () => {
    setBackend('cpu-asynchronous-reads');
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const picked = gather(x, 1, tensor([[2], [0]], { dtype: 'int32' }));
    expect(Array.from(await picked.data())).toEqual([3, 4]);
  });

  it('one-hot encodes without reading the indices on the host', async () => {
    setBackend('cpu-asynchronous-reads');
    const encoded = oneHot(tensor([1, 0], { dtype: 'int32' }), 3);
    expect(Array.from(await encoded.data())).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it('still checks index ranges on the CPU, which reads synchronously', () => {
    expect(() => gather(tensor([1, 2]), 0, tensor([5], { dtype: 'int32' }))).toThrow(
      /out of range for axis 0 of size 2/,
    );
  });

  it('moves a tensor off the backend with toAsync, and refuses to() with the backend’s error', async () => {
    setBackend('cpu-asynchronous-reads');
    const x = tensor([1.5, -2]);
    const onCpu = await x.toAsync('cpu');
    expect(onCpu.backend.name).toBe('cpu');
    expect(Array.from(onCpu.dataSync())).toEqual([1.5, -2]);
    expect(() => x.to('cpu')).toThrow(/synchronous read attempted/);
    expect(await x.toAsync('cpu-asynchronous-reads')).toBe(x);
    await expect(x.toAsync('nowhere')).rejects.toThrow(/toAsync.*no backend named 'nowhere'/);
  });

  it('refuses dataSync with the backend’s own error', () => {
    setBackend('cpu-asynchronous-reads');
    expect(() => tensor([1]).dataSync()).toThrow(/synchronous read attempted/);
  });
});
