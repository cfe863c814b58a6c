/**
 * conv2d, its input gradient and its weight gradient in float32: the SIMD kernels (the
 * padded-grid engine, wasm/padded-grid-convolution.ts, and the implicit-im2col weight gradient)
 * against the scalar im2col path (`setKernelMode('scalar')`) on random shapes with stride 1 and
 * 2, asymmetric padding, dilation and groups.
 *
 * Tolerance: both sides sum the same products in float32 but in different orders (the scalar
 * gemm accumulates in float64 and rounds once; col2im then adds kh·kw float32 partial sums), so
 * an element may differ by (2·k + kh·kw + 2)·ε₃₂·Σ|terms|, k being the SIMD dot-product length
 * (patch size forward, images·positions for the weight gradient, (O/groups)·kh·kw for the input
 * gradient). Σ|terms| comes from a direct loop over the convolution's terms in float64.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Window2d } from '../backend.js';
import { kernelInfo, setKernelMode, tensor, type Tensor } from '../index.js';
import { conv2d, conv2dInputGradient, conv2dWeightGradient } from './convolution.js';

const EPSILON_32 = 2 ** -23;

interface Shape {
  batch: number;
  inPerGroup: number;
  outPerGroup: number;
  groups: number;
  height: number;
  width: number;
  kernel: [number, number];
  stride: [number, number];
  pads: [number, number, number, number];
  dilation: [number, number];
}

function windowOf(shape: Shape): Window2d | undefined {
  const [kh, kw] = shape.kernel;
  const outputHeight =
    Math.floor((shape.height + shape.pads[0] + shape.pads[1] - shape.dilation[0] * (kh - 1) - 1) / shape.stride[0]) + 1;
  const outputWidth =
    Math.floor((shape.width + shape.pads[2] + shape.pads[3] - shape.dilation[1] * (kw - 1) - 1) / shape.stride[1]) + 1;
  if (outputHeight <= 0 || outputWidth <= 0) return undefined;
  return {
    kernelHeight: kh,
    kernelWidth: kw,
    strideHeight: shape.stride[0],
    strideWidth: shape.stride[1],
    padTop: shape.pads[0],
    padBottom: shape.pads[1],
    padLeft: shape.pads[2],
    padRight: shape.pads[3],
    dilationHeight: shape.dilation[0],
    dilationWidth: shape.dilation[1],
    outputHeight,
    outputWidth,
  };
}

/** Σ|terms| of every output, input-gradient and weight-gradient element, in float64. */
function magnitudes(shape: Shape, window: Window2d, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const { batch, inPerGroup, outPerGroup, groups, height, width } = shape;
  const [inChannels, outChannels] = [inPerGroup * groups, outPerGroup * groups];
  const { kernelHeight, kernelWidth, outputHeight, outputWidth } = window;
  const out = new Float64Array(batch * outChannels * outputHeight * outputWidth);
  const input = new Float64Array(x.length);
  const weight = new Float64Array(w.length);
  for (let n = 0; n < batch; n++)
    for (let o = 0; o < outChannels; o++)
      for (let oh = 0; oh < outputHeight; oh++)
        for (let ow = 0; ow < outputWidth; ow++)
          for (let c = 0; c < inPerGroup; c++)
            for (let ki = 0; ki < kernelHeight; ki++)
              for (let kj = 0; kj < kernelWidth; kj++) {
                const h = oh * window.strideHeight - window.padTop + ki * window.dilationHeight;
                const v = ow * window.strideWidth - window.padLeft + kj * window.dilationWidth;
                if (h < 0 || h >= height || v < 0 || v >= width) continue;
                const outIndex = ((n * outChannels + o) * outputHeight + oh) * outputWidth + ow;
                const weightIndex = ((o * inPerGroup + c) * kernelHeight + ki) * kernelWidth + kj;
                const xIndex =
                  ((n * inChannels + Math.floor(o / outPerGroup) * inPerGroup + c) * height + h) * width + v;
                out[outIndex]! += Math.abs(w[weightIndex]! * x[xIndex]!);
                input[xIndex]! += Math.abs(w[weightIndex]! * dy[outIndex]!);
                weight[weightIndex]! += Math.abs(dy[outIndex]! * x[xIndex]!);
              }
  return { out, input, weight };
}

