/**
 * Common-subexpression elimination by structure: equal subtrees built separately (the table's
 * sigmoid writes `exp(x)` twice in one branch) become one shared node, which every compiler
 * evaluates once. Pure expressions make this always valid.
 */
import type { Expression } from './expression.js';
import { children } from './expression.js';

const deduplicated = new WeakMap<Expression, Expression>();

/**
 * The expression with structurally equal subtrees merged into one node object (the first
 * one met). Values are unchanged: every node is a pure function of its operands. Memoised.
 *
 * @example
 * const twice = add(exp(x), exp(x)); const merged = deduplicate(twice); merged.left === merged.right // true
 */
export function deduplicate<E extends Expression>(root: E): E {
  const cached = deduplicated.get(root);
  if (cached) return cached as E;
  const canonical = new Map<string, Expression>();
  const identifiers = new Map<Expression, number>();
  const replaced = new Map<Expression, Expression>();
  const visit = (node: Expression): Expression => {
    const known = replaced.get(node);
    if (known) return known;
    const operands = children(node).map(visit);
    const changed = operands.some((operand, index) => operand !== children(node)[index]);
    const rebuilt = changed ? withOperands(node, operands) : node;
    const key = [rebuilt.kind, labelOf(rebuilt), ...operands.map((operand) => identifiers.get(operand)!)].join(
      '\u0000',
    );
    let result = canonical.get(key);
    if (!result) {
      result = rebuilt;
      canonical.set(key, result);
      identifiers.set(result, identifiers.size);
    }
    replaced.set(node, result);
    return result;
  };
  const result = visit(root) as E;
  deduplicated.set(root, result);
  return result;
}

const identities = new WeakMap<Expression, number>();
let nextIdentity = 0;
function identityOf(node: Expression): number {
  let identity = identities.get(node);
  if (identity === undefined) identities.set(node, (identity = nextIdentity++));
  return identity;
}

/** What distinguishes a node from others of its kind with the same operands. */
function labelOf(node: Expression): string {
  switch (node.kind) {
    case 'input':
    case 'scalar':
      return String(node.index);
    case 'constant':
      // Object.is semantics: 0 and −0 differ, NaN equals NaN.
      return Object.is(node.value, -0) ? '-0' : String(node.value);
    case 'unary':
    case 'binary':
      return node.function;
    case 'compare':
      return node.comparison;
    case 'logical':
      return node.operator;
    case 'call':
      // A call's body is not among its operands: calls are merged only when they are the same
      // object (the compilers inline calls before deduplicating anyway).
      return `${node.op}#${identityOf(node)}`;
    case 'not':
    case 'select':
      return '';
  }
}

/** `node` with its operands replaced (in the order `children` lists them). */
function withOperands(node: Expression, operands: readonly Expression[]): Expression {
  switch (node.kind) {
    case 'unary':
    case 'not':
      return { ...node, operand: operands[0] } as Expression;
    case 'binary':
    case 'compare':
    case 'logical':
      return { ...node, left: operands[0], right: operands[1] } as Expression;
    case 'select':
      return { ...node, condition: operands[0], whenTrue: operands[1], whenFalse: operands[2] } as Expression;
    case 'call':
      return { ...node, argument: operands[0], ...(node.parameter ? { parameter: operands[1] } : {}) } as Expression;
    case 'input':
    case 'scalar':
    case 'constant':
      return node;
  }
}
