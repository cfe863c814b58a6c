/**
 * Shared passes over expression DAGs: inlining named-op calls, counting references (so that
 * compilers evaluate a shared node once) and finding the inputs and scalars used.
 */
import type { Expression, NumberExpression } from './expression.js';
import { children } from './expression.js';

const inlined = new WeakMap<Expression, Expression>();

/**
 * The expression with every `call` node replaced by its op's body, in which input(0) and
 * scalar(0) stand for the call's argument and parameter. Node sharing is kept: a node used
 * twice stays one object. Memoised per expression.
 *
 * @example
 * inlineCalls(sigmoid.of(x)) // the sigmoid expression of x, without the call node
 */
export function inlineCalls<E extends Expression>(expression: E): E {
  const cached = inlined.get(expression);
  if (cached) return cached as E;
  type Bindings = { argument: NumberExpression; parameter?: NumberExpression } | undefined;
  // One memo per scope (the root, and each inlined call), so sharing inside a body is kept.
  const visit = (node: Expression, bindings: Bindings, memo: Map<Expression, Expression>): Expression => {
    const known = memo.get(node);
    if (known) return known;
    let result: Expression;
    switch (node.kind) {
      case 'input':
        result = bindings && node.index === 0 ? bindings.argument! : node;
        if (bindings && node.index !== 0)
          throw new Error(`expression: a called op's body may only read input(0), got input(${node.index})`);
        break;
      case 'scalar':
        if (bindings) {
          if (node.index !== 0 || !bindings.parameter)
            throw new Error(`expression: a called op's body read scalar(${node.index}) without a parameter`);
          result = bindings.parameter;
        } else result = node;
        break;
      case 'constant':
        result = node;
        break;
      case 'call': {
        const argument = visit(node.argument, bindings, memo) as NumberExpression;
        const parameter = node.parameter && (visit(node.parameter, bindings, memo) as NumberExpression);
        result = visit(node.body, parameter ? { argument, parameter } : { argument }, new Map());
        break;
      }
      case 'unary':
        result = { ...node, operand: visit(node.operand, bindings, memo) as NumberExpression };
        break;
      case 'not':
        result = { ...node, operand: visit(node.operand, bindings, memo) as never };
        break;
      case 'binary':
      case 'compare':
        result = {
          ...node,
          left: visit(node.left, bindings, memo) as NumberExpression,
          right: visit(node.right, bindings, memo) as NumberExpression,
        };
        break;
      case 'logical':
        result = {
          ...node,
          left: visit(node.left, bindings, memo) as never,
          right: visit(node.right, bindings, memo) as never,
        };
        break;
      case 'select':
        result = {
          ...node,
          condition: visit(node.condition, bindings, memo) as never,
          whenTrue: visit(node.whenTrue, bindings, memo) as NumberExpression,
          whenFalse: visit(node.whenFalse, bindings, memo) as NumberExpression,
        };
        break;
    }
    memo.set(node, result);
    return result;
  };
  const result = visit(expression, undefined, new Map()) as E;
  inlined.set(expression, result);
  return result;
}

/**
 * How many times each node is used as an operand (the root counts once), following shared
 * nodes once.
 *
 * @example
 * const s = exp(x); referenceCounts(add(s, s)).get(s) // 2
 */
export function referenceCounts(root: Expression): Map<Expression, number> {
  const counts = new Map<Expression, number>();
  const visit = (node: Expression) => {
    const seen = counts.get(node);
    counts.set(node, (seen ?? 0) + 1);
    if (seen === undefined) for (const child of children(node)) visit(child);
  };
  visit(root);
  return counts;
}

/** Every node once, operands before the nodes that use them. */
export function postOrder(root: Expression): Expression[] {
  const order: Expression[] = [];
  const seen = new Set<Expression>();
  const visit = (node: Expression) => {
    if (seen.has(node)) return;
    seen.add(node);
    for (const child of children(node)) visit(child);
    order.push(node);
  };
  visit(root);
  return order;
}

/**
 * The largest input and scalar indices read, plus one (the arity and scalar count the
 * expression needs at least), after inlining.
 *
 * @example
 * usage(mul(input(1), scalar(0))) // { inputs: 2, scalars: 1, inputsRead: [false, true] }
 */
export function usage(expression: NumberExpression): ExpressionUsage {
  // Memoised per expression (expressions are never changed once built): `fusedMap` checks every
  // call's kernel against its signature, and the walk would otherwise run on every call.
  const known = usages.get(expression);
  if (known !== undefined) return known;
  const result = Object.freeze(countUsage(expression));
  usages.set(expression, result);
  return result;
}

/** What {@link usage} reports of an expression; frozen, since it is shared between callers. */
export interface ExpressionUsage {
  /** The largest input index read, plus one. */
  readonly inputs: number;
  /** The largest scalar index read, plus one. */
  readonly scalars: number;
  /** Whether each input below `inputs` is read. */
  readonly inputsRead: readonly boolean[];
}

const usages = new WeakMap<NumberExpression, ExpressionUsage>();

function countUsage(expression: NumberExpression): ExpressionUsage {
  let inputs = 0;
  let scalars = 0;
  const read = new Set<number>();
  for (const node of postOrder(inlineCalls(expression))) {
    if (node.kind === 'input') {
      inputs = Math.max(inputs, node.index + 1);
      read.add(node.index);
    } else if (node.kind === 'scalar') scalars = Math.max(scalars, node.index + 1);
  }
  return { inputs, scalars, inputsRead: Object.freeze(Array.from({ length: inputs }, (_, index) => read.has(index))) };
}
