/**
 * The binary ops' gradient rules are derived from `@vane/tensor`'s BINARY_DERIVATIVES table.
 * This test keeps the hand-written rules they replaced as the reference and requires the
 * derived ones to give the same bytes, for both operands, on float32 and float64, with
 * broadcasting and on special values (±0, ±1, ±∞, NaN, ties, negative bases).
 */
import {
  equal,
  floor,
  div,
  greater,
  greaterEqual,
  less,
  log,
  logicalAnd,
  mul,
  neg,
  pow,
  sub,
  tensor,
  where,
  type DType,
  type Tensor,
} from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import type { GradientRule } from '../gradient-rule.js';
import { binaryRules } from './elementwise-rules.js';
import * as tensorOps from '@vane/tensor';

type Context = Parameters<GradientRule<'add'>>[0];
type Reference = (context: Context) => (Tensor | null)[];

function tieSplit(
  a: Tensor,
  b: Tensor,
  g: Tensor,
  needsGradient: readonly boolean[],
  wins: (a: Tensor, b: Tensor) => Tensor,
): (Tensor | null)[] {
  const shared = where(equal(a, b), mul(g, 0.5), g);
  return [
    needsGradient[0] ? where(wins(b, a), 0, shared) : null,
    needsGradient[1] ? where(wins(a, b), 0, shared) : null,
  ];
}

// The hand-written rules as they were before the table (autodiff/src/rules/elementwise-rules.ts).
const HAND_WRITTEN: Record<'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'mod', Reference> = {
  add: ({ outputGradient: g, needsGradient }) => [needsGradient[0] ? g : null, needsGradient[1] ? g : null],
  sub: ({ outputGradient: g, needsGradient }) => [needsGradient[0] ? g : null, needsGradient[1] ? neg(g) : null],
  mul: ({ inputs: [a, b], outputGradient: g, needsGradient }) => [
    needsGradient[0] ? mul(g, b!) : null,
    needsGradient[1] ? mul(g, a!) : null,
  ],
  div: ({ inputs: [, b], output, outputGradient: g, needsGradient }) => {
    const scaled = div(g, b!);
    return [needsGradient[0] ? scaled : null, needsGradient[1] ? neg(mul(scaled, output)) : null];
  },
  pow: ({ inputs: [a, b], output, outputGradient: g, needsGradient }) => [
    needsGradient[0] ? where(logicalAnd(equal(b!, 0), equal(a!, 0)), 0, mul(g, mul(b!, pow(a!, sub(b!, 1))))) : null,
    needsGradient[1] ? where(logicalAnd(equal(a!, 0), greaterEqual(b!, 0)), 0, mul(g, mul(output, log(a!)))) : null,
  ],
  maximum: ({ inputs: [a, b], outputGradient: g, needsGradient }) => tieSplit(a!, b!, g, needsGradient, greater),
  minimum: ({ inputs: [a, b], outputGradient: g, needsGradient }) => tieSplit(a!, b!, g, needsGradient, less),
  mod: ({ inputs: [a, b], outputGradient: g, needsGradient }) => [
    needsGradient[0] ? g : null,
    needsGradient[1] ? neg(mul(g, floor(div(a!, b!)))) : null,
  ],
};

const SPECIAL = [0, -0, 1, -1, 2, -2.5, 0.5, 3, 1e-30, 1e30, Infinity, -Infinity, NaN];
const bytes = (t: Tensor | null) => {
  if (t === null) return null;
  const data = t.dataSync();
  return {
    shape: t.shape,
    dtype: t.dtype,
    bytes: Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
  };
};

describe('binary gradient rules derived from BINARY_DERIVATIVES equal the hand-written ones bit for bit', () => {
  const dtypes: DType[] = ['float32', 'float64'];
  describe.each(dtypes)('%s', (dtype) => {
    it.each(Object.keys(HAND_WRITTEN) as (keyof typeof HAND_WRITTEN)[])('%s', (name) => {
      // Every pair of special values (a column against a row: broadcasting), and a gradient with odd values.
      const a = tensor(
        SPECIAL.map((value) => [value]),
        { dtype },
      );
      const b = tensor([SPECIAL], { dtype });
      const forward = (tensorOps as unknown as Record<string, (x: Tensor, y: Tensor) => Tensor>)[name]!;
      const output = forward(a, b);
      const outputGradient = tensor(
        SPECIAL.map((_, row) => SPECIAL.map((value, column) => ((row + column) % 5 === 0 ? NaN : value * 0.75 + row))),
        { dtype },
      );
      for (const needsGradient of [
        [true, true],
        [true, false],
        [false, true],
      ]) {
        const context = { inputs: [a, b], output, outputGradient, attributes: {}, needsGradient } as unknown as Context;
        const derived = (binaryRules[name] as unknown as Reference)(context).map(bytes);
        const reference = HAND_WRITTEN[name](context).map(bytes);
        expect(derived).toEqual(reference);
      }
    });
  });
});
