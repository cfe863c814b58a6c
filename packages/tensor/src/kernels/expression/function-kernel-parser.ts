/**
 * The one place that still reads a function's source: it turns a function kernel (`{ name,
 * arity, fn }`, the form `@vane/optim`'s hand-written kernels keep for now) into an expression
 * of the kernel language, so that the WebAssembly SIMD compiler only ever consumes expressions.
 * It goes away once those kernels are written as expressions.
 *
 * A function qualifies when it is `const` declarations then one `return`, each an expression
 * of its parameters, earlier constants, numeric literals, + − × ÷, unary minus, parentheses,
 * Math.sqrt / abs / min / max / fround, and conditionals `a < b ? x : y` whose condition is one
 * comparison (< > <= >= === !==). Anything else (other calls, bare truthiness tests, && ||, a
 * parameter default, a shadowed name) is refused with the reason, and the caller counts the
 * fallback. A `const` becomes a shared node, evaluated once.
 */
import * as e from './builder';
import type { NumberExpression } from './expression';

type Callee = 'sqrt' | 'abs' | 'min' | 'max' | 'fround';
const COMPARISONS = { '<': e.less, '>': e.greater, '<=': e.lessEqual, '>=': e.greaterEqual, '===': e.equal, '!==': e.notEqual } as const;
type ComparisonToken = keyof typeof COMPARISONS;

const TOKEN = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(Math\.(?:sqrt|abs|min|max|fround)\b)|([A-Za-z_$][\w$]*)|(===|!==|<=|>=|[-+*/(),<>?:]))/y;

function tokenize(source: string): string[] | undefined {
  const tokens: string[] = [];
  let position = 0;
  while (position < source.length) {
    if (/^\s*$/.test(source.slice(position))) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(source);
    if (!match) return undefined;
    tokens.push((match[1] ?? match[2] ?? match[3] ?? match[4])!);
    position = TOKEN.lastIndex;
  }
  return tokens;
}

/** Recursive descent over conditionals (lowest), + −, × ÷, unary minus, then atoms. */
function parse(tokens: string[], names: ReadonlyMap<string, NumberExpression>): NumberExpression {
  let index = 0;
  const peek = () => tokens[index];
  // A comparison is accepted only as a conditional's condition: elsewhere JavaScript would
  // yield a boolean, which the expression language keeps apart from numbers.
  const conditional = (): NumberExpression => {
    const left = expression();
    const comparison = peek();
    if (comparison === undefined || !(comparison in COMPARISONS)) return left;
    index++;
    const right = expression();
    if (tokens[index++] !== '?') throw new Error('expected ?');
    const whenTrue = conditional();
    if (tokens[index++] !== ':') throw new Error('expected :');
    return e.select(COMPARISONS[comparison as ComparisonToken](left, right), whenTrue, conditional());
  };
  const expression = (): NumberExpression => {
    let left = term();
    while (peek() === '+' || peek() === '-') left = (tokens[index++] === '+' ? e.add : e.sub)(left, term());
    return left;
  };
  const term = (): NumberExpression => {
    let left = unary();
    while (peek() === '*' || peek() === '/') left = (tokens[index++] === '*' ? e.mul : e.div)(left, unary());
    return left;
  };
  const unary = (): NumberExpression => {
    if (peek() === '-') {
      index++;
      return e.neg(unary());
    }
    if (peek() === '+') throw new Error('unary plus');
    return atom();
  };
  const atom = (): NumberExpression => {
    const token = tokens[index++];
    if (token === undefined) throw new Error('unexpected end');
    if (token === '(') {
      const inner = conditional();
      if (tokens[index++] !== ')') throw new Error('expected )');
      return inner;
    }
    if (token.startsWith('Math.')) {
      const callee = token.slice(5) as Callee;
      if (tokens[index++] !== '(') throw new Error('expected (');
      const args = [conditional()];
      while (peek() === ',') {
        index++;
        args.push(conditional());
      }
      if (tokens[index++] !== ')') throw new Error('expected )');
      const binary = callee === 'min' || callee === 'max';
      if (args.length !== (binary ? 2 : 1)) throw new Error(`Math.${callee} with ${args.length} arguments`);
      return binary ? e[callee](args[0]!, args[1]!) : e[callee](args[0]!);
    }
    if (/^[\d.]/.test(token)) return e.constant(Number(token));
    const named = names.get(token);
    if (named) return named;
    throw new Error(`unknown name '${token}'`);
  };
  const node = conditional();
  if (index !== tokens.length) throw new Error(`unexpected '${tokens[index]}'`);
  return node;
}

