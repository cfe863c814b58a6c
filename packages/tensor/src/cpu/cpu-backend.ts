/**
 * The CPU backend: storages are typed arrays and every primitive is a TypeScript loop.
 */
import type { Backend, ReductionKind, TensorView, Window2d } from '../backend.js';
import { type DType, type TypedArray } from '../dtype.js';
import { ownArray, recycleArray, takeArray, zeroedArray } from './buffer-pool.js';
import {
  BINARY_KERNELS,
  binaryExpressionKernel,
  UNARY_KERNELS,
  unaryExpressionKernel,
  type BinaryKernelName,
  type FusedKernel,
  type UnaryKernelName,
} from '../kernels/elementwise-kernels.js';
import { sizeOf, type Shape } from '../shape.js';
import type { ConvolutionGeometry } from '../kernel-operands.js';
import { conv2dForward, conv2dInputGradient, conv2dWeightGradient } from './convolution.js';
import { binaryLoop, fusedLoop, unaryLoop, whereLoop } from './elementwise-loops.js';
import { concatValues, gatherValues, padValues, scatterAddValues } from './indexing.js';
import { gemm } from './matmul.js';
import { logSoftmaxRows, SOFTMAX_ROWS_MAXIMUM_VALUES, softmaxGradientRows, softmaxRows } from './softmax-rows.js';
import { LOG_SOFTMAX_GRADIENT, SOFTMAX_GRADIENT } from '../kernels/softmax-gradient-kernels.js';
import { pool2dPlanes } from './pooling.js';
import { argReduceBlock, blockLayout, cumulativeBlock, isContiguousView, reduceBlock } from './reduce.js';
import { collapseDimensions } from './strided.js';
import { hasSimdBinary, simdBinary, simdBinaryStrided, simdExp } from '../wasm/simd-elementwise.js';
import { simdFused } from '../wasm/simd-fused.js';
import { simdFusedMany } from '../wasm/simd-fused-many.js';

// Casting to bool maps every non-zero (NaN included, as in PyTorch) to true.
const toBool = (x: number) => (x !== 0 ? 1 : 0);

const identity = (x: number) => x;

/** Materialises a strided view as a contiguous array of `dtype` (casting on the way). */
function copyView(x: TensorView, dtype: DType): TypedArray {
  const out = takeArray(dtype, sizeOf(x.shape));
  const layout = collapseDimensions(x.shape, [x.strides]);
  const kernel = dtype === 'bool' && x.dtype !== 'bool' ? toBool : identity;
  unaryLoop(kernel, `${x.dtype}>${dtype}`)(x.data as TypedArray, x.offset, layout.strides[0]!, out, layout.shape, 0);
  return out;
}

function contiguousValues(x: TensorView): { values: TypedArray; offset: number } {
  if (isContiguousView(x)) return { values: x.data as TypedArray, offset: x.offset };
  return { values: copyView(x, x.dtype), offset: 0 };
}

function dense(x: TensorView): TypedArray {
  const { values, offset } = contiguousValues(x);
  const size = sizeOf(x.shape);
  return offset === 0 && values.length === size ? values : values.subarray(offset, offset + size);
}

function geometry(x: TensorView, weightShape: Shape, window: Window2d, groups: number): ConvolutionGeometry {
  return {
    batch: x.shape[0]!,
    inChannels: x.shape[1]!,
    outChannels: weightShape[0]!,
    height: x.shape[2]!,
    width: x.shape[3]!,
    groups,
    window,
  };
}

/** Splits sorted axes into runs of adjacent axes: [0, 2, 3] → [[0], [2, 3]]. */
function adjacentRuns(axes: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const axis of axes) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === axis - 1) last.push(axis);
    else runs.push([axis]);
  }
  return runs;
}

/**
 * Reduces a contiguous tensor over several separated runs of axes (the bias gradient of a
 * convolution sums [N, C, H, W] over N and H·W) one run at a time, last run first, so that
 * each stage reads its input in place instead of first copying a transposed tensor.
 * Intermediate stages are kept in float64, like the single-pass accumulator.
 */
