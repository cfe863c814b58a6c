/**
 * The scalar kernels behind every elementwise op.
 *
 * Unary kernels are derived from the op table (`ops/unary-ops.ts`): each op's forward
 * expression, compiled per target. Binary kernels are compiled from the forward expressions of
 * {@link BINARY_EXPRESSIONS}. Fused kernels (`fusedMap`) are expression kernels. No kernel is a
 * function whose source text is read back.
 */
import { compileJavaScript } from './expression/compile-javascript.js';
import {
  add,
  and,
  div,
  equal,
  floor,
  greater,
  greaterEqual,
  input,
  less,
  lessEqual,
  log,
  mul,
  neg,
  notEqual,
  or,
  pow,
  scalar,
  select,
  sub,
} from './expression/builder.js';
import { replaceInputs } from './expression/replace-inputs.js';
import type { BooleanExpression, NumberExpression } from './expression/expression.js';
import * as UNARY_OPS from '../ops/unary-ops.js';

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
  Object.values(UNARY_OPS).map((op) => [
    op.definition.name,
    compileJavaScript(op.definition.forward, 1, op.definition.parameter ? 1 : 0),
  ]),
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
    kernel = {
      name: `unary:${name}`,
      arity: 1,
      scalarCount: definition.parameter ? 1 : 0,
      expression: definition.forward,
    };
    unaryExpressionKernels.set(name, kernel);
  }
  return kernel;
}

const a = input(0);
const b = input(1);
const isNaN = (value: NumberExpression) => notEqual(value, value);
const indicator = (condition: BooleanExpression) => select(condition, 1, 0);

/**
 * Every binary op's forward expression, by op name: input(0) is a, input(1) is b. The CPU
 * kernels ({@link BINARY_KERNELS}) and `@vane/gpu`'s are compiled from these trees; the
 * gradient rules of the differentiable ones come from {@link BINARY_DERIVATIVES}.
 */
export const BINARY_EXPRESSIONS = {
  add: add(a, b),
  sub: sub(a, b),
  mul: mul(a, b),
  div: div(a, b),
  pow: pow(a, b),
  // NaN-propagating, as torch.maximum / torch.minimum. The NaN operand itself is returned
  // because gpu.js cannot write a NaN constant.
  maximum: select(isNaN(a), a, select(isNaN(b), b, select(greater(a, b), a, b))),
  minimum: select(isNaN(a), a, select(isNaN(b), b, select(less(a, b), a, b))),
  // Remainder with the sign of the divisor (Python, NumPy and torch.remainder).
  mod: sub(a, mul(floor(div(a, b)), b)),
  equal: indicator(equal(a, b)),
  notEqual: indicator(notEqual(a, b)),
  less: indicator(less(a, b)),
  lessEqual: indicator(lessEqual(a, b)),
  greater: indicator(greater(a, b)),
  greaterEqual: indicator(greaterEqual(a, b)),
  logicalAnd: indicator(and(notEqual(a, 0), notEqual(b, 0))),
  logicalOr: indicator(or(notEqual(a, 0), notEqual(b, 0))),
} satisfies Record<string, NumberExpression>;

const g = input(2);
const y = input(3);

/** Ties split the gradient in half between the operands, as torch.maximum/minimum. */
function tieSplit(
  wins: (left: NumberExpression, right: NumberExpression) => BooleanExpression,
): readonly [NumberExpression, NumberExpression] {
  const shared = select(equal(a, b), mul(g, 0.5), g);
  return [select(wins(b, a), 0, shared), select(wins(a, b), 0, shared)];
}

const divided = div(g, b);

/**
 * The gradient rules of the differentiable binary ops, by op name: [the gradient of a, the
 * gradient of b], each an expression in input(0) = a, input(1) = b, input(2) = g (the output's
 * gradient) and input(3) = y (the output), with the output's broadcast shape. `@vane/autodiff`
 * evaluates them node by node with tensor ops (so they can be differentiated again), each node
 * one tensor op rounded as that op rounds, in the order of the hand-written rules they replaced.
 */
