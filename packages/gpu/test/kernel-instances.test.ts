/**
 * Per-size kernel instances (kernel-runner.ts): a kernel called again at a size it has seen
 * gets an instance of its own, which recycles its output texture from call to call instead of
 * resizing the shared instance (a texture deleted and a new one allocated per call), and a
 * second one when the first one's output is still alive; the number of instances per kernel
 * is capped, and large outputs never get one. Every call's
 * values are checked against the closed form the kernel computes.
 */
import { describe, expect, it } from 'vitest';
import '../src/index.js';
import { define } from '../src/kernel-definition.js';
import { compiledKernelCount, runKernel, SIZED_TEXEL_LIMIT, SIZES_PER_KERNEL } from '../src/kernel-runner.js';
import { gpuReady } from './gpu-availability.js';

interface Texture {
  readonly texture: unknown;
  toArray(): ArrayLike<number>;
  delete(): void;
}

/** Runs the kernel `key` (thread index times `scale`) over `size` threads and checks every value. */
function scaled(key: string, size: number, scale: number): Texture {
  const texture = runKernel(key, () => define(['scale'], 'return (this.thread.x + 0.0) * scale;'), size, [
    scale,
  ]) as Texture;
  const values = texture.toArray();
  expect(values.length).toBe(size);
  let wrong = 0;
  for (let index = 0; index < size; index++) if (values[index] !== index * scale) wrong++;
  expect(wrong).toBe(0);
  return texture;
}

describe.runIf(gpuReady)('per-size kernel instances', () => {
  it('a size that comes back renders into its own recycled texture, with the right values', () => {
    const key = 'test/instances/recycled';
    const handles: unknown[] = [];
    // Alternating sizes: before per-size instances, every call resized the one kernel, which
    // deleted its output texture and allocated another.
    for (let call = 0; call < 8; call++) {
      const size = call % 2 === 0 ? 300 : 77;
      const texture = scaled(key, size, call + 1);
      if (size === 300 && call >= 2) handles.push(texture.texture);
      texture.delete();
    }
    expect(handles).toHaveLength(3);
    // The instance made at the size's second sighting (call 2) renders into that texture again.
    expect(handles[1]).toBe(handles[0]);
    expect(handles[2]).toBe(handles[0]);
  });

  it('a live output is never overwritten by the next call of its size', () => {
    const key = 'test/instances/live';
    const kept = [scaled(key, 50, 1), scaled(key, 50, 2), scaled(key, 50, 3)];
    kept.forEach((texture, index) => {
      expect(Array.from(texture.toArray()).slice(0, 3)).toEqual([0, index + 1, 2 * (index + 1)]);
      texture.delete();
    });
  });

  it('a size whose previous output is still alive takes a second instance, and the two alternate', () => {
    const key = 'test/instances/copies';
    const handles: unknown[] = [];
    let previous: Texture | undefined;
    // Each output stays alive through the next call, as a weight update's output is the next
    // update's input: one instance would allocate a new texture on every call.
    for (let call = 0; call < 6; call++) {
      const texture = scaled(key, 120, call + 1);
      handles.push(texture.texture);
      previous?.delete();
      previous = texture;
    }
    previous?.delete();
    expect(handles[3]).toBe(handles[1]);
    expect(handles[4]).toBe(handles[2]);
    expect(handles[5]).toBe(handles[1]);
    expect(handles[2]).not.toBe(handles[1]);
  });

  it(`keeps at most ${SIZES_PER_KERNEL} sized instances per kernel`, () => {
    const key = 'test/instances/capped';
    const before = compiledKernelCount();
    for (let round = 0; round < 2; round++)
      for (let size = 10; size < 10 + SIZES_PER_KERNEL + 5; size++) scaled(key, size, round + 2).delete();
    // The shared instance, and one per size seen twice up to the cap.
    expect(compiledKernelCount() - before).toBe(1 + SIZES_PER_KERNEL);
  });

  it('an output larger than the texel limit always shares the resizable instance', () => {
    const key = 'test/instances/large';
    const before = compiledKernelCount();
    for (const size of [SIZED_TEXEL_LIMIT + 1000, 64, SIZED_TEXEL_LIMIT + 1000]) scaled(key, size, 1).delete();
    expect(compiledKernelCount() - before).toBe(1);
  });
});