function inMode(mode: 'simd' | 'scalar', run: () => Tensor): Float32Array {
  setKernelMode(mode);
  const result = run();
  const values = result.dataSync() as Float32Array;
  result.dispose();
  return values;
}

function expectWithin(name: string, simd: Float32Array, scalar: Float32Array, magnitude: Float64Array, depth: number) {
  expect(simd.length).toBe(scalar.length);
  for (let index = 0; index < simd.length; index++) {
    const bound = (2 * depth + 2) * EPSILON_32 * magnitude[index]! + 1e-30;
    if (!(Math.abs(simd[index]! - scalar[index]!) <= bound))
      expect.fail(`${name} element ${index}: SIMD ${simd[index]} vs scalar ${scalar[index]} (bound ${bound})`);
  }
}

const simdAvailable = kernelInfo().simdAvailable;

describe.skipIf(!simdAvailable)('conv2d float32: SIMD kernels against the scalar path', () => {
  afterEach(() => setKernelMode('simd'));

  it('forward, input gradient and weight gradient agree on random shapes (stride 1 and 2, padding, dilation, groups)', () => {
    const pair = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          batch: fc.integer({ min: 1, max: 5 }),
          inPerGroup: fc.integer({ min: 1, max: 6 }),
          outPerGroup: fc.integer({ min: 1, max: 9 }),
          groups: fc.integer({ min: 1, max: 3 }),
          height: fc.integer({ min: 1, max: 14 }),
          width: fc.integer({ min: 1, max: 14 }),
          kernel: pair(1, 4),
          stride: pair(1, 2),
          pads: fc.tuple(...Array.from({ length: 4 }, () => fc.integer({ min: 0, max: 3 }))),
          dilation: pair(1, 2),
        }),
        (value) => {
          const { seed, ...shape } = value as Shape & { seed: number };
          const window = windowOf(shape);
          if (!window) return;
          const { batch, inPerGroup, outPerGroup, groups, height, width } = shape;
          let state = seed;
          const random = () => {
            state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
            return state / 2 ** 32 - 0.5;
          };
          const fill = (length: number) => Float32Array.from({ length }, random);
          const xShape = [batch, inPerGroup * groups, height, width];
          const wShape = [outPerGroup * groups, inPerGroup, ...shape.kernel];
          const dyShape = [batch, outPerGroup * groups, window.outputHeight, window.outputWidth];
          const xValues = fill(xShape.reduce((a, b) => a * b));
          const wValues = fill(wShape.reduce((a, b) => a * b));
          const dyValues = fill(dyShape.reduce((a, b) => a * b));
          const x = tensor(xValues, { shape: xShape });
          const w = tensor(wValues, { shape: wShape });
          const dy = tensor(dyValues, { shape: dyShape });
          const [padTop, padBottom, padLeft, padRight] = shape.pads;
          const options = {
            stride: shape.stride,
            padding: [padTop, padBottom, padLeft, padRight] as [number, number, number, number],
            dilation: shape.dilation,
            groups,
          };
          const run = {
            forward: () => conv2d(x, w, options),
            input: () => conv2dInputGradient(dy, w, window, groups, height, width),
            weight: () => conv2dWeightGradient(x, dy, window, groups),
          };
          const magnitude = magnitudes(shape, window, xValues, wValues, dyValues);
          const kernelArea = shape.kernel[0] * shape.kernel[1];
          const positions = window.outputHeight * window.outputWidth;
          expectWithin(
            'forward',
            inMode('simd', run.forward),
            inMode('scalar', run.forward),
            magnitude.out,
            inPerGroup * kernelArea,
          );
          expectWithin(
            'input gradient',
            inMode('simd', run.input),
            inMode('scalar', run.input),
            magnitude.input,
            outPerGroup * kernelArea + kernelArea,
          );
          expectWithin(
            'weight gradient',
            inMode('simd', run.weight),
            inMode('scalar', run.weight),
            magnitude.weight,
            batch * positions,
          );
          for (const t of [x, w, dy]) t.dispose();
        },
      ),
      { numRuns: 120, seed: 20261205 },
    );
  });
});
