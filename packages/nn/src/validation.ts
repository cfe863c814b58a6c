/**
 * Argument checks shared by the layers, initializers, losses and training code of `@vane/nn`.
 *
 * Unknown option names are checked by `@vane/tensor`'s `checkOptionKeys`, the one such check
 * in Vane; this file holds the checks that are particular to `nn`: positive sizes, floating
 * parameter dtypes, and tensor arguments.
 */
import { describeValue, isFloatingDType, isTensor, type DType, type Tensor } from '@vane/tensor';

/** Throws `<owner>: '<name>' must be a positive integer, got <value>` unless it is one. */
export function checkPositiveInteger(owner: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new Error(`${owner}: '${name}' must be a positive integer, got ${describeValue(value)}`);
}

/**
 * Throws unless `dtype` is `undefined` (float32) or a floating dtype. Trainable parameters and
 * random initial values need one: an int32 `Linear` would round every initial weight in
 * (−1, 1) to 0 and train nothing, and gradients of integers are not defined.
 *
 * @example
 * checkParameterDType('Linear', 'int32'); // Error: Linear: 'dtype' must be a floating dtype (float32 or float64) for parameters, got "int32"
 */
export function checkParameterDType(owner: string, dtype: unknown): DType | undefined {
  if (dtype === undefined) return undefined;
  if (typeof dtype !== 'string' || !isFloatingDType(dtype as DType)) {
    throw new Error(
      `${owner}: 'dtype' must be a floating dtype (float32 or float64) for parameters, got ${describeValue(dtype)}`,
    );
  }
  return dtype as DType;
}

/**
 * Throws unless `value` is a live Tensor, naming the caller and the argument:
 * `Linear.forward: 'input' must be a Tensor, got [[1, 2, 3]] (wrap arrays with tensor(...))`.
 * Arrays are not converted silently: the dtype and device a conversion would pick are the
 * caller's decision.
 */
export function checkTensorArgument(owner: string, name: string, value: unknown): asserts value is Tensor {
  if (!isTensor(value)) {
    const hint = Array.isArray(value) || typeof value === 'number' ? ' (wrap arrays and numbers with tensor(...))' : '';
    throw new TypeError(`${owner}: '${name}' must be a Tensor, got ${describeValue(value)}${hint}`);
  }
  if (value.isDisposed) throw new Error(`${owner}: '${name}' is a disposed Tensor`);
}

/** Throws `<owner>: '<name>' must be a finite number > 0, got <value>` unless it is one (eps, for example). */
export function checkPositiveNumber(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new Error(`${owner}: '${name}' must be a finite number > 0, got ${describeValue(value)}`);
  return value;
}
