/**
 * One definition per primitive unary elementwise op: its forward expression, its derivative
 * expression and its result dtype. Everything else is derived from it: the tensor function and
 * method, the CPU kernels (JavaScript loop and WebAssembly SIMD), the gpu.js kernel, the op
 * name lists and the autodiff gradient rule. The table itself is `ops/unary-ops.ts`.
 */
import { call, input, scalar, type Operand } from './expression/builder.js';
import type { NumberExpression } from './expression/expression.js';
import type { Tensor } from '../tensor.js';

/** The variables definitions are written in. */
export const UNARY_VARIABLES = {
  /** The op's input element. */
  x: input(0),
  /** The gradient of the loss with respect to the op's output (derivatives only). */
  g: input(1),
  /** The op's output element (derivatives only; reusing it saves recomputing the op). */
  y: input(2),
  /** The op's parameter (the slope of leakyRelu, the alpha of elu). */
  parameter: scalar(0),
} as const;

/** What an op's result dtype is: the input's ('same'; bool becomes int32), floating ('float': int becomes float32) or 'bool'. */
export type UnaryResult = 'same' | 'float' | 'bool';

/**
 * Where an op is differentiable, for its gradient checks: all reals ('smooth'), x > 0
 * ('positive'), x ≠ 0 ('nonzero'), |x| < 1 ('unit'), x > −½ ('aboveMinusHalf') or away from
 * the integers ('offInteger').
 */
export type UnaryDomain = 'smooth' | 'positive' | 'nonzero' | 'unit' | 'aboveMinusHalf' | 'offInteger';

/** A unary op's definition. */
export interface UnaryOpDefinition<
  Name extends string = string,
  Result extends UnaryResult = UnaryResult,
  Parameter extends string | undefined = string | undefined,
> {
  /** The op's name (the tensor function, method and recorded op are called so). */
  readonly name: Name;
  /** The result dtype. 'bool' ops are not differentiable and not recorded. */
  readonly result: Result;
  /** The op's one numeric parameter, if any, with its default. */
  readonly parameter?: Parameter extends string ? { readonly name: Parameter; readonly default: number } : undefined;
  /** The value of one output element, in `x` (and `parameter`). */
  readonly forward: NumberExpression;
  /**
   * The gradient with respect to x, in `g`, `x`, `y` and `parameter`, or 'zero' where the op
   * is piecewise constant. A function, so that definitions may call ops defined after them.
   * Gradient rules evaluate it with tensor ops (one op per node, so it can be differentiated
   * again). Absent for 'bool' results.
   */
  readonly derivative?: () => NumberExpression | 'zero';
  /**
   * A form of the derivative evaluated as one fused kernel when the backward pass is not
   * itself recorded (first-order gradients only). relu uses it: its rule runs once per layer
   * per step.
   */
  readonly firstOrderDerivative?: NumberExpression;
  /** Where the op is differentiable, for its gradient check. */
  readonly domain?: UnaryDomain;
}

/** A unary op: the tensor function, with its definition and an expression builder. */
export type UnaryOp<
  Name extends string = string,
  Result extends UnaryResult = UnaryResult,
  Parameter extends string | undefined = string | undefined,
> = (Parameter extends string ? (x: Tensor, parameter?: number) => Tensor : (x: Tensor) => Tensor) & {
  /** The definition the op is derived from. */
  readonly definition: UnaryOpDefinition<Name, Result, Parameter>;
  /** The op applied to an expression (a call node), for other definitions and kernels. */
  of(argument: Operand, parameter?: Operand): NumberExpression;
};

type Applier = (definition: UnaryOpDefinition, x: Tensor, parameter: number) => Tensor;
let applier: Applier | undefined;

/** Installs the function that runs a unary op on tensors (`ops/elementwise.ts` does, once). */
export function setUnaryOpApplier(apply: Applier): void {
  applier = apply;
}

/**
 * Defines a unary op from its definition.
 *
 * @example
 * export const square = defineUnaryOp({ name: 'square', result: 'same', forward: mul(x, x), derivative: () => mul(g, mul(x, 2)) });
 */
export function defineUnaryOp<
  const Name extends string,
  const Result extends UnaryResult,
  const Parameter extends string | undefined = undefined,
>(definition: UnaryOpDefinition<Name, Result, Parameter>): UnaryOp<Name, Result, Parameter> {
  const op = (x: Tensor, parameter?: number): Tensor => {
    if (!applier) throw new Error(`${definition.name}: the elementwise ops are not loaded; import '@vane/tensor'`);
    return applier(definition, x, parameter as number);
  };
  const of = (argument: Operand, parameter?: Operand) =>
    call(
      definition.name,
      definition.forward,
      argument,
      definition.parameter ? (parameter ?? definition.parameter.default) : undefined,
    );
  Object.defineProperty(op, 'name', { value: definition.name });
  return Object.assign(op, { definition, of }) as unknown as UnaryOp<Name, Result, Parameter>;
}