export const BINARY_DERIVATIVES = {
  add: [g, g],
  sub: [g, neg(g)],
  mul: [mul(g, b), mul(g, a)],
  // d(a/b) = da/b − (a/b²) db = da/b − y/b db.
  div: [divided, neg(mul(divided, y))],
  // d aᵇ = b·a^(b−1) da + aᵇ·ln a db. As PyTorch, the da term is 0 at a = b = 0 (0⁰ has
  // derivative 0 there, not 0·0^(−1) = NaN), and the db term is 0 where a = 0 and b ≥ 0. The
  // da mask is kept to a = 0 (PyTorch masks every b = 0), so that its derivative with
  // respect to b, a^(−1) at b = 0, stays right for second derivatives.
  pow: [
    select(and(equal(b, 0), equal(a, 0)), 0, mul(g, mul(b, pow(a, sub(b, 1))))),
    select(and(equal(a, 0), greaterEqual(b, 0)), 0, mul(g, mul(y, log(a)))),
  ],
  maximum: tieSplit(greater),
  minimum: tieSplit(less),
  // a mod b = a − ⌊a/b⌋·b, so d/da = 1 and d/db = −⌊a/b⌋ (away from the jumps).
  mod: [g, neg(mul(g, floor(div(a, b))))],
} satisfies Record<string, readonly [NumberExpression, NumberExpression]>;

/** Every binary kernel, by op name: {@link BINARY_EXPRESSIONS} compiled to JavaScript. */
export const BINARY_KERNELS = Object.fromEntries(
  Object.entries(BINARY_EXPRESSIONS).map(([name, expression]) => [name, compileJavaScript(expression, 2, 0)]),
) as Record<keyof typeof BINARY_EXPRESSIONS, BinaryKernel>;

/** Names of the binary kernels. */
export type BinaryKernelName = keyof typeof BINARY_EXPRESSIONS;

/** Which operand of a binary kernel is one value broadcast to every element (passed as scalar 0), if any. */
export type BroadcastOperand = 'none' | 'left' | 'right';

const binaryExpressionKernels = new Map<string, ExpressionKernel>();

/**
 * The binary op `name` as an expression kernel for the fused compilers: both operands tensors
 * (`binary:name`, inputs 0 and 1), or one of them a single value broadcast to every element,
 * passed as scalar 0 (`binary:name:leftScalar`, `binary:name:rightScalar`; the other operand is
 * input 0). Why the scalar form: a broadcast operand would otherwise need a filled array.
 *
 * @example
 * binaryExpressionKernel('pow', 'right') // { name: 'binary:pow:rightScalar', arity: 1, scalarCount: 1, expression: pow(input(0), scalar(0)) }
 */
export function binaryExpressionKernel(name: BinaryKernelName, broadcast: BroadcastOperand): ExpressionKernel {
  const key = broadcast === 'none' ? `binary:${name}` : `binary:${name}:${broadcast}Scalar`;
  let kernel = binaryExpressionKernels.get(key);
  if (!kernel) {
    const expression: NumberExpression = BINARY_EXPRESSIONS[name];
    kernel =
      broadcast === 'none'
        ? { name: key, arity: 2, scalarCount: 0, expression }
        : {
            name: key,
            arity: 1,
            scalarCount: 1,
            // The broadcast operand becomes scalar(0), the other input(0).
            expression: replaceInputs(expression, (index) =>
              (index === 0) === (broadcast === 'left') ? scalar(0) : input(0),
            ),
          };
    binaryExpressionKernels.set(key, kernel);
  }
  return kernel;
}

/**
 * A fused elementwise kernel given as data: an expression of the language in
 * `kernels/expression/`, which every target compiles from the tree (JavaScript, WebAssembly
 * SIMD, gpu.js), evaluated in one pass over same-shaped inputs with no temporaries. input(i)
 * is the element of the i-th tensor, scalar(j) the j-th scalar. Optimizer updates use these
 * (for example Adam's moment and step computations); `defineKernel` writes one with named
 * operands.
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

/**
 * A fused kernel: an {@link ExpressionKernel}. There is no other form: a kernel is data that
 * every target compiles from its tree, never a function whose source text is read back.
 */
export type FusedKernel = ExpressionKernel;

/**
 * The kernel as a JavaScript function of its elements then its scalars (compiled from the tree,
 * cached per expression).
 */
export function fusedFunction(kernel: FusedKernel): (...values: number[]) => number {
  return compileJavaScript(kernel.expression, kernel.arity, kernel.scalarCount);
}
