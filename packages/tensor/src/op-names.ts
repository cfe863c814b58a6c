/**
 * The closed set of differentiable ops that the tensor core reports to the recorder, with the
 * attributes each one's gradient rule receives.
 *
 * Autodiff keeps one gradient rule per name in a table typed over {@link OpName}, so adding a
 * name here without adding its rule is a compile error there. Ops whose output is an integer
 * or boolean (comparisons, argmax, isNaN, ...) are not differentiable and are not recorded.
 * Composite ops (variance, norm, tile, conv1d, ...) are not listed: the primitives they are
 * built from are recorded instead.
 */
import type { Window2d } from './backend.js';
import type { DType } from './dtype.js';
import type { UnaryOpDefinition, UnaryResult } from './kernels/unary-op.js';
import type * as UnaryOps from './ops/unary-ops.js';
import type { Tensor } from './tensor.js';

/** Attributes of ops that need none. */
export type NoAttributes = Record<string, never>;

type UnaryOpTable = typeof UnaryOps;

/** The differentiable (non-bool) unary ops of the table in `ops/unary-ops.ts`. */
export type RecordedUnaryOpName = {
  [K in keyof UnaryOpTable]: UnaryOpTable[K]['definition'] extends UnaryOpDefinition<string, infer Result>
    ? Result extends 'bool'
      ? never
      : K
    : never;
}[keyof UnaryOpTable];

/** Each table op's attributes: its parameter, named as in its definition (leakyRelu: { slope }). */
export type UnaryOpAttributes = {
  [K in RecordedUnaryOpName]: UnaryOpTable[K]['definition'] extends UnaryOpDefinition<
    string,
    UnaryResult,
    infer Parameter
  >
    ? Parameter extends string
      ? { [P in Parameter]: number }
      : NoAttributes
    : never;
};

/** Every recorded op and the attributes its gradient rule receives. */
export interface OpAttributes extends UnaryOpAttributes {
  // Unary elementwise: the ops of the table (`ops/unary-ops.ts`), see UnaryOpAttributes.
  /** Clamp to [min, max]; either bound may be absent. */
  clip: { min: number | undefined; max: number | undefined };
  /** Change of dtype (float to float is differentiable). */
  cast: { from: DType; to: DType };
  /** Materialisation of a view; the gradient is the identity. */
  copy: NoAttributes;
  // Binary elementwise, with NumPy broadcasting (the tape sums gradients back to input shapes).
  add: NoAttributes;
  sub: NoAttributes;
  mul: NoAttributes;
  div: NoAttributes;
  pow: NoAttributes;
  maximum: NoAttributes;
  minimum: NoAttributes;
  mod: NoAttributes;
  /** Inputs: condition (bool), a, b. */
  where: NoAttributes;
  // Reductions.
  sum: { axes: number[]; keepdims: boolean };
  prod: { axes: number[]; keepdims: boolean };
  max: { axes: number[]; keepdims: boolean };
  min: { axes: number[]; keepdims: boolean };
  logsumexp: { axes: number[]; keepdims: boolean };
  cumsum: { axis: number };
  cumprod: { axis: number };
  softmax: { axis: number };
  logSoftmax: { axis: number };
  // Movement and indexing (views are recorded too, so gradients flow through them).
  reshape: { inputShape: number[] };
  permute: { axes: number[] };
  expand: { inputShape: number[] };
  /** A strided slice; `starts`/`steps` per axis after normalisation. */
  slice: { inputShape: number[]; starts: number[]; steps: number[] };
  flip: { axes: number[] };
  pad: { pads: [number, number][] };
  concat: { axis: number; sizes: number[] };
  /** Inputs: x, index (int32). */
  gather: { axis: number };
  /** Inputs: target, index (int32), source. */
  scatterAdd: { axis: number };
  // Linear algebra and NN primitives.
  matmul: NoAttributes;
  /** Inputs: x, weight. */
  conv2d: { window: Window2d; groups: number };
  /** Inputs: dy, weight (the input-gradient of conv2d, used as a transposed convolution). */
  conv2dTransposeInput: { window: Window2d; groups: number; inputHeight: number; inputWidth: number };
  /** Inputs: x, dy (the weight-gradient of conv2d, recorded so that it can be differentiated again). */
  conv2dWeightGradient: { window: Window2d; groups: number };
  maxPool2d: { window: Window2d; indices: Tensor };
  avgPool2d: { window: Window2d; countIncludePad: boolean };
}

/** Name of a recorded (differentiable) op. */
export type OpName = keyof OpAttributes;
