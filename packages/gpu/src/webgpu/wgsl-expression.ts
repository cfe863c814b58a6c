/**
 * The WGSL target of the expression language: an expression of `@vane/tensor` (every unary,
 * binary and fused elementwise kernel is one) becomes a WGSL function over `f32`, generated from
 * the tree.
 *
 * Where WGSL's built-ins leave a case undefined that JavaScript defines, a helper of
 * {@link WGSL_MATH} gives JavaScript's answer: comparisons test NaN by its bits (a compiler may
 * assume there is none), `exp` of NaN is NaN (SwiftShader's is not), `log` of 0 is −∞ and of a
 * negative number NaN, `sqrt` of a negative number NaN (WGSL leaves all three undefined), `min`/`max` propagate NaN, `pow` of a negative
 * base with an integer exponent keeps its sign, `tanh` is ±1 beyond |x| = 10 (some drivers
 * return NaN there), `log1p`/`expm1` keep their precision near 0, and `erf` (no WGSL built-in)
 * is Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, under float32's resolution
 * of erf's range). NaN and ±∞ constants, which WGSL cannot write as literals, are computed from
 * their bits at run time.
 */
import { emitSource, type NumberExpression, type SourceDialect, type UnaryFunction } from '@vane/tensor';

/** Helper functions every generated expression may call (prepend once per shader). */
export const WGSL_MATH = `
var<private> vaneInfinityBits: u32 = 0x7f800000u;
var<private> vaneNaNBits: u32 = 0x7fc00000u;
fn vaneInfinity() -> f32 { return bitcast<f32>(vaneInfinityBits); }
fn vaneNaN() -> f32 { return bitcast<f32>(vaneNaNBits); }
fn vaneIsNaN(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn vaneMin(a: f32, b: f32) -> f32 { if (vaneIsNaN(a) || vaneIsNaN(b)) { return vaneNaN(); } return min(a, b); }
fn vaneMax(a: f32, b: f32) -> f32 { if (vaneIsNaN(a) || vaneIsNaN(b)) { return vaneNaN(); } return max(a, b); }
fn vanePow(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (vaneIsNaN(a) || vaneIsNaN(b)) { return vaneNaN(); }
  if (a == 0.0) {
    if (b > 0.0) { return select(0.0, a, b == floor(b) && abs(b % 2.0) == 1.0); }
    return select(vaneInfinity(), select(vaneInfinity(), -vaneInfinity(), bitcast<u32>(a) == 0x80000000u), b == floor(b) && abs(b % 2.0) == 1.0);
  }
  if (a < 0.0) {
    if (b != floor(b)) { return vaneNaN(); }
    let magnitude = pow(-a, b);
    return select(magnitude, -magnitude, abs(b % 2.0) == 1.0);
  }
  return pow(a, b);
}
fn vaneExp(x: f32) -> f32 { if (vaneIsNaN(x)) { return x; } return exp(x); }
fn vaneLog(x: f32) -> f32 {
  if (vaneIsNaN(x) || x < 0.0) { return vaneNaN(); }
  if (x == 0.0) { return -vaneInfinity(); }
  return log(x);
}
fn vaneSqrt(x: f32) -> f32 { if (vaneIsNaN(x) || x < 0.0) { return vaneNaN(); } return sqrt(x); }
fn vaneTanh(x: f32) -> f32 { if (abs(x) > 10.0) { return sign(x); } return tanh(x); }
fn vaneLog1p(x: f32) -> f32 {
  if (vaneIsNaN(x) || x < -1.0) { return vaneNaN(); }
  if (x == -1.0) { return -vaneInfinity(); }
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (u == vaneInfinity()) { return u; }
  return log(u) * x / (u - 1.0);
}
fn vaneOrdered(a: f32, b: f32) -> bool { return !vaneIsNaN(a) && !vaneIsNaN(b); }
fn vaneExpm1(x: f32) -> f32 {
  if (abs(x) < 1e-5) { return x + 0.5 * x * x; }
  return exp(x) - 1.0;
}
fn vaneErf(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * z);
  let polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  let value = 1.0 - polynomial * exp(-z * z);
  return select(value, -value, x < 0.0);
}
`;

