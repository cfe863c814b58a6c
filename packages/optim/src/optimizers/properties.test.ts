/**
 * Properties over random gradient streams (fast-check): sign methods ignore positive rescaling
 * of the gradients, a zero first gradient moves nothing, and a chain with identities equals the
 * optimizer alone.
 */
import { tensor, tree, type Tensor } from '@vane/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chain } from '../combinators/chain.js';
import { identity } from '../combinators/identity.js';
import { build, CATALOG } from '../test-support/catalog.js';
import { trajectory } from '../test-support/run.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { lion } from './lion.js';
import { rprop } from './rprop.js';
import { signSgd, signum } from './sign-sgd.js';

const element = fc.double({ min: -10, max: 10, noNaN: true }).map((value) => (Math.abs(value) < 1e-3 ? 0 : value));
const stream = fc.array(fc.array(element, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 6 });
const toGrads = (steps: number[][], factor = 1): TensorTree[] =>
  steps.map((values) => ({
    w: tensor(
      values.map((v) => v * factor),
      { dtype: 'float64' },
    ),
  }));
const start = (): TensorTree => ({ w: tensor([0.5, -1, 2], { dtype: 'float64' }) });
const finalValues = (tx: GradientTransformation<unknown>, grads: TensorTree[]) => {
  const run = trajectory(tx, start(), grads);
  return Array.from((run.params[run.params.length - 1].w as Tensor).dataSync());
};

describe('properties', () => {
  it.each([
    ['signSgd', () => signSgd({ lr: 0.1 })],
    ['signum', () => signum({ lr: 0.1 })],
    ['lion', () => lion({ lr: 0.1 })],
    ['rprop', () => rprop({ lr: 0.1 })],
  ] as const)('%s is invariant to positive rescaling of the gradients', (_, make) => {
    fc.assert(
      fc.property(stream, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (steps, factor) => {
        expect(finalValues(make(), toGrads(steps, factor))).toEqual(finalValues(make(), toGrads(steps)));
      }),
      { numRuns: 25 },
    );
  });

  it.each(CATALOG.map((entry) => [entry.name, entry] as const))(
    '%s: a zero first gradient moves no parameter',
    (_, entry) => {
      expect(finalValues(build(entry, 10), toGrads([[0, 0, 0]]))).toEqual([0.5, -1, 2]);
    },
  );

  it('identities anywhere in a chain change nothing', () => {
    fc.assert(
      fc.property(stream, fc.constantFrom(...CATALOG), (steps, entry) => {
        const plain = finalValues(build(entry, 10), toGrads(steps));
        expect(finalValues(chain(identity(), build(entry, 10), identity()), toGrads(steps))).toEqual(plain);
      }),
      { numRuns: 30 },
    );
  });

  it('leaves keep their dtype', () => {
    for (const entry of CATALOG) {
      const run = trajectory(
        build(entry, 10),
        { a: tensor([1, 2], { dtype: 'float32' }), b: tensor([3], { dtype: 'float64' }) },
        [{ a: tensor([0.1, -0.2], { dtype: 'float32' }), b: tensor([0.3], { dtype: 'float64' }) }],
      );
      expect(tree.leaves(run.params[0]).map((leaf) => (leaf as Tensor).dtype)).toEqual(['float32', 'float64']);
    }
  });
});