/**
 * The parameter names, `const` declarations and returned expression of
 * `function f(a, b) { const c = e1; return e2; }`, `(a, b) => { ... }`, `(a, b) => e` or
 * `a => e` (the form esbuild and tsx emit for one-parameter arrows).
 */
function splitSource(source: string): { names: string[]; constants: { name: string; expression: string }[]; expression: string } | string {
  const compact = source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  const functionForm = /^\s*function\s*[\w$]*\s*\(([^)]*)\)\s*\{([^{}]*)\}\s*$/.exec(compact);
  const arrowForm =
    /^\s*\(([^)]*)\)\s*=>\s*(?:\{([^{}]*)\}|([^{][^;{}]*?))\s*$/.exec(compact) ??
    /^\s*([A-Za-z_$][\w$]*)\s*=>\s*(?:\{([^{}]*)\}|([^{][^;{}]*?))\s*$/.exec(compact);
  const parameters = functionForm?.[1] ?? arrowForm?.[1];
  const body = functionForm?.[2] ?? arrowForm?.[2];
  if (parameters === undefined) return 'its source is not a plain function or arrow with one block or expression body';
  const names = parameters.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  if (!names.every((name) => /^[A-Za-z_$][\w$]*$/.test(name))) return 'a parameter is not a plain name (a default value or a pattern)';
  if (body === undefined) return arrowForm?.[3] === undefined ? 'no body' : { names, constants: [], expression: arrowForm[3] };
  const statements = body.split(';').map((statement) => statement.trim()).filter((statement) => statement.length > 0);
  const constants: { name: string; expression: string }[] = [];
  for (const statement of statements.slice(0, -1)) {
    const declaration = /^const\s+([A-Za-z_$][\w$]*)\s*=\s*([\s\S]+)$/.exec(statement);
    if (!declaration) return `the statement '${statement.slice(0, 40)}' is not a const declaration`;
    // Shadowing or redeclaring a name would change what later expressions mean.
    if (names.includes(declaration[1]!) || constants.some((constant) => constant.name === declaration[1])) return `'${declaration[1]}' is declared twice`;
    constants.push({ name: declaration[1]!, expression: declaration[2]! });
  }
  const last = /^return\s+([\s\S]+)$/.exec(statements.at(-1) ?? '');
  return last ? { names, constants, expression: last[1]! } : 'the last statement is not a return';
}

/**
 * The expression of a function kernel `fn` with `arity` tensor inputs (its first parameters;
 * the rest are scalars), or the reason it is outside the accepted subset.
 *
 * @example
 * parseFunctionKernel((m, g, beta) => beta * m + g, 2) // { expression: add(mul(scalar(0), input(0)), input(1)) }
 */
export function parseFunctionKernel(fn: (...values: number[]) => number, arity: number): { expression: NumberExpression } | { unsupported: string } {
  const split = splitSource(Function.prototype.toString.call(fn));
  if (typeof split === 'string') return { unsupported: split };
  if (split.names.length !== fn.length) return { unsupported: 'a parameter has a default value' };
  if (split.names.length < arity || arity < 1) return { unsupported: `it has ${split.names.length} parameters for ${arity} inputs` };
  const names = new Map<string, NumberExpression>(split.names.map((name, index) => [name, index < arity ? e.input(index) : e.scalar(index - arity)]));
  try {
    for (const constant of split.constants) {
      const tokens = tokenize(constant.expression);
      if (!tokens) return { unsupported: `cannot read '${constant.expression.slice(0, 40)}'` };
      names.set(constant.name, parse(tokens, names));
    }
    const tokens = tokenize(split.expression);
    if (!tokens) return { unsupported: `cannot read '${split.expression.slice(0, 40)}'` };
    return { expression: parse(tokens, names) };
  } catch (error) {
    return { unsupported: (error as Error).message };
  }
}
