/**
 * The scalar kernels behind every elementwise op.
 *
 * Unary kernels are derived from the op table (`ops/unary-ops.ts`): each op's forward
 * expression, compiled per target. Binary kernels are still JavaScript functions (closure-free,
 * `Math` only) that the CPU loops call and `@vane/gpu` transpiles from their source; moving them
 * into a table like the unary one is the next step.
 */
import { compileJavaScript } from './expression/compile-javascript';
import type { NumberExpression } from './expression/expression';
import * as UNARY_OPS from '../ops/unary-ops';

/** A scalar function of one element and an optional parameter. */
export type UnaryKernel = (x: number, parameter: number) => number;
/** A scalar function of two elements. */
export type BinaryKernel = (a: number, b: number) => number;

/** Names of the unary kernels: the ops of the table in `ops/unary-ops.ts`. */
export type UnaryKernelName = keyof typeof UNARY_OPS;

/**
 * Every unary kernel, by op name: the table's forward expressions compiled to JavaScript
 * (element, then the parameter).
 */
export const UNARY_KERNELS = Object.fromEntries(
  Object.values(UNARY_OPS).map((op) => [op.definition.name, compileJavaScript(op.definition.forward, 1, op.definition.parameter ? 1 : 0)]),
) as Record<UnaryKernelName, UnaryKernel>;

const unaryExpressionKernels = new Map<UnaryKernelName, ExpressionKernel>();

/**
 * The table op `name` as a one-input expression kernel (`unary:name`; its parameter, if any, as
 * the scalar), for the fused compilers.
 */
export function unaryExpressionKernel(name: UnaryKernelName): ExpressionKernel {
  let kernel = unaryExpressionKernels.get(name);
  if (!kernel) {
    const definition = UNARY_OPS[name].definition;
    kernel = { name: `unary:${name}`, arity: 1, scalarCount: definition.parameter ? 1 : 0, expression: definition.forward };
    unaryExpressionKernels.set(name, kernel);
  }
  return kernel;
}

/** Every binary kernel, by op name. */
export const BINARY_KERNELS = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  pow: (a: number, b: number) => Math.pow(a, b),
  // NaN-propagating, as torch.maximum / torch.minimum. The NaN operand itself is returned
  // because gpu.js cannot transpile the `NaN` literal.
  maximum: (a: number, b: number) => (a !== a ? a : b !== b ? b : a > b ? a : b),
  minimum: (a: number, b: number) => (a !== a ? a : b !== b ? b : a < b ? a : b),
  // Remainder with the sign of the divisor (Python, NumPy and torch.remainder).
  mod: (a: number, b: number) => a - Math.floor(a / b) * b,
  equal: (a: number, b: number) => (a === b ? 1 : 0),
  notEqual: (a: number, b: number) => (a !== b ? 1 : 0),
  less: (a: number, b: number) => (a < b ? 1 : 0),
  lessEqual: (a: number, b: number) => (a <= b ? 1 : 0),
  greater: (a: number, b: number) => (a > b ? 1 : 0),
  greaterEqual: (a: number, b: number) => (a >= b ? 1 : 0),
  logicalAnd: (a: number, b: number) => (a !== 0 && b !== 0 ? 1 : 0),
  logicalOr: (a: number, b: number) => (a !== 0 || b !== 0 ? 1 : 0),
} satisfies Record<string, BinaryKernel>;

/** Names of the binary kernels. */
export type BinaryKernelName = keyof typeof BINARY_KERNELS;

/**
 * A fused elementwise kernel given as a JavaScript function: one scalar function of several
 * same-shaped inputs and a few scalar parameters, evaluated in one pass with no temporaries.
 * Optimizer updates use these (for example Adam's moment and step computations).
 *
 * Prefer an {@link ExpressionKernel}: a function kernel reaches WebAssembly SIMD and gpu.js only
 * through its source text (`kernels/expression/function-kernel-parser.ts` and `@vane/gpu`),
 * which accepts a narrow subset of JavaScript. `@vane/optim`'s hand-written kernels are still
 * function kernels; converting them is the next step of the kernel-language work.
 *
 * @example
 * const axpy: FusedKernel = { name: 'axpy', arity: 2, fn: (x, y, alpha) => alpha * x + y };
 */
export interface FunctionKernel {
  /** A unique name (it names the compiled loop and the GPU kernel). */
  readonly name: string;
  /** Number of tensor inputs; the remaining arguments of `fn` are scalars. */
  readonly arity: number;
  /** The scalar function: tensor elements first, then scalars. */
  readonly fn: (...values: number[]) => number;
}

/**
 * A fused elementwise kernel given as data: an expression of the language in
 * `kernels/expression/`, which every target compiles from the tree (JavaScript, WebAssembly
 * SIMD, gpu.js). input(i) is the element of the i-th tensor, scalar(j) the j-th scalar.
 *
 * @example
 * import { expression as e } from '@vane/tensor';
 * const axpy: ExpressionKernel = { name: 'axpy', arity: 2, scalarCount: 1, expression: e.add(e.mul(e.scalar(0), e.input(0)), e.input(1)) };
 */
export interface ExpressionKernel {
  /** A unique name (it names the compiled loop and the GPU kernel). */
  readonly name: string;
  /** Number of tensor inputs. */
  readonly arity: number;
  /** Number of scalar parameters. */
  readonly scalarCount: number;
  /** The value of one output element. */
  readonly expression: NumberExpression;
}

/** A fused kernel: a JavaScript function or an expression. */
export type FusedKernel = FunctionKernel | ExpressionKernel;

/** Whether `kernel` is given as an expression. */
export function isExpressionKernel(kernel: FusedKernel): kernel is ExpressionKernel {
  return 'expression' in kernel;
}

/** The number of scalars `kernel` takes. */
export function fusedScalarCount(kernel: FusedKernel): number {
  return isExpressionKernel(kernel) ? kernel.scalarCount : Math.max(0, kernel.fn.length - kernel.arity);
}

/**
 * The kernel as a JavaScript function of its elements then its scalars (compiled from the
 * tree for an expression kernel).
 */
export function fusedFunction(kernel: FusedKernel): (...values: number[]) => number {
  return isExpressionKernel(kernel) ? compileJavaScript(kernel.expression, kernel.arity, kernel.scalarCount) : kernel.fn;
}