const UNARY: Readonly<Record<Exclude<UnaryFunction, 'neg' | 'fround'>, string>> = {
  abs: 'abs',
  sqrt: 'vaneSqrt',
  exp: 'vaneExp',
  log: 'vaneLog',
  log1p: 'vaneLog1p',
  expm1: 'vaneExpm1',
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  tanh: 'vaneTanh',
  floor: 'floor',
  ceil: 'ceil',
  trunc: 'trunc',
  // WGSL's round rounds halves to even, as the op wants.
  roundHalfEven: 'round',
  erf: 'vaneErf',
};

const OPERATORS: Readonly<Record<string, string>> = { add: '+', sub: '-', mul: '*', div: '/' };
const CALLS: Readonly<Record<string, string>> = { min: 'vaneMin', max: 'vaneMax', pow: 'vanePow' };
const COMPARISONS: Readonly<Record<string, string>> = {
  less: '<',
  lessEqual: '<=',
  greater: '>',
  greaterEqual: '>=',
  equal: '==',
};

/** A WGSL `f32` literal for `value` (NaN and ±∞ through the helpers, values beyond float32 as ±∞). */
export function wgslNumber(value: number): string {
  if (Number.isNaN(value)) return 'vaneNaN()';
  const rounded = Math.fround(value);
  if (rounded === Infinity) return 'vaneInfinity()';
  if (rounded === -Infinity) return '(-vaneInfinity())';
  if (Object.is(value, -0)) return '(-0.0)';
  // A value below float32's smallest subnormal is 0 in float32.
  if (rounded === 0) return value < 0 ? '(-0.0)' : '0.0';
  const text = String(Math.abs(value));
  const literal = /[.e]/.test(text) ? text : `${text}.0`;
  return value < 0 ? `(-${literal})` : literal;
}

const DIALECT: SourceDialect = {
  constant: wgslNumber,
  unary: (fn, operand) => (fn === 'neg' ? `(-${operand})` : fn === 'fround' ? operand : `${UNARY[fn]}(${operand})`),
  binary: (fn, left, right) =>
    OPERATORS[fn] ? `(${left} ${OPERATORS[fn]} ${right})` : `${CALLS[fn]!}(${left}, ${right})`,
  // Shader compilers may assume no NaN (SwiftShader folds x != x to false), so every comparison
  // tests for NaN by its bits: false when either side is NaN, as in JavaScript, and notEqual is
  // its negation (true for NaN, as JavaScript's !==).
  compare: (comparison, left, right) =>
    comparison === 'notEqual'
      ? `(!(vaneOrdered(${left}, ${right}) && ${left} == ${right}))`
      : `(vaneOrdered(${left}, ${right}) && ${left} ${COMPARISONS[comparison]!} ${right})`,
  select: (condition, whenTrue, whenFalse) => `select(${whenFalse}, ${whenTrue}, ${condition})`,
  local: (name, source) => `let ${name} = ${source};`,
};

const generated = new WeakMap<NumberExpression, Map<string, string>>();

/**
 * The WGSL function `name(x0: f32, ..., s0: f32, ...) -> f32` computing `expression` over
 * `arity` inputs and `scalarCount` scalars (needs {@link WGSL_MATH} in the same shader).
 * Generated once per tree and signature.
 *
 * @example
 * wgslExpressionFunction('vaneAxpy', add(mul(scalar(0), input(0)), input(1)), 2, 1)
 * // 'fn vaneAxpy(x0: f32, x1: f32, s0: f32) -> f32 {\n  return ((s0 * x0) + x1);\n}'
 */
export function wgslExpressionFunction(
  name: string,
  expression: NumberExpression,
  arity: number,
  scalarCount: number,
): string {
  let byName = generated.get(expression);
  if (!byName) {
    byName = new Map();
    generated.set(expression, byName);
  }
  const signature = `${name}/${arity}/${scalarCount}`;
  let source = byName.get(signature);
  if (source === undefined) {
    const { statements, result } = emitSource(
      expression,
      DIALECT,
      (index) => `x${index}`,
      (index) => `s${index}`,
    );
    const parameters = [
      ...Array.from({ length: arity }, (_, index) => `x${index}: f32`),
      ...Array.from({ length: scalarCount }, (_, index) => `s${index}: f32`),
    ];
    const lines = [...statements, `return ${result};`].map((line) => `  ${line}`).join('\n');
    source = `fn ${name}(${parameters.join(', ')}) -> f32 {\n${lines}\n}`;
    byName.set(signature, source);
  }
  return source;
}
