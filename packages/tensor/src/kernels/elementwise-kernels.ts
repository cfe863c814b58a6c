/**
 * The scalar functions behind every elementwise op, defined once.
 *
 * The CPU backend compiles a typed-array loop around each of them (see
 * `cpu/elementwise-loops.ts`); a GPU backend can transpile the very same functions. Each
 * unary kernel takes the element and one optional numeric parameter (the slope of leakyRelu,
 * the alpha of elu); each binary kernel takes two elements. Keep them closure-free and
 * written with `Math` only.
 */
import { compileJavaScript } from './expression/compile-javascript';
import type { NumberExpression } from './expression/expression';
import { vaneErf, vaneRoundHalfEven } from './special-functions';

/** A scalar function of one element and an optional parameter. */
export type UnaryKernel = (x: number, parameter: number) => number;
/** A scalar function of two elements. */
export type BinaryKernel = (a: number, b: number) => number;

/** Every unary kernel, by op name. */
export const UNARY_KERNELS = {
  identity: (x: number) => x,
  neg: (x: number) => -x,
  abs: (x: number) => Math.abs(x),
  sign: (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x),
  exp: (x: number) => Math.exp(x),
  log: (x: number) => Math.log(x),
  log1p: (x: number) => Math.log1p(x),
  expm1: (x: number) => Math.expm1(x),
  sqrt: (x: number) => Math.sqrt(x),
  rsqrt: (x: number) => 1 / Math.sqrt(x),
  square: (x: number) => x * x,
  reciprocal: (x: number) => 1 / x,
  sin: (x: number) => Math.sin(x),
  cos: (x: number) => Math.cos(x),
  tan: (x: number) => Math.tan(x),
  tanh: (x: number) => Math.tanh(x),
  // Two branches keep exp's argument non-positive, so neither overflows.
  sigmoid: (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x: number) => (x > 0 ? x : x === x ? 0 : x),
  leakyRelu: (x: number, slope: number) => (x > 0 ? x : x * slope),
  elu: (x: number, alpha: number) => (x > 0 ? x : alpha * Math.expm1(x)),
  gelu: (x: number) => 0.5 * x * (1 + vaneErf(x * 0.7071067811865476)),
  silu: (x: number) => (x >= 0 ? x / (1 + Math.exp(-x)) : (x * Math.exp(x)) / (1 + Math.exp(x))),
  // log(1 + e^x) = max(x, 0) + log1p(e^(−|x|)) never overflows.
  softplus: (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  erf: (x: number) => vaneErf(x),
  floor: (x: number) => Math.floor(x),
  ceil: (x: number) => Math.ceil(x),
  round: (x: number) => vaneRoundHalfEven(x),
  isNaN: (x: number) => (x !== x ? 1 : 0),
  // Only ±∞ satisfy x·2 = x besides 0. Written without Number.isFinite, which gpu.js cannot
  // transpile, and without x − x = 0, which GLSL compilers fold to true.
  isFinite: (x: number) => (x !== x || (x !== 0 && x * 2 === x) ? 0 : 1),
  logicalNot: (x: number) => (x === 0 ? 1 : 0),
} satisfies Record<string, UnaryKernel | ((x: number) => number)>;

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

/** Names of the unary kernels. */
export type UnaryKernelName = keyof typeof UNARY_KERNELS;
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
