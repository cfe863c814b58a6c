/**
 * Fused elementwise maps: one pass over same-shaped tensors with a scalar function, no
 * temporaries. Optimizer updates are written with these (see `@vane/optim`).
 */
import { assertDType, type DType } from '../dtype.js';
import { checkSignature } from '../kernels/expression/compile-javascript.js';
import type { FusedKernel } from '../kernels/elementwise-kernels.js';
import { describeValue } from '../validation/option-keys.js';
import { formatShape } from '../shape.js';
import { isTensor, type Tensor } from '../tensor.js';
import { checkOptionKeys } from '../validation/option-keys.js';
import { simdKernels } from '../wasm/kernel-runtime.js';
import { compileFusedKernel } from '../wasm/simd-fused.js';
import { simdFusedManyCompiles } from '../wasm/simd-fused-many.js';
import { checkTensor, commonBackend, wrapStorage } from './internal.js';

/**
 * Evaluates the kernel's expression for every element (input(i) the element of `inputs[i]`,
 * scalar(j) `scalars[j]`). All inputs must have the same shape. Not recorded by autodiff: use it for
 * updates, not for losses.
 *
 * @example
 * const x = expression.input(0), g = expression.input(1), beta = expression.scalar(0);
 * const momentum: FusedKernel = { name: 'momentum', arity: 2, scalarCount: 1, expression: expression.add(expression.mul(beta, x), g) };
 * const next = fusedMap(momentum, [m, g], [0.9]);
 */
export function fusedMap(
  kernel: FusedKernel,
  inputs: readonly Tensor[],
  scalars: readonly number[] = [],
  options: { dtype?: DType } = {},
): Tensor {
  checkKernel(kernel);
  const op = `fusedMap(${kernel.name})`;
  checkOptionKeys(op, options, ['dtype']);
  if (inputs.length !== kernel.arity) throw new Error(`${op}: expected ${kernel.arity} inputs, got ${inputs.length}`);
  checkInputs(op, inputs);
  checkSignature(op, kernel.expression, kernel.arity, kernel.scalarCount);
  const expectedScalars = kernel.scalarCount;
  if (scalars.length !== expectedScalars)
    throw new Error(`${op}: expected ${expectedScalars} scalars, got ${scalars.length}`);
  const { backend, shape, dtype } = fusedOperands(op, inputs, options);
  const data = backend.fused(
    kernel,
    inputs.map((input) => input.view()),
    scalars,
    dtype,
  );
  return wrapStorage(backend, data, shape, dtype);
}

/**
 * What `fusedMap` and `fusedMapMany` both check of their operands: one backend for every input,
 * one shape (the output's), and the output dtype (the option, else the first input's).
 */
function fusedOperands(op: string, inputs: readonly Tensor[], options: { dtype?: DType }) {
  const dtype = options.dtype ?? inputs[0]!.dtype;
  // The common case (one backend, one shape) without the argument names, which only an error
  // message needs; anything else takes the checks below, which name what differs.
  const first = inputs[0]!;
  const { backend: firstBackend, shape: firstShape } = first;
  let agree = true;
  for (let index = 1; agree && index < inputs.length; index++) {
    const input = inputs[index]!;
    const inputShape = input.shape;
    agree = input.backend === firstBackend && inputShape.length === firstShape.length;
    for (let axis = 0; agree && axis < firstShape.length; axis++) agree = inputShape[axis] === firstShape[axis];
  }
  if (agree) {
    assertDType(op, dtype);
    return { backend: firstBackend, shape: firstShape, dtype };
  }
  return fusedOperandsNamed(op, inputs, dtype);
}

/** {@link fusedOperands} with the checks that name the argument that differs. */
function fusedOperandsNamed(op: string, inputs: readonly Tensor[], dtype: DType) {
  const backend = commonBackend(
    op,
    inputs,
    inputs.map((_, index) => `inputs[${index}]`),
  );
  const shape = inputs[0]!.shape;
  inputs.forEach((input, index) => {
    if (input.shape.length !== shape.length || input.shape.some((d, a) => d !== shape[a])) {
      throw new Error(
        `${op}: 'inputs[${index}]' has shape ${formatShape(input.shape)}, expected ${formatShape(shape)}`,
      );
    }
  });
  assertDType(op, dtype);
  return { backend, shape, dtype };
}

/** Throws unless every input is a live tensor, naming the first that is not (`inputs[1]`). */
function checkInputs(op: string, inputs: readonly Tensor[]): void {
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index];
    // The name is only built for the error.
    if (!isTensor(input) || input.isDisposed) checkTensor(op, `inputs[${index}]`, input);
  }
}

/**
 * Several kernels over the same inputs and scalars, in ONE pass where the backend can (float32
 * on the CPU's WebAssembly SIMD: each input element is loaded once, each output stored once,
 * subtrees shared between the kernels evaluated once), else one {@link fusedMap} per kernel.
 * Output k is exactly `fusedMap(kernels[k], inputs, scalars, options)`, bit for bit, either way.
 *
 * Every kernel takes all the inputs and all the scalars (an input or scalar a kernel does not
 * use is simply not read by it). To make a later output depend on an earlier one, write the
 * earlier expression into it, under `fround` on float32 (the value the separate pass would
 * have read back from its float32 tensor; on float64 without it, so choose the kernels by
 * dtype); the shared subtree is still evaluated once.
 *
 * @example
 * const [nextM, nextV] = fusedMapMany([firstMoment, secondMoment], [m, v, g], [0.9, 0.999]);
 */
