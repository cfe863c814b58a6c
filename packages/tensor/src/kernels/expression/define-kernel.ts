/**
 * `defineKernel`: a fused kernel written with named inputs and scalars instead of positional
 * `input(i)` and `scalar(j)`, so a kernel of several operands reads like its formula.
 */
import type { ExpressionKernel } from '../elementwise-kernels.js';
import { input, scalar } from './builder.js';
import { checkSignature } from './compile-javascript.js';
import type { NumberExpression } from './expression.js';

/** The names of a kernel's tensor inputs (in `fusedMap`'s order) and of its scalars. */
export interface KernelSignature<Inputs extends readonly string[], Scalars extends readonly string[]> {
  /** One name per tensor input: the i-th is `input(i)`. */
  readonly inputs: Inputs;
  /** One name per scalar parameter: the j-th is `scalar(j)` (default none). */
  readonly scalars?: Scalars;
}

/**
 * An expression kernel whose body is written over named operands: `body` receives an object
 * with one number expression per input and scalar name.
 *
 * @example
 * import { defineKernel, expression as e } from '@vane/tensor';
 * const MOVING_AVERAGE = defineKernel('movingAverage', { inputs: ['m', 'g'], scalars: ['decay'] }, ({ m, g, decay }) =>
 *   e.add(e.mul(decay, m), e.mul(e.sub(1, decay), g)),
 * );
 * fusedMap(MOVING_AVERAGE, [m, g], [0.9]);
 */
export function defineKernel<
  const Inputs extends readonly string[],
  const Scalars extends readonly string[] = readonly [],
>(
  name: string,
  signature: KernelSignature<Inputs, Scalars>,
  body: (operands: Record<Inputs[number] | Scalars[number], NumberExpression>) => NumberExpression,
): ExpressionKernel {
  const owner = `defineKernel(${name})`;
  const scalars: readonly string[] = signature.scalars ?? [];
  if (signature.inputs.length < 1) throw new Error(`${owner}: 'inputs' must name at least one tensor input`);
  const names = [...signature.inputs, ...scalars];
  const repeated = names.find((operandName, index) => names.indexOf(operandName) !== index);
  // A repeated name would silently make one operand unreachable.
  if (repeated !== undefined) throw new Error(`${owner}: the operand name '${repeated}' is used twice`);
  const operands: Record<string, NumberExpression> = Object.create(null) as Record<string, NumberExpression>;
  signature.inputs.forEach((operandName, index) => (operands[operandName] = input(index)));
  scalars.forEach((operandName, index) => (operands[operandName] = scalar(index)));
  const expression = body(operands as Record<Inputs[number] | Scalars[number], NumberExpression>);
  if (expression === null || typeof expression !== 'object' || expression.type !== 'number')
    throw new Error(`${owner}: the body must return a number expression`);
  checkSignature(owner, expression, signature.inputs.length, scalars.length);
  return { name, arity: signature.inputs.length, scalarCount: scalars.length, expression };
}
