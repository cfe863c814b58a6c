/**
 * Evaluates an expression of the kernel language with tensor ops, one op per node, so that the
 * result is recorded and can be differentiated again. Gradient rules derived from the unary op
 * table (`@vane/tensor`'s `unaryOps`) evaluate their derivative expressions this way.
 *
 * Each node rounds as its tensor op rounds (float32 tensors after every node), exactly as the
 * hand-written rules did. Nodes whose meaning differs from every tensor op (Math.min/max's
 * signed zeros, fround, trunc) are refused with an error, never approximated.
 */
import {
  abs,
  add,
  ceil,
  compileJavaScript,
  cos,
  div,
  equal,
  erf,
  exp,
  expm1,
  floor,
  greater,
  greaterEqual,
  isTensor,
  less,
  lessEqual,
  log,
  log1p,
  logicalAnd,
  logicalNot,
  logicalOr,
  mul,
  neg,
  notEqual,
  pow,
  round,
  sin,
  sqrt,
  sub,
  tan,
  tanh,
  unaryOps,
  where,
  type Expression,
  type Tensor,
  type TensorLike,
  type UnaryFunction,
} from '@vane/tensor';

type Value = Tensor | number | boolean;

const UNARY: Partial<Record<UnaryFunction, (x: Tensor) => Tensor>> = {
  neg,
  abs,
  sqrt,
  exp,
  log,
  log1p,
  expm1,
  sin,
  cos,
  tan,
  tanh,
  floor,
  ceil,
  erf,
  roundHalfEven: round,
};
const BINARY = { add, sub, mul, div, pow } as const;
const COMPARE = { less, lessEqual, greater, greaterEqual, equal, notEqual } as const;

function tensorOperand(owner: string, value: Value): TensorLike {
  if (typeof value === 'boolean') throw new Error(`${owner}: a boolean where a number was expected`);
  return value;
}

/**
 * The value of `expression` with input(i) = `inputs[i]` and scalar(j) = `scalars[j]`; nodes
 * shared in the expression are evaluated once (and across calls that pass the same `memo`,
 * as a binary rule's two gradients do).
 *
 * @example
 * evaluateOnTensors(mul(input(0), 2), [x], []) // mul(x, 2)
 */
export function evaluateOnTensors(
  expression: Expression,
  inputs: readonly Tensor[],
  scalars: readonly number[],
  memo = new Map<Expression, Value>(),
): Value {
  const evaluate = (node: Expression): Value => {
    const known = memo.get(node);
    if (known !== undefined) return known;
    let value: Value;
    switch (node.kind) {
      case 'input':
        value = inputs[node.index]!;
        break;
      case 'scalar':
        value = scalars[node.index]!;
        break;
      case 'constant':
        value = node.value;
        break;
      case 'unary': {
        const operand = evaluate(node.operand);
        if (typeof operand === 'number')
          value = compileJavaScript({ ...node, operand: { type: 'number', kind: 'constant', value: operand } }, 0, 0)();
        else {
          const op = UNARY[node.function];
          if (!op) throw new Error(`evaluateOnTensors: '${node.function}' has no tensor op of the same meaning`);
          value = op(operand as Tensor);
        }
        break;
      }
      case 'binary': {
        const left = tensorOperand('evaluateOnTensors', evaluate(node.left));
        const right = tensorOperand('evaluateOnTensors', evaluate(node.right));
        if (!(node.function in BINARY))
          throw new Error(`evaluateOnTensors: '${node.function}' has no tensor op of the same meaning`);
        const op = BINARY[node.function as keyof typeof BINARY];
        value =
          typeof left === 'number' && typeof right === 'number'
            ? compileJavaScript(
                {
                  ...node,
                  left: { type: 'number', kind: 'constant', value: left },
                  right: { type: 'number', kind: 'constant', value: right },
                },
                0,
                0,
              )()
            : op(left, right);
        break;
      }
      case 'compare':
        value = COMPARE[node.comparison](
          tensorOperand('evaluateOnTensors', evaluate(node.left)),
          tensorOperand('evaluateOnTensors', evaluate(node.right)),
        );
        break;
      case 'logical': {
        const left = evaluate(node.left) as Tensor;
        const right = evaluate(node.right) as Tensor;
        value = node.operator === 'and' ? logicalAnd(left, right) : logicalOr(left, right);
        break;
      }
      case 'not':
        value = logicalNot(evaluate(node.operand) as Tensor);
        break;
      case 'select': {
        const condition = evaluate(node.condition);
        const whenTrue = tensorOperand('evaluateOnTensors', evaluate(node.whenTrue));
        const whenFalse = tensorOperand('evaluateOnTensors', evaluate(node.whenFalse));
        value =
          typeof condition === 'boolean'
            ? condition
              ? whenTrue
              : whenFalse
            : where(condition as Tensor, whenTrue, whenFalse);
        break;
      }
      case 'call': {
        const op = (unaryOps as unknown as Record<string, (x: Tensor, parameter?: number) => Tensor>)[node.op];
        if (!op) throw new Error(`evaluateOnTensors: no unary op named '${node.op}'`);
        const argument = evaluate(node.argument);
        if (!isTensor(argument)) throw new Error(`evaluateOnTensors: '${node.op}' of a constant`);
        value = node.parameter ? op(argument, evaluate(node.parameter) as number) : op(argument);
        break;
      }
    }
    memo.set(node, value);
    return value;
  };
  return evaluate(expression);
}
