/**
 * The implicit-im2col SIMD convolution kernels against a direct (seven-loop, float64)
 * convolution on random shapes with stride, asymmetric padding, dilation and groups, including
 * patch sizes above the 256 depth block, forward chunks that split the batch, and output widths
 * that are not multiples of the 4×8 tile.
 *
 * Tolerance: the kernels accumulate in float32 and the reference in float64 from the same
 * float32 inputs, so each output may differ by the float32 accumulation error of a length-k
 * dot product, bounded by k·ε₃₂·Σ|terms| (k = patch size forward, images·positions for the
 * weight gradient, (O/groups)·kh·kw + kh·kw for the input gradient: the grid's sums run over
 * every output channel and kernel position at once, the im2col path's over O/groups and then
 * kh·kw float32 additions in col2im); the tests allow 2·k·ε₃₂·Σ|terms| + 1e-30, as for matmul.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Window2d } from '../backend.js';
import type { ConvolutionGeometry } from '../kernel-operands.js';
import { heapFloat32Array } from '../wasm/kernel-heap.js';
import { simdKernels } from '../wasm/kernel-runtime.js';
import { simdConv2dForward, simdConv2dWeightGradient } from '../wasm/simd-convolution.js';
import { conv2dInputGradient } from './convolution.js';

const EPSILON_32 = 2 ** -23;

interface Case {
  geometry: ConvolutionGeometry;
  x: Float32Array;
  weight: Float32Array;
  dy: Float32Array;
}

function makeCase(
  seedValue: number,
  sizes: {
    batch: number;
    inPerGroup: number;
    outPerGroup: number;
    groups: number;
    height: number;
    width: number;
    kernelHeight: number;
    kernelWidth: number;
  },
  steps: {
    strideHeight: number;
    strideWidth: number;
    padTop: number;
    padBottom: number;
    padLeft: number;
    padRight: number;
    dilationHeight: number;
    dilationWidth: number;
  },
): Case | undefined {
  const { batch, inPerGroup, outPerGroup, groups, height, width, kernelHeight, kernelWidth } = sizes;
  const outputHeight =
    Math.floor(
      (height + steps.padTop + steps.padBottom - steps.dilationHeight * (kernelHeight - 1) - 1) / steps.strideHeight,
    ) + 1;
  const outputWidth =
    Math.floor(
      (width + steps.padLeft + steps.padRight - steps.dilationWidth * (kernelWidth - 1) - 1) / steps.strideWidth,
    ) + 1;
  if (outputHeight <= 0 || outputWidth <= 0) return undefined;
  const window: Window2d = { kernelHeight, kernelWidth, ...steps, outputHeight, outputWidth };
  const geometry: ConvolutionGeometry = {
    batch,
    inChannels: inPerGroup * groups,
    outChannels: outPerGroup * groups,
    height,
    width,
    groups,
    window,
  };
  // A small linear congruential generator: reproducible values without the tensor RNG.
  let state = seedValue >>> 0 || 1;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const fill = (length: number) => Float32Array.from({ length }, random);
  return {
    geometry,
    x: fill(batch * geometry.inChannels * height * width),
    weight: fill(geometry.outChannels * inPerGroup * kernelHeight * kernelWidth),
    dy: fill(batch * geometry.outChannels * outputHeight * outputWidth),
  };
}

/** Calls `visit(n, o, oh, ow, c, ki, kj, xIndex)` for every in-bounds term of the convolution. */
function forEachTerm(
  geometry: ConvolutionGeometry,
  visit: (outIndex: number, weightIndex: number, xIndex: number) => void,
): void {
  const { batch, inChannels, outChannels, height, width, groups, window } = geometry;
  const inPerGroup = inChannels / groups;
  const outPerGroup = outChannels / groups;
  for (let n = 0; n < batch; n++)
    for (let o = 0; o < outChannels; o++)
      for (let oh = 0; oh < window.outputHeight; oh++)
        for (let ow = 0; ow < window.outputWidth; ow++)
          for (let c = 0; c < inPerGroup; c++)
            for (let ki = 0; ki < window.kernelHeight; ki++)
              for (let kj = 0; kj < window.kernelWidth; kj++) {
                const h = oh * window.strideHeight - window.padTop + ki * window.dilationHeight;
                const w = ow * window.strideWidth - window.padLeft + kj * window.dilationWidth;
                if (h < 0 || h >= height || w < 0 || w >= width) continue;
                const channel = Math.floor(o / outPerGroup) * inPerGroup + c;
                visit(
                  ((n * outChannels + o) * window.outputHeight + oh) * window.outputWidth + ow,
                  ((o * inPerGroup + c) * window.kernelHeight + ki) * window.kernelWidth + kj,
                  ((n * inChannels + channel) * height + h) * width + w,
                );
              }
}

