/**
 * Emits an expression as source text in a C-like language (JavaScript, or the JavaScript
 * subset gpu.js transpiles), given how that dialect writes each function. Fully parenthesised,
 * so the text evaluates the tree's operations in the tree's order; shared number nodes become
 * `const` locals, evaluated once.
 */
import { inlineCalls, postOrder, referenceCounts } from './analysis.js';
import type { BinaryFunction, Comparison, Expression, NumberExpression, UnaryFunction } from './expression.js';

/** How a dialect writes the parts of an expression. */
export interface SourceDialect {
  /** A numeric literal. */
  constant(value: number): string;
  /** A unary function applied to operand text. */
  unary(fn: UnaryFunction, operand: string): string;
  /** A binary function of two operand texts. */
  binary(fn: BinaryFunction, left: string, right: string): string;
  /**
   * A comparison of two operand texts; when absent, JavaScript's operators (`===`, `!==`, `<`,
   * ...). WGSL, for one, spells equality `==`.
   */
  compare?(comparison: Comparison, left: string, right: string): string;
  /** A choice between two number texts; when absent, JavaScript's `(c ? t : f)`. */
  select?(condition: string, whenTrue: string, whenFalse: string): string;
  /** The declaration of a shared local; when absent, JavaScript's `const name = source;`. */
  local?(name: string, source: string): string;
}

/** The emitted text: local declarations (in order) and the result expression. */
export interface EmittedSource {
  readonly statements: readonly string[];
  readonly result: string;
}

const COMPARISON_OPERATORS: Record<Comparison, string> = {
  less: '<',
  lessEqual: '<=',
  greater: '>',
  greaterEqual: '>=',
  equal: '===',
  notEqual: '!==',
};

/**
 * The source of `expression` (after inlining calls), with input `i` written `inputName(i)`
 * and scalar `i` written `scalarName(i)`.
 *
 * @example
 * emitSource(mul(input(0), scalar(0)), JAVASCRIPT_DIALECT, (i) => `in${i}`, (i) => `s${i}`).result // '(in0 * s0)'
 */
export function emitSource(
  expression: NumberExpression,
  dialect: SourceDialect,
  inputName: (index: number) => string,
  scalarName: (index: number) => string,
): EmittedSource {
  const root = inlineCalls(expression);
  const counts = referenceCounts(root);
  const text = new Map<Expression, string>();
  const statements: string[] = [];
  for (const node of postOrder(root)) {
    const of = (child: Expression) => text.get(child)!;
    let source: string;
    switch (node.kind) {
      case 'input':
        source = inputName(node.index);
        break;
      case 'scalar':
        source = scalarName(node.index);
        break;
      case 'constant':
        source = dialect.constant(node.value);
        break;
      case 'unary':
        source = dialect.unary(node.function, of(node.operand));
        break;
      case 'binary':
        source = dialect.binary(node.function, of(node.left), of(node.right));
        break;
      case 'compare':
        source = dialect.compare
          ? dialect.compare(node.comparison, of(node.left), of(node.right))
          : `(${of(node.left)} ${COMPARISON_OPERATORS[node.comparison]} ${of(node.right)})`;
        break;
      case 'logical':
        source = `(${of(node.left)} ${node.operator === 'and' ? '&&' : '||'} ${of(node.right)})`;
        break;
      case 'not':
        source = `(!${of(node.operand)})`;
        break;
      case 'select':
        source = dialect.select
          ? dialect.select(of(node.condition), of(node.whenTrue), of(node.whenFalse))
          : `(${of(node.condition)} ? ${of(node.whenTrue)} : ${of(node.whenFalse)})`;
        break;
      case 'call':
        throw new Error('emitSource: calls are inlined first');
    }
    // Booleans are never stored in locals: gpu.js has no boolean variables.
    const shared =
      (counts.get(node) ?? 0) > 1 &&
      node.type === 'number' &&
      node.kind !== 'input' &&
      node.kind !== 'scalar' &&
      node.kind !== 'constant';
    if (shared) {
      const name = `t${statements.length}`;
      statements.push(dialect.local ? dialect.local(name, source) : `const ${name} = ${source};`);
      source = name;
    }
    text.set(node, source);
  }
  return { statements, result: text.get(root)! };
}

/** A JavaScript number literal that reads back as exactly `value` (−0, NaN and ±∞ included). */
export function numberLiteral(value: number): string {
  if (Object.is(value, -0)) return '(-0)';
  if (Number.isNaN(value)) return 'NaN';
  return value < 0 ? `(${String(value)})` : String(value);
}
