/**
 * The builder API of the expression language: one function per node, taking expressions or
 * plain numbers (which become constants).
 *
 * @example
 * import { expression as e } from '@vane/tensor';
 * const x = e.input(0);
 * const swish = e.mul(x, e.div(1, e.add(1, e.exp(e.neg(x))))); // x·σ(x)
 */
import type {
  BinaryFunction,
  BooleanExpression,
  Comparison,
  CompareNode,
  ConstantNode,
  InputNode,
  NumberExpression,
  ScalarNode,
  UnaryFunction,
} from './expression.js';

/** A number expression or a plain number (a constant). */
export type Operand = NumberExpression | number;

function checkIndex(what: string, index: number): void {
  if (!Number.isInteger(index) || index < 0)
    throw new Error(`expression.${what}: 'index' must be a non-negative integer, got ${String(index)}`);
}

/** The element of tensor input `index`. @example input(0) */
export function input(index: number): InputNode {
  checkIndex('input', index);
  return { type: 'number', kind: 'input', index };
}

/** Scalar parameter `index` (the same for every element). @example scalar(0) */
export function scalar(index: number): ScalarNode {
  checkIndex('scalar', index);
  return { type: 'number', kind: 'scalar', index };
}

/** A numeric literal. @example constant(0.5) */
export function constant(value: number): ConstantNode {
  if (typeof value !== 'number') throw new Error(`expression.constant: 'value' must be a number, got ${typeof value}`);
  return { type: 'number', kind: 'constant', value };
}

/** An operand as an expression (numbers become constants). */
export function operand(value: Operand): NumberExpression {
  if (typeof value === 'number') return constant(value);
  if (value === null || typeof value !== 'object' || value.type !== 'number') {
    throw new Error(
      `expression: expected a number expression or a number, got ${value === null ? 'null' : typeof value === 'object' ? `a ${String((value as { type?: unknown }).type)} expression` : typeof value}`,
    );
  }
  return value;
}

const unary =
  (fn: UnaryFunction) =>
  (x: Operand): NumberExpression => ({ type: 'number', kind: 'unary', function: fn, operand: operand(x) });
const binary =
  (fn: BinaryFunction) =>
  (a: Operand, b: Operand): NumberExpression => ({
    type: 'number',
    kind: 'binary',
    function: fn,
    left: operand(a),
    right: operand(b),
  });
const compare =
  (comparison: Comparison) =>
  (a: Operand, b: Operand): CompareNode => ({
    type: 'boolean',
    kind: 'compare',
    comparison,
    left: operand(a),
    right: operand(b),
  });

/** −x. */
export const neg = unary('neg');
/** Math.abs. */
export const abs = unary('abs');
/** Math.sqrt. */
export const sqrt = unary('sqrt');
/** Math.exp. */
export const exp = unary('exp');
/** Math.log. */
export const log = unary('log');
/** Math.log1p. */
export const log1p = unary('log1p');
/** Math.expm1. */
export const expm1 = unary('expm1');
/** Math.sin. */
export const sin = unary('sin');
/** Math.cos. */
export const cos = unary('cos');
/** Math.tan. */
export const tan = unary('tan');
/** Math.tanh. */
export const tanh = unary('tanh');
/** Math.floor. */
export const floor = unary('floor');
/** Math.ceil. */
export const ceil = unary('ceil');
/** Math.trunc. */
export const trunc = unary('trunc');
/** Round half to even (`vaneRoundHalfEven`, as NumPy and PyTorch round). */
export const roundHalfEven = unary('roundHalfEven');
/** The error function (`vaneErf`). */
export const erf = unary('erf');
/** Math.fround: the cast to float32 (and back, exactly), inside a float64 expression. */
export const fround = unary('fround');

/** a + b. */
export const add = binary('add');
/** a − b. */
export const sub = binary('sub');
/** a · b. */
export const mul = binary('mul');
/** a / b. */
export const div = binary('div');
/** Math.min(a, b): NaN if either is NaN, −0 below +0. */
export const min = binary('min');
/** Math.max(a, b): NaN if either is NaN, +0 above −0. */
export const max = binary('max');
/** Math.pow(a, b). */
export const pow = binary('pow');

/** a < b. */
export const less = compare('less');
/** a ≤ b. */
export const lessEqual = compare('lessEqual');
/** a > b. */
export const greater = compare('greater');
/** a ≥ b. */
export const greaterEqual = compare('greaterEqual');
/** a === b (false for NaN). */
export const equal = compare('equal');
/** a !== b (true for NaN). */
export const notEqual = compare('notEqual');

function boolean(what: string, value: BooleanExpression): BooleanExpression {
  if (value === null || typeof value !== 'object' || value.type !== 'boolean')
    throw new Error(
      `expression.${what}: expected a boolean expression (a comparison), got ${typeof value === 'number' ? 'a number' : 'a number expression'}`,
    );
  return value;
}

/** a && b. */
export function and(a: BooleanExpression, b: BooleanExpression): BooleanExpression {
  return { type: 'boolean', kind: 'logical', operator: 'and', left: boolean('and', a), right: boolean('and', b) };
}

/** a || b. */
export function or(a: BooleanExpression, b: BooleanExpression): BooleanExpression {
  return { type: 'boolean', kind: 'logical', operator: 'or', left: boolean('or', a), right: boolean('or', b) };
}

/** !a. */
export function not(a: BooleanExpression): BooleanExpression {
  return { type: 'boolean', kind: 'not', operand: boolean('not', a) };
}

/** condition ? whenTrue : whenFalse. @example select(greater(x, 0), x, 0) // relu */
export function select(condition: BooleanExpression, whenTrue: Operand, whenFalse: Operand): NumberExpression {
  return {
    type: 'number',
    kind: 'select',
    condition: boolean('select', condition),
    whenTrue: operand(whenTrue),
    whenFalse: operand(whenFalse),
  };
}

/**
 * The named op `op`, whose forward expression `body` is written in input(0) (and scalar(0)
 * for its parameter), applied to `argument`. The unary op table builds these (`sigmoid.of(x)`).
 */
export function call(op: string, body: NumberExpression, argument: Operand, parameter?: Operand): NumberExpression {
  return parameter === undefined
    ? { type: 'number', kind: 'call', op, body, argument: operand(argument) }
    : { type: 'number', kind: 'call', op, body, argument: operand(argument), parameter: operand(parameter) };
}