function expectWithin(actual: Float32Array, expected: Float64Array, magnitude: Float64Array, depth: number): void {
  for (let index = 0; index < expected.length; index++) {
    const bound = 2 * depth * EPSILON_32 * magnitude[index]! + 1e-30;
    if (!(Math.abs(actual[index]! - expected[index]!) <= bound)) {
      expect.fail(`element ${index}: ${actual[index]} vs ${expected[index]} (bound ${bound})`);
    }
  }
}

/**
 * `x` and the output in the kernel heap (as tensor storages are), so the stride-1 path moves
 * them with kernel copies rather than JavaScript loops. NaN-filled output: every element must
 * be written.
 */
function inHeap(values: Float32Array): Float32Array {
  const array = heapFloat32Array(Math.max(values.length, 4096), false)!.subarray(0, values.length);
  array.set(values);
  return array;
}

function check(testCase: Case, placement: 'ordinary' | 'heap' = 'ordinary'): void {
  const { geometry, weight } = testCase;
  const x = placement === 'heap' ? inHeap(testCase.x) : testCase.x;
  const dy = placement === 'heap' ? inHeap(testCase.dy) : testCase.dy;
  const { batch, outChannels, window } = geometry;
  const outputSize = batch * outChannels * window.outputHeight * window.outputWidth;
  const expectedOut = new Float64Array(outputSize);
  const outMagnitude = new Float64Array(outputSize);
  const expectedGradient = new Float64Array(weight.length);
  const gradientMagnitude = new Float64Array(weight.length);
  const expectedInputGradient = new Float64Array(x.length);
  const inputGradientMagnitude = new Float64Array(x.length);
  forEachTerm(geometry, (outIndex, weightIndex, xIndex) => {
    expectedInputGradient[xIndex]! += weight[weightIndex]! * dy[outIndex]!;
    inputGradientMagnitude[xIndex]! += Math.abs(weight[weightIndex]! * dy[outIndex]!);
    expectedOut[outIndex]! += weight[weightIndex]! * x[xIndex]!;
    outMagnitude[outIndex]! += Math.abs(weight[weightIndex]! * x[xIndex]!);
    expectedGradient[weightIndex]! += dy[outIndex]! * x[xIndex]!;
    gradientMagnitude[weightIndex]! += Math.abs(dy[outIndex]! * x[xIndex]!);
  });
  const patchSize = weight.length / outChannels;
  // NaN-filled outputs: every element must be written.
  const out =
    placement === 'heap' ? inHeap(new Float32Array(outputSize).fill(NaN)) : new Float32Array(outputSize).fill(NaN);
  expect(simdConv2dForward(x, weight, geometry, out)).toBe(true);
  expectWithin(out, expectedOut, outMagnitude, patchSize);
  const gradient = new Float32Array(weight.length).fill(NaN);
  expect(simdConv2dWeightGradient(x, dy, geometry, gradient)).toBe(true);
  expectWithin(gradient, expectedGradient, gradientMagnitude, batch * window.outputHeight * window.outputWidth);
  // The input gradient through the CPU backend's entry, which takes the grid or the im2col
  // path with the WebAssembly col2im (see simd-convolution-input-gradient.ts); `out` zeroed, as
  // the entry requires.
  const inputGradient = placement === 'heap' ? inHeap(new Float32Array(x.length)) : new Float32Array(x.length);
  conv2dInputGradient(dy, weight, geometry, inputGradient);
  const kernelArea = window.kernelHeight * window.kernelWidth;
  expectWithin(
    inputGradient,
    expectedInputGradient,
    inputGradientMagnitude,
    (outChannels / geometry.groups) * kernelArea + kernelArea,
  );
}

const sizes = (overrides: Partial<Parameters<typeof makeCase>[1]>) => ({
  batch: 2,
  inPerGroup: 1,
  outPerGroup: 3,
  groups: 1,
  height: 7,
  width: 6,
  kernelHeight: 3,
  kernelWidth: 3,
  ...overrides,
});
const unitSteps = {
  strideHeight: 1,
  strideWidth: 1,
  padTop: 1,
  padBottom: 1,
  padLeft: 1,
  padRight: 1,
  dilationHeight: 1,
  dilationWidth: 1,
};

