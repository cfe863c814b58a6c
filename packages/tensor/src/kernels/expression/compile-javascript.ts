/**
 * The JavaScript target: an expression becomes a plain function `(in0, ..., s0, ...) => number`
 * generated from the tree (never from another function's text), so the CPU backend's typed-
 * array loops call it monomorphically and V8 inlines it.
 */
import { vaneErf, vaneRoundHalfEven } from '../special-functions.js';
import { usage } from './analysis.js';
import type { BinaryFunction, NumberExpression, UnaryFunction } from './expression.js';
import { emitSource, numberLiteral, type SourceDialect } from './source-emitter.js';

/**
 * The JavaScript spelling of each unary function (`neg` is the prefix minus, written by the
 * dialect) and of each binary one (an infix operator or a `Math` call). gpu.js reads the same
 * JavaScript subset, so @vane/gpu's source dialect starts from these tables.
 */
export const JAVASCRIPT_UNARY_CALLS: Readonly<Record<UnaryFunction, string>> = {
  neg: '',
  abs: 'Math.abs',
  sqrt: 'Math.sqrt',
  exp: 'Math.exp',
  log: 'Math.log',
  log1p: 'Math.log1p',
  expm1: 'Math.expm1',
  sin: 'Math.sin',
  cos: 'Math.cos',
  tan: 'Math.tan',
  tanh: 'Math.tanh',
  floor: 'Math.floor',
  ceil: 'Math.ceil',
  trunc: 'Math.trunc',
  roundHalfEven: 'vaneRoundHalfEven',
  erf: 'vaneErf',
  fround: 'Math.fround',
};

/** The binary functions written as infix JavaScript operators. */
export const JAVASCRIPT_BINARY_OPERATORS: Readonly<Partial<Record<BinaryFunction, string>>> = {
  add: '+',
  sub: '-',
  mul: '*',
  div: '/',
};
/** The binary functions written as `Math` calls. */
export const JAVASCRIPT_BINARY_CALLS: Readonly<Partial<Record<BinaryFunction, string>>> = {
  min: 'Math.min',
  max: 'Math.max',
  pow: 'Math.pow',
};

/** JavaScript as the CPU loops run it. */
export const JAVASCRIPT_DIALECT: SourceDialect = {
  constant: numberLiteral,
  unary: (fn, operand) => (fn === 'neg' ? `(-${operand})` : `${JAVASCRIPT_UNARY_CALLS[fn]}(${operand})`),
  binary: (fn, left, right) => {
    const operator = JAVASCRIPT_BINARY_OPERATORS[fn];
    return operator ? `(${left} ${operator} ${right})` : `${JAVASCRIPT_BINARY_CALLS[fn]!}(${left}, ${right})`;
  },
};

/** A compiled scalar kernel: tensor elements first, then scalars. */
export type ScalarKernelFunction = (...values: number[]) => number;

const compiled = new WeakMap<NumberExpression, Map<string, ScalarKernelFunction>>();

/**
 * The function source `function name(in0, ..., s0, ...) { ...; return ...; }` of `expression`.
 *
 * @example
 * javascriptSource('axpy', mul(input(0), scalar(0)), 1, 1) // 'function axpy(in0, s0) {\n  return (in0 * s0);\n}'
 */
export function javascriptSource(
  name: string,
  expression: NumberExpression,
  arity: number,
  scalarCount: number,
): string {
  const { statements, result } = emitSource(
    expression,
    JAVASCRIPT_DIALECT,
    (index) => `in${index}`,
    (index) => `s${index}`,
  );
  const parameters = [
    ...Array.from({ length: arity }, (_, index) => `in${index}`),
    ...Array.from({ length: scalarCount }, (_, index) => `s${index}`),
  ];
  return `function ${name}(${parameters.join(', ')}) {\n${[...statements, `return ${result};`].map((line) => `  ${line}`).join('\n')}\n}`;
}

/**
 * `expression` as a JavaScript function of `arity` elements then `scalarCount` scalars, with
 * `length` equal to their sum. Cached per expression object and signature.
 *
 * @example
 * compileJavaScript(add(input(0), scalar(0)), 1, 1)(2, 3) // 5
 */
export function compileJavaScript(
  expression: NumberExpression,
  arity: number,
  scalarCount: number,
): ScalarKernelFunction {
  let perExpression = compiled.get(expression);
  if (!perExpression) {
    perExpression = new Map();
    compiled.set(expression, perExpression);
  }
  const key = `${arity}/${scalarCount}`;
  let fn = perExpression.get(key);
  if (!fn) {
    checkSignature('compileJavaScript', expression, arity, scalarCount);
    const source = javascriptSource('kernel', expression, arity, scalarCount);
    fn = new Function('vaneErf', 'vaneRoundHalfEven', `return ${source};`)(
      vaneErf,
      vaneRoundHalfEven,
    ) as ScalarKernelFunction;
    perExpression.set(key, fn);
  }
  return fn;
}

/**
 * Refuses an expression that reads an input or scalar beyond the kernel's signature (it would
 * otherwise read `undefined`, i.e. NaN, silently).
 *
 * @example
 * checkSignature('fusedMap(axpy)', mul(input(1), scalar(0)), 1, 1) // throws: reads input(1)
 */
export function checkSignature(owner: string, expression: NumberExpression, arity: number, scalarCount: number): void {
  const used = usage(expression);
  if (used.inputs > arity)
    throw new Error(
      `${owner}: the expression reads input(${used.inputs - 1}) but the kernel has ${arity} input${arity === 1 ? '' : 's'}`,
    );
  if (used.scalars > scalarCount)
    throw new Error(
      `${owner}: the expression reads scalar(${used.scalars - 1}) but the kernel has ${scalarCount} scalar${scalarCount === 1 ? '' : 's'}`,
    );
}
