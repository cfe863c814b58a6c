/**
 * Seeded weight initializers with the semantics of `torch.nn.init`.
 *
 * Each returns a new tensor of the given shape. Randomness comes from `generator` (a
 * `seed(n)` generator from `@vane/tensor`) or the default generator, so a seed fixes the
 * weights on every platform. The streams differ from PyTorch's, so the *distributions*
 * match PyTorch, not the individual numbers.
 *
 * Source: `packages/nn/src/initializers/initializers.ts`.
 */
import {
  checkOptionKeys,
  rand,
  randn,
  tensor,
  zeros as zerosTensor,
  type DType,
  type RandomGenerator,
  type Tensor,
} from '@vane/tensor';
import { checkParameterDType } from '../validation.js';
import { calculateGain, computeFans, type Nonlinearity } from './fan.js';

/** Options shared by the random initializers. */
export interface InitializerOptions {
  /** Source of randomness; defaults to the global generator (`manualSeed`). */
  generator?: RandomGenerator;
  /** Element type; defaults to float32. */
  dtype?: DType;
}

const INITIALIZER_KEYS = ['generator', 'dtype'];
const KAIMING_KEYS = [...INITIALIZER_KEYS, 'a', 'mode', 'nonlinearity'];
const XAVIER_KEYS = [...INITIALIZER_KEYS, 'gain'];

/**
 * The checks every initializer makes on its options: no unknown key, and a floating dtype
 * (random values in an integer dtype would be truncated, mostly to 0).
 */
function checkInitializerOptions(caller: string, options: object, allowed: readonly string[]): void {
  checkOptionKeys(caller, options, allowed);
  checkParameterDType(caller, (options as { dtype?: unknown }).dtype);
}