export function fusedMapMany(
  kernels: readonly FusedKernel[],
  inputs: readonly Tensor[],
  scalars: readonly number[] = [],
  options: { dtype?: DType } = {},
): Tensor[] {
  if (!Array.isArray(kernels) || kernels.length === 0)
    throw new Error(
      `fusedMapMany: 'kernels' must be a non-empty array of expression kernels, got ${describeValue(kernels)}`,
    );
  kernels.forEach((kernel) => checkKernel(kernel));
  const op = `fusedMapMany(${kernels.map((kernel) => kernel.name).join(', ')})`;
  checkOptionKeys(op, options, ['dtype']);
  kernels.forEach((kernel) => {
    if (kernel.arity !== inputs.length || kernel.scalarCount !== scalars.length)
      throw new Error(
        `${op}: every kernel must take all ${inputs.length} inputs and ${scalars.length} scalars; '${kernel.name}' takes ${kernel.arity} inputs and ${kernel.scalarCount} scalars`,
      );
  });
  if (kernels.length === 1) return [fusedMap(kernels[0]!, inputs, scalars, options)];
  // The single-kernel checks (inputs, shapes, signature, dtype) on the first kernel, through
  // fusedMap's own validation where the backend runs them separately anyway.
  checkInputs(op, inputs);
  kernels.forEach((kernel) => checkSignature(op, kernel.expression, kernel.arity, kernel.scalarCount));
  const { backend, shape, dtype } = fusedOperands(op, inputs, options);
  const data = backend.fusedMany?.(
    kernels,
    inputs.map((input) => input.view()),
    scalars,
    dtype,
  );
  if (data === undefined) return kernels.map((kernel) => fusedMap(kernel, inputs, scalars, options));
  return data.map((storage) => wrapStorage(backend, storage, shape, dtype));
}

/**
 * Where the CPU backend runs `kernel` on float32: `'simd'` when the WebAssembly SIMD
 * expression compiler accepts its expression, `'javascript'` when {@link fusedMap} falls back to
 * the JavaScript loop (several times slower, same results), also whenever the SIMD kernels are
 * off (`setKernelMode('scalar')`) or unavailable. Each fallback is counted in
 * `kernelInfo().fallbacks`; kernel authors test with this that an edit kept their kernel on SIMD.
 *
 * @example
 * fusedKernelTarget(defineKernel('scale', { inputs: ['x'], scalars: ['factor'] }, ({ x, factor }) => mul(x, factor))) // 'simd'
 */
export function fusedKernelTarget(kernel: FusedKernel): 'simd' | 'javascript' {
  // The same two conditions as the CPU backend's `fused` (through `simdFused`).
  return simdKernels() && compileFusedKernel(kernel) ? 'simd' : 'javascript';
}

/**
 * How the CPU backend runs `kernels` through {@link fusedMapMany} on float32: `'simd'` when they
 * run as one WebAssembly SIMD pass, `'separate'` when it falls back to one {@link fusedMap} per
 * kernel (a kernel the SIMD compiler refuses, or SIMD off or unavailable); same results.
 *
 * @example
 * fusedManyTarget([firstMoment, secondMoment]) // 'simd'
 */
export function fusedManyTarget(kernels: readonly FusedKernel[]): 'simd' | 'separate' {
  return simdFusedManyCompiles(kernels) ? 'simd' : 'separate';
}

/**
 * Refuses anything but an expression kernel `{ name, arity, scalarCount, expression }`, naming
 * what was given: in particular the former function form `{ name, arity, fn }`, whose source
 * text no compiler reads any more.
 */
function checkKernel(kernel: FusedKernel): void {
  if (kernel === null || typeof kernel !== 'object')
    throw new Error(
      `fusedMap: 'kernel' must be an expression kernel { name, arity, scalarCount, expression }, got ${describeValue(kernel)}`,
    );
  const name = typeof kernel.name === 'string' ? kernel.name : '?';
  if ('fn' in kernel && !('expression' in kernel)) {
    throw new Error(
      `fusedMap(${name}): function kernels ({ name, arity, fn }) are no longer accepted; write the kernel as an expression with defineKernel and the expression builder of @vane/tensor`,
    );
  }
  const expression = (kernel as { expression?: unknown }).expression as { type?: unknown } | undefined;
  if (
    typeof kernel.name !== 'string' ||
    !Number.isInteger(kernel.arity) ||
    kernel.arity < 1 ||
    !Number.isInteger(kernel.scalarCount) ||
    kernel.scalarCount < 0 ||
    expression === null ||
    typeof expression !== 'object' ||
    expression.type !== 'number'
  ) {
    throw new Error(
      `fusedMap(${name}): 'kernel' must be an expression kernel { name, arity ≥ 1, scalarCount ≥ 0, expression: a number expression }, got ${describeValue(kernel)}`,
    );
  }
}
