import { describe, expect, it } from 'vitest';
import { expression as e, unaryOps } from '../../index.js';
import { inlineCalls, postOrder } from './analysis.js';
import { deduplicate } from './deduplicate.js';
import type { Expression } from './expression.js';

const count = (root: Expression, name: string) =>
  postOrder(root).filter((node) => node.kind === 'unary' && node.function === name).length;

describe('deduplicate', () => {
  it('merges equal subtrees built separately, and keeps different ones apart', () => {
    const x = e.input(0);
    const twice = e.add(e.exp(x), e.exp(e.input(0)));
    const merged = deduplicate(twice);
    expect(merged.kind === 'binary' && merged.left === merged.right).toBe(true);
    expect(count(merged, 'exp')).toBe(1);
    // exp(x) and exp(input 1), 0 and −0, scalar 0 and input 0 stay distinct.
    expect(count(deduplicate(e.add(e.exp(x), e.exp(e.input(1)))), 'exp')).toBe(2);
    const zeros = deduplicate(e.add(e.mul(x, 0), e.mul(x, -0)));
    expect(zeros.kind === 'binary' && zeros.left !== zeros.right).toBe(true);
    const mixed = deduplicate(e.add(e.exp(e.scalar(0)), e.exp(x)));
    expect(count(mixed, 'exp')).toBe(2);
  });

  it("evaluates the table's sigmoid with two exps instead of three", () => {
    const sigmoid = inlineCalls(unaryOps.sigmoid.of(e.input(0)));
    expect(count(sigmoid, 'exp')).toBe(3);
    expect(count(deduplicate(sigmoid), 'exp')).toBe(2);
  });
});
