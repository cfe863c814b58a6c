/**
 * The WebAssembly col2im against the JavaScript loop it replaces (cpu/convolution.ts), bit for
 * bit: the same float32 additions in the same order, on random shapes with stride, asymmetric
 * padding, dilation and channel ranges, into an image that already holds values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Window2d } from '../backend.js';
import { col2im } from './convolution.js';
import { heapFloat32Array } from '../wasm/kernel-heap.js';
import { simdKernels } from '../wasm/kernel-runtime.js';
import { simdCol2im } from '../wasm/simd-col2im.js';

/** A heap array of `length` floats (the heap takes at least 4096) holding `values`. */
function inHeap(values: Float32Array): Float32Array {
  const array = heapFloat32Array(Math.max(values.length, 4096), false)!.subarray(0, values.length);
  array.set(values);
  return array;
}

describe.skipIf(!simdKernels())('simdCol2im', () => {
  it('adds exactly what the JavaScript col2im adds (random stride, padding, dilation, channel ranges)', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          channels: fc.integer({ min: 1, max: 4 }),
          c0: fc.integer({ min: 0, max: 2 }),
          images: fc.integer({ min: 1, max: 2 }),
          height: fc.integer({ min: 1, max: 12 }),
          width: fc.integer({ min: 1, max: 12 }),
          kernel: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
          stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          dilation: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          pads: fc.tuple(...Array.from({ length: 4 }, () => fc.integer({ min: 0, max: 4 }))),
        }),
        ({ seed, channels, c0, images, height, width, kernel, stride, dilation, pads }) => {
          const [padTop, padBottom, padLeft, padRight] = pads;
          const outputHeight =
            Math.floor((height + padTop + padBottom - dilation[0] * (kernel[0] - 1) - 1) / stride[0]) + 1;
          const outputWidth =
            Math.floor((width + padLeft + padRight - dilation[1] * (kernel[1] - 1) - 1) / stride[1]) + 1;
          if (outputHeight <= 0 || outputWidth <= 0) return;
          const window: Window2d = {
            kernelHeight: kernel[0],
            kernelWidth: kernel[1],
            strideHeight: stride[0],
            strideWidth: stride[1],
            padTop,
            padBottom,
            padLeft,
            padRight,
            dilationHeight: dilation[0],
            dilationWidth: dilation[1],
            outputHeight,
            outputWidth,
          };
          let state = seed;
          const random = () => {
            state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
            return state / 2 ** 32 - 0.5;
          };
          const totalChannels = c0 + channels + 1;
          const cols = Float32Array.from(
            { length: channels * kernel[0] * kernel[1] * outputHeight * outputWidth },
            random,
          );
          const image = Float32Array.from({ length: images * totalChannels * height * width }, random);
          const imageOffset = (images - 1) * totalChannels * height * width;
          const expected = image.slice();
          col2im(cols, expected, imageOffset, c0, channels, height, width, window);
          const actual = inHeap(image);
          expect(simdCol2im(inHeap(cols), actual, imageOffset, c0, channels, height, width, window)).toBe(true);
          expect(Array.from(actual)).toEqual(Array.from(expected));
        },
      ),
      { numRuns: 200, seed: 20261205 },
    );
  });

  it('declines arrays outside the kernel memory', () => {
    const window: Window2d = {
      kernelHeight: 1,
      kernelWidth: 1,
      strideHeight: 1,
      strideWidth: 1,
      padTop: 0,
      padBottom: 0,
      padLeft: 0,
      padRight: 0,
      dilationHeight: 1,
      dilationWidth: 1,
      outputHeight: 2,
      outputWidth: 2,
    };
    expect(simdCol2im(new Float32Array(4), new Float32Array(4), 0, 0, 1, 2, 2, window)).toBe(false);
  });
});