function reduceInRuns(kind: ReductionKind, x: TensorView, runs: readonly number[][], outDtype: DType): TypedArray {
  let values = x.data as TypedArray;
  let offset = x.offset;
  let shape = [...x.shape];
  for (let index = runs.length - 1; index >= 0; index--) {
    const run = runs[index]!;
    const first = run[0]!;
    const last = run[run.length - 1]!;
    values = reduceBlock(
      kind,
      {
        values,
        offset,
        outer: sizeOf(shape.slice(0, first)),
        reduced: sizeOf(shape.slice(first, last + 1)),
        inner: sizeOf(shape.slice(last + 1)),
      },
      index === 0 ? outDtype : 'float64',
    );
    offset = 0;
    shape = [...shape.slice(0, first), ...shape.slice(last + 1)];
  }
  return values;
}

/**
 * The values of `x` when it is a float32 view with contiguous rows (row-major, any offset) of
 * fewer than SOFTMAX_ROWS_MAXIMUM_VALUES values, which cpu/softmax-rows.ts computes in one call
 * faster than the composites' ops (see there); else undefined.
 */
function smallFloat32Rows(x: TensorView): Float32Array | undefined {
  if (!(x.data instanceof Float32Array) || x.dtype !== 'float32') return undefined;
  if (sizeOf(x.shape) >= SOFTMAX_ROWS_MAXIMUM_VALUES || !isContiguousView(x)) return undefined;
  return x.data;
}

