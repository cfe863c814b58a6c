/**
 * Nothing in the math assumes the default backend: with the parameters on a second backend
 * (a renamed copy of the CPU backend, standing in for a GPU one) every optimizer's updates and
 * state stay on that backend and equal the results on the default backend bit for bit.
 */
import { findBackend, registerBackend, tensor, tree, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { tensorsIn } from './apply-updates.js';
import { applyIfFinite } from './combinators/apply-if-finite.js';
import { lookahead } from './combinators/lookahead.js';
import { multiSteps } from './combinators/multi-steps.js';
import { build, CATALOG } from './test-support/catalog.js';
import { trajectory } from './test-support/run.js';
import type { GradientTransformation, TensorTree } from './transform.js';
import { clipByGlobalNorm } from './transforms/clip-by-global-norm.js';

const SECOND = 'second-cpu';
registerBackend({ ...findBackend('cpu'), name: SECOND });

const params = (backend: string): TensorTree => ({
  w: tensor(
    [
      [0.5, -1.25, 0.75],
      [-0.3, 2, -0.875],
    ],
    { backend },
  ),
  b: tensor([0.1, -0.45, 1.6], { backend }),
});
const gradients = (backend: string): TensorTree[] =>
  Array.from({ length: 4 }, (_, step) => ({
    w: tensor(
      [
        [Math.sin(step), 0.3, -0.2],
        [0.1 * step, -0.5, Math.cos(step)],
      ],
      { backend },
    ),
    b: tensor([0.2, step === 1 ? 0 : -0.1, 0.4], { backend }),
  }));
const bits = (value: TensorTree) => tree.leaves(value).flatMap((leaf) => Array.from((leaf as Tensor).dataSync()));

function check(make: () => GradientTransformation<unknown>) {
  const here = trajectory(make(), params('cpu'), gradients('cpu'));
  const there = trajectory(make(), params(SECOND), gradients(SECOND));
  for (const tensorThere of tensorsIn([there.params, there.state])) expect(tensorThere.backend.name).toBe(SECOND);
  expect(bits(there.params[3])).toEqual(bits(here.params[3]));
}

describe('optimizers run wholly on the parameters’ backend', () => {
  it.each(CATALOG.map((entry) => [entry.name, entry] as const))('%s', (_, entry) => check(() => build(entry, 10)));
  it('wrappers too', () => {
    check(() => applyIfFinite(multiSteps(lookahead(build(CATALOG[3]!, 10), { syncPeriod: 2 }), 2), 2));
    check(() => clipByGlobalNorm(0.5));
  });
});
