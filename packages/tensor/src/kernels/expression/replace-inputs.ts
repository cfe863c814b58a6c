/**
 * Rewriting an expression's inputs: each input(i) node replaced by another expression (a scalar
 * parameter, another input), for kernels derived from a table expression, such as a binary op
 * whose one operand is a broadcast value (`binaryExpressionKernel`).
 */
import { inlineCalls } from './analysis.js';
import type { Expression, NumberExpression } from './expression.js';

/**
 * `expression` (its calls inlined first) with every input(index) node replaced by
 * `replacement(index)`. Node sharing is kept: a node used twice stays one object.
 *
 * @example
 * replaceInputs(add(input(0), input(1)), (index) => (index === 1 ? scalar(0) : input(0))) // add(input(0), scalar(0))
 */
export function replaceInputs<E extends Expression>(
  expression: E,
  replacement: (index: number) => NumberExpression,
): E {
  const memo = new Map<Expression, Expression>();
  const visit = (node: Expression): Expression => {
    const known = memo.get(node);
    if (known) return known;
    let result: Expression;
    switch (node.kind) {
      case 'input':
        result = replacement(node.index);
        break;
      case 'scalar':
      case 'constant':
        result = node;
        break;
      case 'unary':
        result = { ...node, operand: visit(node.operand) as NumberExpression };
        break;
      case 'not':
        result = { ...node, operand: visit(node.operand) as never };
        break;
      case 'binary':
      case 'compare':
        result = { ...node, left: visit(node.left) as NumberExpression, right: visit(node.right) as NumberExpression };
        break;
      case 'logical':
        result = { ...node, left: visit(node.left) as never, right: visit(node.right) as never };
        break;
      case 'select':
        result = {
          ...node,
          condition: visit(node.condition) as never,
          whenTrue: visit(node.whenTrue) as NumberExpression,
          whenFalse: visit(node.whenFalse) as NumberExpression,
        };
        break;
      case 'call':
        throw new Error('replaceInputs: calls are inlined first');
    }
    memo.set(node, result);
    return result;
  };
  return visit(inlineCalls(expression)) as E;
}