/** Creates the CPU backend (registered by default as `cpu`). */
export function createCpuBackend(): Backend {
  return {
    name: 'cpu',
    supportsSyncRead: true,
    upload: (values, dtype) => {
      const out = takeArray(dtype, values.length);
      out.set(values);
      return out;
    },
    read: async (data, dtype, size) => (data as TypedArray).slice(0, size),
    readSync: (data, _dtype, size) => (data as TypedArray).slice(0, size),
    // Released storages go back to the pool (only arrays this backend made; see buffer-pool.ts).
    release: recycleArray,
    copy: copyView,
    unary(kernel: UnaryKernelName, x: TensorView, outDtype: DType, parameter: number) {
      const out = takeArray(outDtype, sizeOf(x.shape));
      const layout = collapseDimensions(x.shape, [x.strides]);
      if (
        kernel === 'exp' &&
        out instanceof Float32Array &&
        x.data instanceof Float32Array &&
        layout.shape.length === 1 &&
        layout.strides[0]![0] === 1 &&
        simdExp(x.data, x.offset, out, out.length)
      ) {
        return out;
      }
      // Other contiguous float32 unary ops run their table expression on the SIMD compiler when
      // it compiles (relu, leakyRelu, square, neg, floor, round, ...: bit-identical to the loop;
      // exp, log, tanh, erf, sin, tan, ...: within 1 float32 ulp, wasm/simd-math.ts); a kernel
      // the compiler refused would fall back to the loop, counted in kernelInfo().fallbacks.
      if (
        out instanceof Float32Array &&
        x.data instanceof Float32Array &&
        layout.shape.length === 1 &&
        layout.strides[0]![0] === 1 &&
        simdFused(
          unaryExpressionKernel(kernel),
          [x.data],
          [x.offset],
          unaryExpressionKernel(kernel).scalarCount > 0 ? [parameter] : [],
          out,
          out.length,
        )
      ) {
        return out;
      }
      unaryLoop(UNARY_KERNELS[kernel], `${x.dtype}>${outDtype}`)(
        x.data as TypedArray,
        x.offset,
        layout.strides[0]!,
        out,
        layout.shape,
        parameter,
      );
      return out;
    },
    binary(kernel: BinaryKernelName, a: TensorView, b: TensorView, outShape: Shape, outDtype: DType) {
      const out = takeArray(outDtype, sizeOf(outShape));
      const layout = collapseDimensions(outShape, [a.strides, b.strides]);
      // Contiguous float32 (same shape, or one side a broadcast scalar) runs on the SIMD kernel.
      if (
        hasSimdBinary(kernel) &&
        out instanceof Float32Array &&
        a.data instanceof Float32Array &&
        b.data instanceof Float32Array &&
        layout.shape.length === 1
      ) {
        const strideA = layout.strides[0]![0]!;
        const strideB = layout.strides[1]![0]!;
        if (
          (strideA === 1 || strideA === 0) &&
          (strideB === 1 || strideB === 0) &&
          simdBinary(
            kernel,
            { values: a.data, offset: a.offset, scalar: strideA === 0 },
            { values: b.data, offset: b.offset, scalar: strideB === 0 },
            out,
            out.length,
          )
        ) {
          return out;
        }
      }
      // Broadcasts whose innermost axis is contiguous in both operands, or one value per row in
      // one of them (a bias row repeated down a batch, x − max over [R, C] and [R, 1], ...): the
      // SIMD row kernels, bit for bit the loop (wasm/simd-broadcast.ts).
      if (
        hasSimdBinary(kernel) &&
        out instanceof Float32Array &&
        a.data instanceof Float32Array &&
        b.data instanceof Float32Array &&
        layout.shape.length >= 2 &&
        simdBinaryStrided(
          kernel,
          { values: a.data, offset: a.offset, strides: layout.strides[0]! },
          { values: b.data, offset: b.offset, strides: layout.strides[1]! },
          out,
          layout.shape,
        )
      ) {
        return out;
      }
      // The other float32 binary ops (pow, maximum, minimum, mod), contiguous or with one side a
      // broadcast value, run their table expression on the SIMD compiler (wasm/simd-fused.ts):
      // bit-identical to the loop, pow within 1 float32 ulp (wasm/simd-math.ts).
      if (
        !hasSimdBinary(kernel) &&
        out instanceof Float32Array &&
        a.data instanceof Float32Array &&
        b.data instanceof Float32Array &&
        layout.shape.length === 1
      ) {
        const strideA = layout.strides[0]![0]!;
        const strideB = layout.strides[1]![0]!;
        const broadcast = strideA === 0 && strideB === 1 ? 'left' : strideB === 0 && strideA === 1 ? 'right' : 'none';
        const tensors = broadcast === 'left' ? [b] : broadcast === 'right' ? [a] : [a, b];
        const scalars = broadcast === 'left' ? [a.data[a.offset]!] : broadcast === 'right' ? [b.data[b.offset]!] : [];
        if (
          (broadcast !== 'none' || (strideA === 1 && strideB === 1)) &&
          simdFused(
            binaryExpressionKernel(kernel, broadcast),
            tensors.map((operand) => operand.data as Float32Array),
            tensors.map((operand) => operand.offset),
            scalars,
            out,
            out.length,
          )
        ) {
          return out;
        }
      }
      binaryLoop(BINARY_KERNELS[kernel], `${a.dtype},${b.dtype}>${outDtype}`)(
        a.data as TypedArray,
        a.offset,
        layout.strides[0]!,
        b.data as TypedArray,
        b.offset,
        layout.strides[1]!,
        out,
        layout.shape,
      );
      return out;
    },
    where(condition, a, b, outShape, outDtype) {
      const out = takeArray(outDtype, sizeOf(outShape));
      const layout = collapseDimensions(outShape, [condition.strides, a.strides, b.strides]);
      whereLoop(
        condition.data as TypedArray,
        condition.offset,
        layout.strides[0]!,
        a.data as TypedArray,
        a.offset,
        layout.strides[1]!,
        b.data as TypedArray,
        b.offset,
        layout.strides[2]!,
        out,
        layout.shape,
      );
      return out;
    },
    fused(kernel: FusedKernel, inputs: readonly TensorView[], scalars: readonly number[], outDtype: DType) {
      const size = sizeOf(inputs[0]!.shape);
      const out = takeArray(outDtype, size);
      const contiguous = inputs.map(contiguousValues);
      // Float32 kernels written as one arithmetic expression run compiled to WebAssembly SIMD
      // (same results bit for bit); the JavaScript loop below handles everything else.
      if (
        out instanceof Float32Array &&
        contiguous.every((input) => input.values instanceof Float32Array) &&
        simdFused(
          kernel,
          contiguous.map((input) => input.values as Float32Array),
          contiguous.map((input) => input.offset),
          scalars,
          out,
          size,
        )
      ) {
        return out;
      }
      fusedLoop(kernel, `${inputs.map((input) => input.dtype).join(',')}>${outDtype}`)(
        contiguous.map((input) => input.values),
        contiguous.map((input) => input.offset),
        scalars,
        out,
        size,
      );
      return out;
    },
    fusedMany(
      kernels: readonly FusedKernel[],
      inputs: readonly TensorView[],
      scalars: readonly number[],
      outDtype: DType,
    ) {
      // Only float32 has a one-pass form (WebAssembly SIMD); the JavaScript loop gains nothing
      // over separate passes worth a second code path.
      if (outDtype !== 'float32') return undefined;
      const contiguous = inputs.map(contiguousValues);
      if (!contiguous.every((input) => input.values instanceof Float32Array)) return undefined;
      const size = sizeOf(inputs[0]!.shape);
      const outs = kernels.map(() => takeArray(outDtype, size) as Float32Array);
      const done = simdFusedMany(
        kernels,
        contiguous.map((input) => input.values as Float32Array),
        contiguous.map((input) => input.offset),
        scalars,
        outs,
        size,
      );
      if (done) return outs;
      for (const out of outs) recycleArray(out);
      return undefined;
    },
    softmaxRows(kind: 'softmax' | 'logSoftmax', x: TensorView) {
      const rows = smallFloat32Rows(x);
      if (rows === undefined) return undefined;
      const columns = x.shape[x.shape.length - 1]!;
      return (kind === 'softmax' ? softmaxRows : logSoftmaxRows)(rows, x.offset, sizeOf(x.shape) / columns, columns);
    },
    softmaxGradientRows(kind: 'softmax' | 'logSoftmax', g: TensorView, y: TensorView) {
      const gValues = smallFloat32Rows(g);
      const yValues = smallFloat32Rows(y);
      if (gValues === undefined || yValues === undefined || sizeOf(y.shape) === 0) return undefined;
      const columns = y.shape[y.shape.length - 1]!;
      const softmax = kind === 'softmax';
      return softmaxGradientRows(
        softmax ? SOFTMAX_GRADIENT : LOG_SOFTMAX_GRADIENT,
        softmax,
        gValues,
        g.offset,
        yValues,
        y.offset,
        sizeOf(y.shape) / columns,
        columns,
      );
    },
    reduce(kind: ReductionKind, x: TensorView, axes: readonly number[], outDtype: DType) {
      const sorted = [...axes].sort((first, second) => first - second);
      const runs = adjacentRuns(sorted);
      if (runs.length > 1 && isContiguousView(x)) return ownArray(reduceInRuns(kind, x, runs, outDtype));
      return ownArray(
        reduceBlock(
          kind,
          blockLayout(x, axes, (view) => copyView(view, view.dtype)),
          outDtype,
        ),
      );
    },
    argReduce(kind, x, axis) {
      return argReduceBlock(
        kind,
        blockLayout(x, [axis], (view) => copyView(view, view.dtype)),
      );
    },
    cumulative(kind, x, axis, outDtype) {
      // The cumulative axis must stay in place, so only contiguous inputs skip the copy.
      const values = dense(x);
      return ownArray(
        cumulativeBlock(
          kind,
          {
            values,
            offset: 0,
            outer: sizeOf(x.shape.slice(0, axis)),
            reduced: x.shape[axis]!,
            inner: sizeOf(x.shape.slice(axis + 1)),
          },
          outDtype,
        ),
      );
    },
    matmul(a: TensorView, b: TensorView, outDtype: DType) {
      const rank = a.shape.length;
      const m = a.shape[rank - 2]!;
      const k = a.shape[rank - 1]!;
      const n = b.shape[rank - 1]!;
      const batchShape = a.shape.slice(0, rank - 2);
      const batches = sizeOf(batchShape);
      // gemm overwrites its whole m×n block (the scalar kernel zeroes it first).
      const out = takeArray(outDtype, batches * m * n);
      const aValues = a.data as TypedArray;
      const bValues = b.data as TypedArray;
      const counter = new Array<number>(batchShape.length).fill(0);
      let aOffset = a.offset;
      let bOffset = b.offset;
      for (let batch = 0; batch < batches; batch++) {
        gemm(
          m,
          n,
          k,
          { values: aValues, offset: aOffset, rowStride: a.strides[rank - 2]!, columnStride: a.strides[rank - 1]! },
          { values: bValues, offset: bOffset, rowStride: b.strides[rank - 2]!, columnStride: b.strides[rank - 1]! },
          out,
          batch * m * n,
        );
        for (let axis = batchShape.length - 1; axis >= 0; axis--) {
          aOffset += a.strides[axis]!;
          bOffset += b.strides[axis]!;
          if (++counter[axis]! < batchShape[axis]!) break;
          aOffset -= a.strides[axis]! * batchShape[axis]!;
          bOffset -= b.strides[axis]! * batchShape[axis]!;
          counter[axis] = 0;
        }
      }
      return out;
    },
    conv2d(x, weight, window, groups, outDtype) {
      const shape = geometry(x, weight.shape, window, groups);
      // Both paths write every element (the grid's copy-out, the scalar path's gemm blocks),
      // so the output is not zeroed first.
      const out = takeArray(outDtype, shape.batch * shape.outChannels * window.outputHeight * window.outputWidth);
      conv2dForward(dense(x), dense(weight), shape, out);
      return out;
    },
    conv2dTransposeInput(dy, weight, window, groups, inputHeight, inputWidth, outDtype) {
      const batch = dy.shape[0]!;
      const inChannels = weight.shape[1]! * groups;
      const shape: ConvolutionGeometry = {
        batch,
        inChannels,
        outChannels: weight.shape[0]!,
        height: inputHeight,
        width: inputWidth,
        groups,
        window,
      };
      const out = zeroedArray(outDtype, batch * inChannels * inputHeight * inputWidth);
      conv2dInputGradient(dense(dy), dense(weight), shape, out);
      return out;
    },
    conv2dWeightGradient(x, dy, window, groups, outDtype) {
      const outChannels = dy.shape[1]!;
      const shape: ConvolutionGeometry = { ...geometry(x, [outChannels], window, groups) };
      const out = zeroedArray(
        outDtype,
        outChannels * (x.shape[1]! / groups) * window.kernelHeight * window.kernelWidth,
      );
      conv2dWeightGradient(dense(x), dense(dy), shape, out);
      return out;
    },
    pool2d(kind, x, window, countIncludePad) {
      const [batch, channels, height, width] = x.shape as [number, number, number, number];
      const outputs = batch * channels * window.outputHeight * window.outputWidth;
      const values = zeroedArray(x.dtype, outputs);
      const indices = kind === 'max' ? new Int32Array(outputs) : undefined;
      pool2dPlanes(kind, dense(x), batch * channels, height, width, window, countIncludePad, values, indices);
      return indices ? { values, indices } : { values };
    },
    gather: (x, axis, index) => ownArray(gatherValues(x, axis, index)),
    scatterAdd: (target, axis, index, source) =>
      ownArray(scatterAddValues(target, axis, index, source, (view) => copyView(view, view.dtype))),
    concat: (inputs, axis, outShape, outDtype) => ownArray(concatValues(inputs, axis, outShape, outDtype)),
    pad: (x, pads, value, outDtype) => ownArray(padValues(x, pads, value, outDtype)),
  };
}
