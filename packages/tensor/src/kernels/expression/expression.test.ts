/**
 * The expression language and its JavaScript target: every function means what its
 * JavaScript counterpart means, on ordinary and special values (NaN, ±0, ±∞).
 */
import { describe, expect, it } from 'vitest';
import { vaneErf, vaneRoundHalfEven } from '../special-functions.js';
import { inlineCalls, referenceCounts, usage } from './analysis.js';
import * as e from './builder.js';
import { compileJavaScript, javascriptSource } from './compile-javascript.js';
import type { BooleanExpression, NumberExpression } from './expression.js';

const VALUES = [0, -0, 1, -1, 0.5, -0.5, 2.5, -2.5, 1e-300, 3.7, -3.7, 1e300, Infinity, -Infinity, NaN, 0.1, 42];

const x = e.input(0);
const y = e.input(1);

describe('expression language', () => {
  it.each([
    ['neg', e.neg, (a: number) => -a],
    ['abs', e.abs, Math.abs],
    ['sqrt', e.sqrt, Math.sqrt],
    ['exp', e.exp, Math.exp],
    ['log', e.log, Math.log],
    ['log1p', e.log1p, Math.log1p],
    ['expm1', e.expm1, Math.expm1],
    ['sin', e.sin, Math.sin],
    ['cos', e.cos, Math.cos],
    ['tan', e.tan, Math.tan],
    ['tanh', e.tanh, Math.tanh],
    ['floor', e.floor, Math.floor],
    ['ceil', e.ceil, Math.ceil],
    ['trunc', e.trunc, Math.trunc],
    ['roundHalfEven', e.roundHalfEven, vaneRoundHalfEven],
    ['erf', e.erf, vaneErf],
    ['fround', e.fround, Math.fround],
  ] as const)('unary %s compiles to the JavaScript function', (_name, build, reference) => {
    const fn = compileJavaScript(build(x), 1, 0);
    for (const value of VALUES) expect(Object.is(fn(value), reference(value))).toBe(true);
  });

  it.each([
    ['add', e.add, (a: number, b: number) => a + b],
    ['sub', e.sub, (a: number, b: number) => a - b],
    ['mul', e.mul, (a: number, b: number) => a * b],
    ['div', e.div, (a: number, b: number) => a / b],
    ['min', e.min, Math.min],
    ['max', e.max, Math.max],
    ['pow', e.pow, Math.pow],
  ] as const)('binary %s compiles to the JavaScript operation', (_name, build, reference) => {
    const fn = compileJavaScript(build(x, y), 2, 0);
    for (const a of VALUES) for (const b of VALUES) expect(Object.is(fn(a, b), reference(a, b))).toBe(true);
  });

  it('compares, combines booleans and selects as JavaScript does (NaN compares false, except notEqual)', () => {
    const cases: [
      (a: NumberExpression, b: NumberExpression) => BooleanExpression,
      (a: number, b: number) => boolean,
    ][] = [
      [e.less, (a, b) => a < b],
      [e.lessEqual, (a, b) => a <= b],
      [e.greater, (a, b) => a > b],
      [e.greaterEqual, (a, b) => a >= b],
      [e.equal, (a, b) => a === b],
      [e.notEqual, (a, b) => a !== b],
    ];
    for (const [build, reference] of cases) {
      const fn = compileJavaScript(e.select(build(x, y), 1, 0), 2, 0);
      for (const a of VALUES) for (const b of VALUES) expect(fn(a, b)).toBe(reference(a, b) ? 1 : 0);
    }
    const logic = compileJavaScript(
      e.select(e.or(e.and(e.greater(x, 0), e.less(y, 0)), e.not(e.equal(x, x))), 1, 2),
      2,
      0,
    );
    for (const a of VALUES) for (const b of VALUES) expect(logic(a, b)).toBe((a > 0 && b < 0) || !(a === a) ? 1 : 2);
  });

  it('reads scalars after the inputs and keeps constants exact (−0, NaN, ±∞, negative literals)', () => {
    const fn = compileJavaScript(e.add(e.mul(x, e.scalar(0)), e.scalar(1)), 1, 2);
    expect(fn(2, 3, 4)).toBe(10);
    expect(fn.length).toBe(3);
    for (const value of [-0, NaN, Infinity, -Infinity, -1.5, 0.1, 5e-324])
      expect(Object.is(compileJavaScript(e.constant(value), 0, 0)(), value)).toBe(true);
    expect(Object.is(compileJavaScript(e.neg(e.constant(-0)), 0, 0)(), 0)).toBe(true);
  });

  it('evaluates a shared node once (a local), and duplicates that are distinct objects as written', () => {
    const shared = e.exp(x);
    const source = javascriptSource('k', e.div(shared, e.add(1, shared)), 1, 0);
    expect(source.match(/Math\.exp/g)).toHaveLength(1);
    expect(source).toContain('const t0 = Math.exp(in0);');
    expect(javascriptSource('k', e.div(e.exp(x), e.add(1, e.exp(x))), 1, 0).match(/Math\.exp/g)).toHaveLength(2);
    expect(referenceCounts(e.div(shared, e.add(1, shared))).get(shared)).toBe(2);
  });

  it('inlines calls of named ops with their argument and parameter substituted', () => {
    const body = e.select(e.greater(x, 0), x, e.mul(x, e.scalar(0)));
    const called = e.call('leaky', body, e.mul(y, 2), 0.25);
    const fn = compileJavaScript(called, 2, 0);
    expect(fn(0, 3)).toBe(6);
    expect(fn(0, -4)).toBe(-2);
    expect(JSON.stringify(inlineCalls(called))).not.toContain('"call"');
    expect(usage(called)).toEqual({ inputs: 2, scalars: 0, inputsRead: [false, true] });
  });

  it('refuses ill-typed trees and signatures that do not match', () => {
    expect(() => e.select(x as unknown as BooleanExpression, 1, 0)).toThrow(
      /expression\.select: expected a boolean expression/,
    );
    expect(() => e.add(e.less(x, 1) as unknown as NumberExpression, 1)).toThrow(
      /expected a number expression or a number, got a boolean expression/,
    );
    expect(() => e.input(-1)).toThrow(/expression\.input: 'index' must be a non-negative integer, got -1/);
    expect(() => compileJavaScript(e.mul(e.input(1), e.scalar(0)), 1, 1)).toThrow(
      /compileJavaScript: the expression reads input\(1\) but the kernel has 1 input/,
    );
    expect(() => compileJavaScript(e.mul(x, e.scalar(2)), 1, 1)).toThrow(
      /reads scalar\(2\) but the kernel has 1 scalar/,
    );
  });
});
