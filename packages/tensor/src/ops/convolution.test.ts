import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avgPool2d, conv1d, conv2d, convTranspose2d, maxPool2d, mul, sum, tensor, type Tensor } from '../index.js';
import { doubleValues, expectClose, fixtures, fromFixture, numbers, product, values } from '../../test/helpers.js';

interface Geometry {
  stride: [number, number];
  pads: [number, number, number, number]; // top, bottom, left, right
  dilation: [number, number];
  groups: number;
}

/** The definition of a grouped, strided, dilated, padded 2-D cross-correlation (NCHW). */
function directConv2d(
  x: readonly number[],
  xShape: readonly number[],
  w: readonly number[],
  wShape: readonly number[],
  bias: readonly number[] | undefined,
  g: Geometry,
): { shape: number[]; data: number[]; magnitude: number[] } {
  const [batch, channels, height, width] = xShape as [number, number, number, number];
  const [outChannels, perGroup, kh, kw] = wShape as [number, number, number, number];
  const outH = Math.floor((height + g.pads[0] + g.pads[1] - g.dilation[0] * (kh - 1) - 1) / g.stride[0]) + 1;
  const outW = Math.floor((width + g.pads[2] + g.pads[3] - g.dilation[1] * (kw - 1) - 1) / g.stride[1]) + 1;
  const outPerGroup = outChannels / g.groups;
  const data: number[] = [];
  const magnitude: number[] = [];
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const group = Math.floor(o / outPerGroup);
      for (let i = 0; i < outH; i++) {
        for (let j = 0; j < outW; j++) {
          let total = bias ? bias[o]! : 0;
          let scale = Math.abs(total);
          for (let c = 0; c < perGroup; c++) {
            for (let ki = 0; ki < kh; ki++) {
              for (let kj = 0; kj < kw; kj++) {
                const h = i * g.stride[0] - g.pads[0] + ki * g.dilation[0];
                const v = j * g.stride[1] - g.pads[2] + kj * g.dilation[1];
                if (h < 0 || h >= height || v < 0 || v >= width) continue;
                const term =
                  x[((n * channels + group * perGroup + c) * height + h) * width + v]! *
                  w[((o * perGroup + c) * kh + ki) * kw + kj]!;
                total += term;
                scale += Math.abs(term);
              }
            }
          }
          data.push(total);
          magnitude.push(scale);
        }
      }
    }
  }
  return { shape: [batch, outChannels, outH, outW], data, magnitude };
}

/** Random convolution problems: groups, kernel, stride, padding (1, 2 or 4 numbers), dilation, bias. */
const convolutionCase = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 3 }),
    inPerGroup: fc.integer({ min: 1, max: 2 }),
    outPerGroup: fc.integer({ min: 1, max: 2 }),
    kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    pads: fc.tuple(
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 2 }),
    ),
    paddingForm: fc.constantFrom('number', 'pair', 'four'),
    extraH: fc.integer({ min: 0, max: 4 }),
    extraW: fc.integer({ min: 0, max: 4 }),
    bias: fc.boolean(),
  })
  .map((c) => {
    const pads: [number, number, number, number] =
      c.paddingForm === 'number'
        ? [c.pads[0], c.pads[0], c.pads[0], c.pads[0]]
        : c.paddingForm === 'pair'
          ? [c.pads[0], c.pads[0], c.pads[2], c.pads[2]]
          : c.pads;
    const padding =
      c.paddingForm === 'number'
        ? pads[0]
        : c.paddingForm === 'pair'
          ? ([pads[0], pads[2]] as [number, number])
          : ([...pads] as [number, number, number, number]);
    // The input is at least as large as the dilated kernel, so the output is never empty.
    const height = Math.max(1, (c.kh - 1) * c.dilation[0] + 1 - pads[0] - pads[1]) + c.extraH;
    const width = Math.max(1, (c.kw - 1) * c.dilation[1] + 1 - pads[2] - pads[3]) + c.extraW;
    const xShape = [c.batch, c.groups * c.inPerGroup, height, width];
    const wShape = [c.groups * c.outPerGroup, c.inPerGroup, c.kh, c.kw];
    return { ...c, padsResolved: pads, padding, xShape, wShape };
  })
  .chain((c) =>
    fc.tuple(
      fc.constant(c),
      doubleValues(product(c.xShape), 2),
      doubleValues(product(c.wShape), 2),
      doubleValues(c.wShape[0]!, 2),
    ),
  );

