/**
 * Kernels as data: the node kinds of Vane's elementwise expression language.
 *
 * An expression is a tree (or a DAG: a node object may be used more than once, and every
 * compiler evaluates a shared node once) over the elements of a kernel's tensor inputs and its
 * scalar parameters. Every target compiles the same tree: a JavaScript loop, WebAssembly SIMD
 * (`wasm/simd-expression.ts`), gpu.js source (`@vane/gpu`) and, for gradient rules, tensor ops
 * (`ops/evaluate-expression.ts`). Build trees with the functions of `builder.ts`.
 *
 * Values are numbers (IEEE float64, as JavaScript computes them) or booleans. The type is part
 * of each node (`type`), so using a comparison where a number is expected (or a number as a
 * select's condition) is a compile error, not a silent lane of 0/1.
 */

/** The unary functions on numbers. Each has the meaning of the JavaScript function named in its TSDoc in `builder.ts`. */
export type UnaryFunction =
  | 'neg'
  | 'abs'
  | 'sqrt'
  | 'exp'
  | 'log'
  | 'log1p'
  | 'expm1'
  | 'sin'
  | 'cos'
  | 'tan'
  | 'tanh'
  | 'floor'
  | 'ceil'
  | 'trunc'
  | 'roundHalfEven'
  | 'erf'
  | 'fround';

/** The binary functions on numbers (`min`/`max` are JavaScript's Math.min/Math.max). */
export type BinaryFunction = 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'pow';

/** The comparisons, as JavaScript's `<`, `<=`, `>`, `>=`, `===`, `!==` (false for NaN except notEqual). */
export type Comparison = 'less' | 'lessEqual' | 'greater' | 'greaterEqual' | 'equal' | 'notEqual';

/** Element `index` of the kernel's tensor input `index` (the i-th tensor of `fusedMap`). */
export interface InputNode {
  readonly type: 'number';
  readonly kind: 'input';
  readonly index: number;
}

/** Scalar parameter `index` of the kernel (the same value for every element). */
export interface ScalarNode {
  readonly type: 'number';
  readonly kind: 'scalar';
  readonly index: number;
}

/** A numeric literal. */
export interface ConstantNode {
  readonly type: 'number';
  readonly kind: 'constant';
  readonly value: number;
}

/** A unary function of a number. */
export interface UnaryNode {
  readonly type: 'number';
  readonly kind: 'unary';
  readonly function: UnaryFunction;
  readonly operand: NumberExpression;
}

/** A binary function of two numbers. */
export interface BinaryNode {
  readonly type: 'number';
  readonly kind: 'binary';
  readonly function: BinaryFunction;
  readonly left: NumberExpression;
  readonly right: NumberExpression;
}

/** `condition ? whenTrue : whenFalse`. Both branches are pure, so targets may evaluate both. */
export interface SelectNode {
  readonly type: 'number';
  readonly kind: 'select';
  readonly condition: BooleanExpression;
  readonly whenTrue: NumberExpression;
  readonly whenFalse: NumberExpression;
}

/**
 * An application of a named elementwise op (an entry of the unary op table) to `argument`:
 * `body` is that op's forward expression in input 0 and scalar 0, which the compilers inline
 * with `argument` and `parameter` substituted. Keeping the name lets gradient rules evaluated
 * on tensors call the op itself (one rounding per op, as the op computes it).
 */
export interface CallNode {
  readonly type: 'number';
  readonly kind: 'call';
  readonly op: string;
  readonly body: NumberExpression;
  readonly argument: NumberExpression;
  readonly parameter?: NumberExpression;
}

/** A comparison of two numbers. */
export interface CompareNode {
  readonly type: 'boolean';
  readonly kind: 'compare';
  readonly comparison: Comparison;
  readonly left: NumberExpression;
  readonly right: NumberExpression;
}

/** `left && right` or `left || right` on booleans. */
export interface LogicalNode {
  readonly type: 'boolean';
  readonly kind: 'logical';
  readonly operator: 'and' | 'or';
  readonly left: BooleanExpression;
  readonly right: BooleanExpression;
}

/** `!operand`. */
export interface NotNode {
  readonly type: 'boolean';
  readonly kind: 'not';
  readonly operand: BooleanExpression;
}

/** An expression whose value is a number. */
export type NumberExpression = InputNode | ScalarNode | ConstantNode | UnaryNode | BinaryNode | SelectNode | CallNode;
/** An expression whose value is a boolean (usable only as a select's condition or in logic). */
export type BooleanExpression = CompareNode | LogicalNode | NotNode;
/** Any node of the language. */
export type Expression = NumberExpression | BooleanExpression;

/**
 * The direct operands of a node, in evaluation order.
 *
 * @example
 * children(add(input(0), constant(1))) // [input(0), constant(1)]
 */
export function children(node: Expression): readonly Expression[] {
  switch (node.kind) {
    case 'input':
    case 'scalar':
    case 'constant':
      return [];
    case 'unary':
    case 'not':
      return [node.operand];
    case 'binary':
    case 'compare':
    case 'logical':
      return [node.left, node.right];
    case 'select':
      return [node.condition, node.whenTrue, node.whenFalse];
    case 'call':
      return node.parameter ? [node.argument, node.parameter] : [node.argument];
  }
}
