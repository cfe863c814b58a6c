/**
 * The gpu.js target of the expression language: an expression of `@vane/tensor` becomes the
 * source of a named function in the JavaScript subset gpu.js transpiles, generated from the
 * tree (no function text is read).
 *
 * Differences from the JavaScript target, each because of what gpu.js or GLSL can express:
 * `fround` is the identity (the GPU computes in float32 already), `trunc` is written with
 * floor and ceil, and shared booleans are never stored in variables (gpu.js has no boolean
 * variables). NaN and ±∞ constants have no gpu.js literal: an expression using one is refused
 * with an error naming the kernel.
 */
import {
  emitSource,
  JAVASCRIPT_BINARY_CALLS,
  JAVASCRIPT_BINARY_OPERATORS,
  JAVASCRIPT_UNARY_CALLS,
  type NumberExpression,
  type SourceDialect,
} from '@vane/tensor';
import type { GpuFunctionSource } from './function-source.js';

// The JavaScript spellings the CPU loops use; neg, fround and trunc are written by the dialect
// below (GLSL has no fround, and gpu.js no Math.trunc).
const UNARY_CALLS = JAVASCRIPT_UNARY_CALLS;
const BINARY_OPERATORS = JAVASCRIPT_BINARY_OPERATORS;
const BINARY_CALLS = JAVASCRIPT_BINARY_CALLS;

function dialect(kernel: string): SourceDialect {
  return {
    constant: (value) => {
      if (!Number.isFinite(value))
        throw new Error(
          `gpu: kernel '${kernel}' uses the constant ${String(value)}, which gpu.js cannot write; express it with finite values`,
        );
      return Object.is(value, -0) || value < 0 ? `(${String(value)})` : String(value);
    },
    unary: (fn, operand) => {
      if (fn === 'neg') return `(-${operand})`;
      if (fn === 'fround') return operand;
      if (fn === 'trunc') return `(${operand} < 0 ? Math.ceil(${operand}) : Math.floor(${operand}))`;
      return `${UNARY_CALLS[fn]}(${operand})`;
    },
    binary: (fn, left, right) => {
      const operator = BINARY_OPERATORS[fn];
      return operator ? `(${left} ${operator} ${right})` : `${BINARY_CALLS[fn]!}(${left}, ${right})`;
    },
  };
}

/**
 * Generated functions by expression tree, then by `name/arity/scalarCount`. Expression trees are
 * immutable values (`@vane/tensor` declares every node readonly) and the op tables hand out the
 * same tree on every call, so the source of a tree never changes: the gpu backend asks for the
 * same function on every dispatch of an elementwise op, and regenerating its text each time was
 * about 0.5 ms of the MLP training step's JavaScript. Keyed weakly, so a tree that is no longer
 * used (a user's fused kernel) is not kept alive by the cache.
 */
const generated = new WeakMap<NumberExpression, Map<string, GpuFunctionSource>>();

/**
 * The gpu.js function `name(in0, ..., s0, ...)` computing `expression`, typed as numbers.
 *
 * The result is generated once per tree and signature and then shared: callers get the same
 * object each time (elementwise-fusion.ts remembers facts about a function by it), and must not
 * change it.
 *
 * @example
 * gpuExpressionFunction('vaneAxpy', add(mul(scalar(0), input(0)), input(1)), 2, 1).source
 * // 'function vaneAxpy(in0, in1, s0) {\n  return ((s0 * in0) + in1);\n}'
 */
export function gpuExpressionFunction(
  name: string,
  expression: NumberExpression,
  arity: number,
  scalarCount: number,
): GpuFunctionSource {
  let byName = generated.get(expression);
  if (byName === undefined) {
    byName = new Map();
    generated.set(expression, byName);
  }
  const signature = `${name}/${arity}/${scalarCount}`;
  let fn = byName.get(signature);
  if (fn === undefined) {
    fn = generate(name, expression, arity, scalarCount);
    byName.set(signature, fn);
  }
  return fn;
}

/** Writes the source of {@link gpuExpressionFunction} (uncached). */
function generate(name: string, expression: NumberExpression, arity: number, scalarCount: number): GpuFunctionSource {
  const { statements, result } = emitSource(
    expression,
    dialect(name),
    (index) => `in${index}`,
    (index) => `s${index}`,
  );
  const parameters = [
    ...Array.from({ length: arity }, (_, index) => `in${index}`),
    ...Array.from({ length: scalarCount }, (_, index) => `s${index}`),
  ];
  const lines = [...statements, `return ${result};`].map((line) => `  ${line}`).join('\n');
  return {
    source: `function ${name}(${parameters.join(', ')}) {\n${lines}\n}`,
    settings: { returnType: 'Number', argumentTypes: new Array<'Number'>(parameters.length).fill('Number') },
  };
}