/** Options of the Kaiming (He) initializers. */
export interface KaimingOptions extends InitializerOptions {
  /** Negative slope of the leaky ReLU that follows (only for `'leakyRelu'`); default 0. */
  a?: number;
  /** Preserve the variance of the forward pass (`'fanIn'`, default) or of the backward pass. */
  mode?: 'fanIn' | 'fanOut';
  /** The nonlinearity that follows; default `'leakyRelu'` as in PyTorch. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(shape: readonly number[], options: KaimingOptions, caller: string): number {
  const [fanIn, fanOut] = computeFans(shape, caller);
  const fan = (options.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  const gain = calculateGain(options.nonlinearity ?? 'leakyRelu', options.a ?? 0);
  return gain / Math.sqrt(fan);
}

/**
 * Uniform `U(−b, b)` with `b = gain · √(3 / fan)` (He et al., 2015).
 *
 * PyTorch's default for Linear and Conv weights is `kaimingUniform(shape, { a: √5 })`,
 * which gives `b = 1/√fanIn`.
 *
 * @example
 * const weight = kaimingUniform([128, 64], { nonlinearity: 'relu', generator: seed(0) });
 */
export function kaimingUniform(shape: readonly number[], options: KaimingOptions = {}): Tensor {
  checkInitializerOptions('kaimingUniform', options, KAIMING_KEYS);
  const bound = Math.sqrt(3) * kaimingStd(shape, options, 'kaimingUniform');
  return rand(shape, { low: -bound, high: bound, generator: options.generator, dtype: options.dtype });
}

/**
 * Normal `N(0, σ²)` with `σ = gain / √fan` (He et al., 2015).
 *
 * @example
 * const weight = kaimingNormal([128, 64], { nonlinearity: 'relu', generator: seed(0) });
 */
export function kaimingNormal(shape: readonly number[], options: KaimingOptions = {}): Tensor {
  checkInitializerOptions('kaimingNormal', options, KAIMING_KEYS);
  return randn(shape, {
    std: kaimingStd(shape, options, 'kaimingNormal'),
    generator: options.generator,
    dtype: options.dtype,
  });
}

/** Options of the Xavier (Glorot) initializers. */
export interface XavierOptions extends InitializerOptions {
  /** Multiplier of the bound or standard deviation; default 1. */
  gain?: number;
}

/**
 * Uniform `U(−b, b)` with `b = gain · √(6 / (fanIn + fanOut))` (Glorot and Bengio, 2010).
 *
 * @example
 * const weight = xavierUniform([64, 64], { generator: seed(0) });
 */
export function xavierUniform(shape: readonly number[], options: XavierOptions = {}): Tensor {
  checkInitializerOptions('xavierUniform', options, XAVIER_KEYS);
  const [fanIn, fanOut] = computeFans(shape, 'xavierUniform');
  const bound = (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return rand(shape, { low: -bound, high: bound, generator: options.generator, dtype: options.dtype });
}

/**
 * Normal `N(0, σ²)` with `σ = gain · √(2 / (fanIn + fanOut))` (Glorot and Bengio, 2010).
 *
 * @example
 * const weight = xavierNormal([64, 64], { generator: seed(0) });
 */
export function xavierNormal(shape: readonly number[], options: XavierOptions = {}): Tensor {
  checkInitializerOptions('xavierNormal', options, XAVIER_KEYS);
  const [fanIn, fanOut] = computeFans(shape, 'xavierNormal');
  const std = (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  return randn(shape, { std, generator: options.generator, dtype: options.dtype });
}

/**
 * A (semi-)orthogonal matrix (Saxe et al., 2014): the Q factor of the QR decomposition of a
 * standard normal matrix, with signs fixed by diag(R) so the result is uniformly
 * distributed, times `gain`. Shapes with more than 2 dimensions are flattened to
 * `[shape[0], rest]` as in PyTorch. Rows are orthonormal when `rows ≤ columns`, columns
 * otherwise.
 *
 * @example
 * const q = orthogonal([4, 4], { generator: seed(0) }); // q·qᵀ = I
 */
export function orthogonal(shape: readonly number[], options: XavierOptions = {}): Tensor {
  checkInitializerOptions('orthogonal', options, XAVIER_KEYS);
  if (shape.length < 2) throw new Error(`orthogonal: 'shape' needs at least 2 dimensions, got [${shape.join(',')}]`);
  const rows = shape[0]!;
  const columns = shape.slice(1).reduce((product, size) => product * size, 1);
  // QR of the tall orientation: the matrix A (tall × short) gets orthonormal columns.
  const tall = Math.max(rows, columns);
  const short = Math.min(rows, columns);
  const normal = randn([tall, short], { generator: options.generator, dtype: 'float64' }).dataSync();
  const q = Float64Array.from(normal);
  // Modified Gram–Schmidt in float64; column j of q becomes the j-th orthonormal vector and
  // r_jj's sign is folded in (multiplying by sign(r_jj) is what makes Q Haar-distributed).
  for (let j = 0; j < short; j += 1) {
    for (let k = 0; k < j; k += 1) {
      let dot = 0;
      for (let i = 0; i < tall; i += 1) dot += q[i * short + k]! * q[i * short + j]!;
      for (let i = 0; i < tall; i += 1) q[i * short + j]! -= dot * q[i * short + k]!;
    }
    let norm = 0;
    for (let i = 0; i < tall; i += 1) norm += q[i * short + j]! ** 2;
    norm = Math.sqrt(norm);
    // r_jj = norm > 0 always here, so Q already has the Haar sign convention.
    for (let i = 0; i < tall; i += 1) q[i * short + j]! /= norm;
  }
  const gain = options.gain ?? 1;
  const out = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i += 1) {
    for (let j = 0; j < columns; j += 1) {
      // When rows < columns the result is Qᵀ (orthonormal rows).
      out[i * columns + j] = gain * (rows >= columns ? q[i * short + j]! : q[j * short + i]!);
    }
  }
  return tensor(out, { shape: [...shape], dtype: options.dtype ?? 'float32' });
}

/**
 * All zeros (biases, BatchNorm shifts).
 *
 * @example
 * zeros([3]); // [0, 0, 0]
 */
export function zeros(shape: readonly number[], options: { dtype?: DType } = {}): Tensor {
  checkOptionKeys('zeros', options, ['dtype']);
  return zerosTensor(shape, { dtype: options.dtype });
}

/**
 * Uniform `U(−b, b)`: PyTorch's bias default for Linear/Conv (`b = 1/√fanIn`) and for every
 * LSTM/GRU parameter (`b = 1/√hiddenSize`).
 */
export function uniform(shape: readonly number[], bound: number, options: InitializerOptions = {}): Tensor {
  checkInitializerOptions('uniform', options, INITIALIZER_KEYS);
  return rand(shape, { low: -bound, high: bound, generator: options.generator, dtype: options.dtype });
}
