import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  add,
  isFloatingDType,
  isTensor,
  mul,
  randn,
  seed,
  sum,
  tidy,
  tree,
  type OpName,
  type Tensor,
} from '@vane/tensor';
import { materialize } from '../test/arbitraries.js';
import { COMPOSITE_CASES, OP_CASES, type OpCase } from '../test/op-cases.js';
import { checkGrad, grad } from './index.js';
import { observeRecording } from './recorder.js';

// Fixed random weights make Σ w·f(x) depend on every output element, so checking the
// gradient of that scalar checks the whole vector-Jacobian product of f.
function weighted(y: Tensor, stream: number): Tensor {
  return sum(mul(y, randn(y.shape, { generator: seed(stream), dtype: y.dtype })));
}

function differentiable(input: unknown): boolean {
  const leaves = tree.leaves<unknown>(input as tree.Tree<unknown>);
  return leaves.length > 0 && leaves.every((leaf) => isTensor(leaf) && isFloatingDType(leaf.dtype));
}

function check(opCase: OpCase, order: 1 | 2, recordedOp: string | undefined, numRuns: number): void {
  fc.assert(
    fc.property(opCase.inputs, (generated) => {
      tidy(() => {
        const inputs = materialize(generated) as unknown[];
        const first = (...args: unknown[]) => weighted(opCase.apply(...args), 7);
        const argnums = inputs.flatMap((input, index) => (differentiable(input) ? [index] : []));
        // The second-order check differentiates Σ w'·∇f numerically: it checks the rules'
        // own gradients, which is what grad(grad(f)) and hvp rely on.
        const second = (...args: unknown[]) => {
          const gradients = grad(first, { argnums })(...args) as unknown[];
          return tree
            .leaves<Tensor>(gradients as tree.Tree<Tensor>)
            .map((g) => weighted(g, 11))
            .reduce((total, term) => add(total, term));
        };
        const seen = new Set<string>();
        observeRecording((name) => seen.add(name));
        let report;
        try {
          report = checkGrad(order === 1 ? first : second, inputs, opCase.options);
        } finally {
          observeRecording(undefined);
        }
        if (!report.ok) throw new Error(report.message);
        if (recordedOp && !seen.has(recordedOp)) {
          throw new Error(`the case did not record '${recordedOp}' (recorded: ${[...seen].join(', ') || 'nothing'})`);
        }
      });
    }),
    { numRuns },
  );
}

describe('checkGrad over every recorded op (fast-check shapes and values)', () => {
  for (const [op, cases] of Object.entries(OP_CASES) as [OpName, readonly OpCase[]][]) {
    for (const opCase of cases) {
      it(`${op}: ${opCase.label}`, () => check(opCase, 1, op, 20));
      if (opCase.secondOrder) it(`${op}: ${opCase.label}, second order`, () => check(opCase, 2, op, 6));
    }
  }
});

describe('checkGrad over composite ops', () => {
  for (const opCase of COMPOSITE_CASES) {
    it(opCase.label, () => check(opCase, 1, undefined, 20));
    if (opCase.secondOrder) it(`${opCase.label}, second order`, () => check(opCase, 2, undefined, 6));
  }
});
