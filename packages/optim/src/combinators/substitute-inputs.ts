/**
 * Rewriting an expression's inputs and scalars: the step that turns a final kernel over
 * finished tensors into one over the sources of the kernels that make them (Adam's direction
 * over fround(m′), fround(v′) instead of over stored m′ and v′), so that both run in one pass.
 */
import type { BooleanExpression, Expression, NumberExpression } from '@vane/tensor';

/**
 * `expression` with every input(i) replaced by `input(i)` and every scalar(j) by scalar(j +
 * `scalarShift`). Shared nodes stay shared (each node is rewritten once), so the compilers still
 * evaluate a shared subtree once. A call node's `body` is the op's own expression in its own
 * input 0 and scalar 0, so only its argument and parameter are rewritten.
 *
 * @example
 * substituteInputs(e.add(e.input(0), e.scalar(0)), (index) => e.input(index + 2), 3) // input(2) + scalar(3)
 */
export function substituteInputs(
  expression: NumberExpression,
  input: (index: number) => NumberExpression,
  scalarShift: number,
): NumberExpression {
  const rewritten = new Map<Expression, Expression>();
  const number = (node: NumberExpression): NumberExpression => rewrite(node) as NumberExpression;
  const boolean = (node: BooleanExpression): BooleanExpression => rewrite(node) as BooleanExpression;
  const rewrite = (node: Expression): Expression => {
    const done = rewritten.get(node);
    if (done !== undefined) return done;
    let result: Expression;
    switch (node.kind) {
      case 'input':
        result = input(node.index);
        break;
      case 'scalar':
        result = scalarShift === 0 ? node : { ...node, index: node.index + scalarShift };
        break;
      case 'constant':
        result = node;
        break;
      case 'unary':
        result = { ...node, operand: number(node.operand) };
        break;
      case 'not':
        result = { ...node, operand: boolean(node.operand) };
        break;
      case 'binary':
        result = { ...node, left: number(node.left), right: number(node.right) };
        break;
      case 'compare':
        result = { ...node, left: number(node.left), right: number(node.right) };
        break;
      case 'logical':
        result = { ...node, left: boolean(node.left), right: boolean(node.right) };
        break;
      case 'select':
        result = {
          ...node,
          condition: boolean(node.condition),
          whenTrue: number(node.whenTrue),
          whenFalse: number(node.whenFalse),
        };
        break;
      case 'call':
        result = {
          ...node,
          argument: number(node.argument),
          ...(node.parameter !== undefined && { parameter: number(node.parameter) }),
        };
        break;
    }
    rewritten.set(node, result);
    return result;
  };
  return number(expression);
}
