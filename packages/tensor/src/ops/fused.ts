/**
 * Fused elementwise maps: one pass over same-shaped tensors with a scalar function, no
 * temporaries. Optimizer updates are written with these (see `@vane/optim`).
 */
import { assertDType, type DType } from '../dtype';
import { checkSignature } from '../kernels/expression/compile-javascript';
import { fusedScalarCount, isExpressionKernel, type FusedKernel } from '../kernels/elementwise-kernels';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { checkOptionKeys } from '../validation/option-keys';
import { simdKernels } from '../wasm/kernel-runtime';
import { compileFusedKernel } from '../wasm/simd-fused';
import { checkTensor, commonBackend, wrapStorage } from './internal';

/**
 * Evaluates the kernel (its expression, or `kernel.fn(inputs[0][i], ..., scalars...)`) for
 * every element. All inputs must have the same shape. Not recorded by autodiff: use it for
 * updates, not for losses.
 *
 * @example
 * const x = expression.input(0), g = expression.input(1), beta = expression.scalar(0);
 * const momentum: FusedKernel = { name: 'momentum', arity: 2, scalarCount: 1, expression: expression.add(expression.mul(beta, x), g) };
 * const next = fusedMap(momentum, [m, g], [0.9]);
 */
export function fusedMap(kernel: FusedKernel, inputs: readonly Tensor[], scalars: readonly number[] = [], options: { dtype?: DType } = {}): Tensor {
  const op = `fusedMap(${kernel.name})`;
  checkOptionKeys(op, options, ['dtype']);
  if (inputs.length !== kernel.arity) throw new Error(`${op}: expected ${kernel.arity} inputs, got ${inputs.length}`);
  inputs.forEach((input, index) => checkTensor(op, `inputs[${index}]`, input));
  if (isExpressionKernel(kernel)) checkSignature(op, kernel.expression, kernel.arity, kernel.scalarCount);
  const expectedScalars = fusedScalarCount(kernel);
  if (scalars.length !== expectedScalars) throw new Error(`${op}: expected ${expectedScalars} scalars, got ${scalars.length}`);
  const backend = commonBackend(op, inputs, inputs.map((_, index) => `inputs[${index}]`));
  const shape = inputs[0]!.shape;
  inputs.forEach((input, index) => {
    if (input.shape.length !== shape.length || input.shape.some((d, a) => d !== shape[a])) {
      throw new Error(`${op}: 'inputs[${index}]' has shape ${formatShape(input.shape)}, expected ${formatShape(shape)}`);
    }
  });
  const dtype = options.dtype ?? inputs[0]!.dtype;
  assertDType(op, dtype);
  const data = backend.fused(kernel, inputs.map((input) => input.view()), scalars, dtype);
  return wrapStorage(backend, data, shape, dtype);
}

/**
 * Where the CPU backend runs `kernel` on float32: `'simd'` when the WebAssembly SIMD
 * expression compiler accepts its function, `'javascript'` when {@link fusedMap} falls back to
 * the JavaScript loop (several times slower, same results), also whenever the SIMD kernels are
 * off (`setKernelMode('scalar')`) or unavailable. The fallback is otherwise silent, so kernel
 * authors test with this that an edit kept their kernel compilable.
 *
 * @example
 * fusedKernelTarget({ name: 'scale', arity: 1, fn: (x, factor) => x * factor }) // 'simd'
 */
export function fusedKernelTarget(kernel: FusedKernel): 'simd' | 'javascript' {
  // The same two conditions as the CPU backend's `fused` (through `simdFused`).
  return simdKernels() && compileFusedKernel(kernel) ? 'simd' : 'javascript';
}