describe.skipIf(!simdKernels())('SIMD implicit-im2col convolution', () => {
  it('matches a direct convolution on the benchmark shape (3×3×32 on 28×28×1, batch 64)', () => {
    check(makeCase(1, sizes({ batch: 64, outPerGroup: 32, height: 28, width: 28 }), unitSteps)!);
  });

  it('handles patches deeper than one 256 block, several forward chunks, and wide rows', () => {
    check(makeCase(2, sizes({ batch: 3, inPerGroup: 33, outPerGroup: 9, height: 5, width: 5 }), unitSteps)!);
    check(makeCase(3, sizes({ batch: 40, inPerGroup: 2, outPerGroup: 5, height: 20, width: 20 }), unitSteps)!);
    // Stride 2 over several chunks: the zeros between dy's rows on the input gradient's grid,
    // and the forward pass's phase planes, must survive from one chunk to the next.
    const strideTwo = { ...unitSteps, strideHeight: 2, strideWidth: 2 };
    const stridedCase = makeCase(
      8,
      sizes({ batch: 40, inPerGroup: 2, outPerGroup: 5, height: 20, width: 21 }),
      strideTwo,
    )!;
    check(stridedCase);
    check(stridedCase, 'heap');
    // Stride 2 and 3 with 5 input channels, over several chunks: the forward pass's phase planes
    // and the input gradient's im2col path with the WebAssembly col2im.
    for (const [seedValue, stride] of [
      [9, 2],
      [10, 3],
    ] as const) {
      const phased = makeCase(
        seedValue,
        sizes({ batch: 30, inPerGroup: 5, outPerGroup: 6, height: 19, width: 22, kernelWidth: 4 }),
        { ...unitSteps, strideHeight: stride, strideWidth: 2, padLeft: 2, dilationHeight: 2 },
      )!;
      check(phased);
      check(phased, 'heap');
    }
    check(
      makeCase(4, sizes({ batch: 1, outPerGroup: 4, height: 3, width: 300, kernelHeight: 1 }), {
        ...unitSteps,
        padTop: 0,
        padBottom: 0,
      })!,
    );
  });

  it('matches on random shapes with stride, asymmetric padding, dilation and groups', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          batch: fc.integer({ min: 1, max: 4 }),
          inPerGroup: fc.integer({ min: 1, max: 5 }),
          outPerGroup: fc.integer({ min: 1, max: 11 }),
          groups: fc.integer({ min: 1, max: 3 }),
          height: fc.integer({ min: 1, max: 12 }),
          width: fc.integer({ min: 1, max: 12 }),
          kernelHeight: fc.integer({ min: 1, max: 4 }),
          kernelWidth: fc.integer({ min: 1, max: 4 }),
          strideHeight: fc.integer({ min: 1, max: 3 }),
          strideWidth: fc.integer({ min: 1, max: 3 }),
          padTop: fc.integer({ min: 0, max: 3 }),
          padBottom: fc.integer({ min: 0, max: 3 }),
          padLeft: fc.integer({ min: 0, max: 3 }),
          padRight: fc.integer({ min: 0, max: 3 }),
          dilationHeight: fc.integer({ min: 1, max: 3 }),
          dilationWidth: fc.integer({ min: 1, max: 3 }),
        }),
        (value) => {
          const {
            seed,
            strideHeight,
            strideWidth,
            padTop,
            padBottom,
            padLeft,
            padRight,
            dilationHeight,
            dilationWidth,
            ...shape
          } = value;
          const testCase = makeCase(seed, shape, {
            strideHeight,
            strideWidth,
            padTop,
            padBottom,
            padLeft,
            padRight,
            dilationHeight,
            dilationWidth,
          });
          // Half in the kernel heap: the kernel copies (vector, strided and transposing) instead of JavaScript loops.
          if (testCase) check(testCase, seed % 2 === 0 ? 'heap' : 'ordinary');
        },
      ),
      { numRuns: 150, seed: 20261122 },
    );
  });

  it('matches with input and output in the kernel heap (stride 1: the padded-grid copies)', () => {
    // Widths 28 (whole vectors), 7 and 30 (a remainder of 3 and 2 floats per row), dilation,
    // asymmetric padding, groups, and a patch of 297 that splits a (c, ki) run at the 256 block.
    check(
      makeCase(5, sizes({ batch: 16, inPerGroup: 16, outPerGroup: 32, height: 28, width: 28 }), unitSteps)!,
      'heap',
    );
    check(makeCase(6, sizes({ batch: 3, inPerGroup: 33, outPerGroup: 9, height: 5, width: 7 }), unitSteps)!, 'heap');
    check(
      makeCase(7, sizes({ batch: 2, inPerGroup: 3, outPerGroup: 4, groups: 2, height: 9, width: 30 }), {
        ...unitSteps,
        padTop: 0,
        padBottom: 2,
        padLeft: 3,
        padRight: 0,
        dilationHeight: 2,
        dilationWidth: 3,
      })!,
      'heap',
    );
  });
});