describe('conv2d', () => {
  it('equals the direct convolution for random stride/padding/dilation/groups/bias (float64, 1e-13·Σ|terms|)', () => {
    fc.assert(
      fc.property(convolutionCase, ([c, xData, wData, bData]) => {
        const x = tensor(xData, { shape: c.xShape, dtype: 'float64' });
        const w = tensor(wData, { shape: c.wShape, dtype: 'float64' });
        const bias = c.bias ? tensor(bData, { dtype: 'float64' }) : undefined;
        const out = conv2d(x, w, {
          stride: c.stride,
          padding: c.padding,
          dilation: c.dilation,
          groups: c.groups,
          bias,
        });
        const expected = directConv2d(xData, c.xShape, wData, c.wShape, c.bias ? bData : undefined, {
          stride: c.stride,
          pads: c.padsResolved,
          dilation: c.dilation,
          groups: c.groups,
        });
        expect(out.shape).toEqual(expected.shape);
        values(out).forEach((v, i) =>
          expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(1e-13 * expected.magnitude[i]! + 1e-300),
        );
      }),
      { numRuns: 80 },
    );
  });

  it("'same' keeps H×W at stride 1 and pads the extra row/column at the bottom/right", () => {
    fc.assert(
      fc.property(convolutionCase, ([c, xData, wData]) => {
        const x = tensor(xData, { shape: c.xShape, dtype: 'float64' });
        const w = tensor(wData, { shape: c.wShape, dtype: 'float64' });
        const out = conv2d(x, w, { padding: 'same', dilation: c.dilation, groups: c.groups });
        expect(out.shape.slice(2)).toEqual(c.xShape.slice(2));
        const totalH = c.dilation[0] * (c.kh - 1);
        const totalW = c.dilation[1] * (c.kw - 1);
        const pads: [number, number, number, number] = [
          Math.floor(totalH / 2),
          Math.ceil(totalH / 2),
          Math.floor(totalW / 2),
          Math.ceil(totalW / 2),
        ];
        const expected = directConv2d(xData, c.xShape, wData, c.wShape, undefined, {
          stride: [1, 1],
          pads,
          dilation: c.dilation,
          groups: c.groups,
        });
        values(out).forEach((v, i) =>
          expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(1e-13 * expected.magnitude[i]! + 1e-300),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('matches torch.nn.functional.conv2d on fixed cases (float64 rtol 1e-12; float32 rtol 1e-5)', () => {
    for (const c of fixtures.convolution.conv2d) {
      for (const dtype of ['float64', 'float32'] as const) {
        const out = conv2d(fromFixture(c.x, dtype), fromFixture(c.weight, dtype), {
          stride: c.stride,
          padding: c.padding,
          dilation: c.dilation,
          groups: c.groups,
          bias: c.bias ? fromFixture(c.bias, dtype) : undefined,
        });
        expect(out.shape, c.name).toEqual(c.out.shape);
        expect(out.dtype).toBe(dtype);
        const tolerance = dtype === 'float64' ? { rtol: 1e-12, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-5 };
        expectClose(out, numbers(c.out), tolerance, `${c.name} ${dtype}`);
      }
    }
  });

  it('accepts strided (non-contiguous) inputs and exists as a method', () => {
    const x = tensor(
      Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => Math.sin(i)),
      { shape: [2, 5, 4, 3], dtype: 'float64' },
    ).permute([0, 3, 2, 1]);
    const w = tensor(
      Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => Math.cos(i)),
      { shape: [2, 3, 2, 2], dtype: 'float64' },
    );
    const expected = conv2d(x.contiguous(), w, { padding: 1 });
    expectClose(conv2d(x, w, { padding: 1 }), values(expected), { rtol: 1e-15, atol: 1e-15 });
    expectClose(x.conv2d(w, { padding: 1 }), values(expected), { rtol: 1e-15, atol: 1e-15 });
  });
});

describe('conv1d', () => {
  it('matches torch.nn.functional.conv1d (stride, padding, same, dilation, groups, bias)', () => {
    for (const c of fixtures.convolution.conv1d) {
      const out = conv1d(fromFixture(c.x), fromFixture(c.weight), {
        stride: c.stride,
        padding: c.padding,
        dilation: c.dilation,
        groups: c.groups,
        bias: c.bias ? fromFixture(c.bias) : undefined,
      });
      expect(out.shape, c.name).toEqual(c.out.shape);
      expectClose(out, numbers(c.out), { rtol: 1e-12, atol: 1e-12 }, c.name);
    }
  });

  it('is conv2d over a height-1 image', () => {
    const x = tensor(
      Array.from({ length: 2 * 2 * 9 }, (_, i) => Math.sin(i)),
      { shape: [2, 2, 9], dtype: 'float64' },
    );
    const w = tensor(
      Array.from({ length: 3 * 2 * 3 }, (_, i) => Math.cos(i)),
      { shape: [3, 2, 3], dtype: 'float64' },
    );
    const out = conv1d(x, w, { stride: 2, padding: 1, dilation: 2 });
    const viaConv2d = conv2d(x.unsqueeze(2), w.unsqueeze(2), { stride: [1, 2], padding: [0, 1], dilation: [1, 2] });
    expect(out.shape).toEqual([2, 3, 4]);
    expect(values(out)).toEqual(values(viaConv2d));
  });
});

describe('convTranspose2d', () => {
  it('is the adjoint of conv2d: <conv2d(x, w), y> = <x, convTranspose2d(y, w)>', () => {
    fc.assert(
      fc.property(convolutionCase, ([c, xData, wData]) => {
        // convTranspose2d takes symmetric padding only.
        const pads: [number, number, number, number] = [
          c.padsResolved[0],
          c.padsResolved[0],
          c.padsResolved[2],
          c.padsResolved[2],
        ];
        const height = Math.max(c.xShape[2]!, (c.kh - 1) * c.dilation[0] + 1 - 2 * pads[0] + 1);
        const width = Math.max(c.xShape[3]!, (c.kw - 1) * c.dilation[1] + 1 - 2 * pads[2] + 1);
        const xShape = [c.xShape[0]!, c.xShape[1]!, height, width];
        const xValues = Array.from({ length: product(xShape) }, (_, i) => xData[i % xData.length]! + i / 97);
        const x = tensor(xValues, { shape: xShape, dtype: 'float64' });
        const w = tensor(wData, { shape: c.wShape, dtype: 'float64' });
        const options = {
          stride: c.stride,
          padding: [pads[0], pads[2]] as [number, number],
          dilation: c.dilation,
          groups: c.groups,
        };
        const forward = conv2d(x, w, options);
        const [outH, outW] = [forward.shape[2]!, forward.shape[3]!];
        // The rows/columns the strided forward pass never reached are restored by outputPadding.
        const outputPadding: [number, number] = [
          height - ((outH - 1) * c.stride[0] - 2 * pads[0] + c.dilation[0] * (c.kh - 1) + 1),
          width - ((outW - 1) * c.stride[1] - 2 * pads[2] + c.dilation[1] * (c.kw - 1) + 1),
        ];
        expect(outputPadding[0]).toBeLessThan(c.stride[0]);
        expect(outputPadding[1]).toBeLessThan(c.stride[1]);
        const y = tensor(
          Array.from({ length: forward.size }, (_, i) => Math.cos(1 + i * 0.37)),
          { shape: forward.shape, dtype: 'float64' },
        );
        const back = convTranspose2d(y, w, { ...options, outputPadding });
        expect(back.shape).toEqual(xShape);
        const left = sum(mul(forward, y)).item();
        const right = sum(mul(x, back)).item();
        const scale = values(forward).reduce((s, v, i) => s + Math.abs(v * values(y)[i]!), 0) + 1;
        expect(Math.abs(left - right)).toBeLessThanOrEqual(1e-12 * scale);
      }),
      { numRuns: 60 },
    );
  });

  it('matches torch.nn.functional.conv_transpose2d (stride, padding, outputPadding, dilation, groups, bias)', () => {
    for (const c of fixtures.convolution.convTranspose2d) {
      const out = convTranspose2d(fromFixture(c.x), fromFixture(c.weight), {
        stride: c.stride,
        padding: c.padding,
        outputPadding: c.outputPadding,
        dilation: c.dilation,
        groups: c.groups,
        bias: c.bias ? fromFixture(c.bias) : undefined,
      });
      expect(out.shape, c.name).toEqual(c.out.shape);
      expectClose(out, numbers(c.out), { rtol: 1e-12, atol: 1e-12 }, c.name);
    }
  });
});

/** Direct pooling from the definition (padding ignored for max; counted or not for avg). */
function directPool(
  kind: 'max' | 'avg',
  x: readonly number[],
  shape: readonly number[],
  kernel: [number, number],
  stride: [number, number],
  padding: [number, number],
  dilation: [number, number],
  countIncludePad: boolean,
): { shape: number[]; data: number[] } {
  const [batch, channels, height, width] = shape as [number, number, number, number];
  const outH = Math.floor((height + 2 * padding[0] - dilation[0] * (kernel[0] - 1) - 1) / stride[0]) + 1;
  const outW = Math.floor((width + 2 * padding[1] - dilation[1] * (kernel[1] - 1) - 1) / stride[1]) + 1;
  const data: number[] = [];
  for (let plane = 0; plane < batch * channels; plane++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const window: number[] = [];
        for (let ki = 0; ki < kernel[0]; ki++) {
          for (let kj = 0; kj < kernel[1]; kj++) {
            const h = i * stride[0] - padding[0] + ki * dilation[0];
            const w = j * stride[1] - padding[1] + kj * dilation[1];
            if (h >= 0 && h < height && w >= 0 && w < width) window.push(x[(plane * height + h) * width + w]!);
          }
        }
        if (kind === 'max') data.push(Math.max(...window));
        else data.push(window.reduce((a, b) => a + b, 0) / (countIncludePad ? kernel[0] * kernel[1] : window.length));
      }
    }
  }
  return { shape: [batch, channels, outH, outW], data };
}

describe('maxPool2d and avgPool2d', () => {
  it('match torch max_pool2d / avg_pool2d (stride, padding, dilation, countIncludePad, ties)', () => {
    const section = fixtures.convolution.pool;
    const x = fromFixture(section.x);
    for (const c of section.cases) {
      const label = JSON.stringify({ ...c, out: undefined });
      const options = {
        stride: c.stride ?? undefined,
        padding: c.padding,
        ...(c.kind === 'max' ? { dilation: c.dilation } : {}),
      };
      const out: Tensor =
        c.kind === 'max'
          ? maxPool2d(x, c.kernel, options)
          : avgPool2d(x, c.kernel, { ...options, countIncludePad: c.countIncludePad });
      expect(out.shape, label).toEqual(c.out.shape);
      expectClose(out, numbers(c.out), { rtol: 1e-14, atol: 1e-15 }, label);
    }
  });

  it('equal the direct definition on random geometry', () => {
    fc.assert(
      fc.property(
        fc.record({
          kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
          padFraction: fc.tuple(fc.boolean(), fc.boolean()),
          extra: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })),
          countIncludePad: fc.boolean(),
        }),
        (c) => {
          const padding: [number, number] = [
            c.padFraction[0] ? Math.floor(c.kernel[0] / 2) : 0,
            c.padFraction[1] ? Math.floor(c.kernel[1] / 2) : 0,
          ];
          const shape = [
            2,
            2,
            (c.kernel[0] - 1) * c.dilation[0] + 1 + c.extra[0],
            (c.kernel[1] - 1) * c.dilation[1] + 1 + c.extra[1],
          ];
          const data = Array.from({ length: product(shape) }, (_, i) => Math.round(10 * Math.sin(i * 1.7)) / 2);
          const x = tensor(data, { shape, dtype: 'float64' });
          const max = maxPool2d(x, c.kernel, { stride: c.stride, padding, dilation: c.dilation });
          const expectedMax = directPool('max', data, shape, c.kernel, c.stride, padding, c.dilation, false);
          expect(max.shape).toEqual(expectedMax.shape);
          expect(values(max)).toEqual(expectedMax.data);
          const avg = avgPool2d(x, c.kernel, { stride: c.stride, padding, countIncludePad: c.countIncludePad });
          const expectedAvg = directPool('avg', data, shape, c.kernel, c.stride, padding, [1, 1], c.countIncludePad);
          expect(avg.shape).toEqual(expectedAvg.shape);
          expectClose(avg, expectedAvg.data, { rtol: 1e-14, atol: 1e-15 });
        },
      ),
      { numRuns: 80 },
    );
  });

  it('default the stride to the kernel size', () => {
    const x = tensor(
      Array.from({ length: 16 }, (_, i) => i),
      { shape: [1, 1, 4, 4] },
    );
    expect(maxPool2d(x, 2).toArray()).toEqual([
      [
        [
          [5, 7],
          [13, 15],
        ],
      ],
    ]);
    expect(avgPool2d(x, 2).toArray()).toEqual([
      [
        [
          [2.5, 4.5],
          [10.5, 12.5],
        ],
      ],
    ]);
  });
});
