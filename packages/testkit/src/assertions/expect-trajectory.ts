import { tree, type Tensor, type Tree } from '@vane/tensor';
import type { GradientTransformation } from '@vane/optim';
import { expectAllClose, type Tolerance } from './expect-all-close.js';
import { runSteps } from '../internal/run.js';

/**
 * Checks a transform against a golden sequence of updates.
 *
 * Math: starting from `init(params)`, feed g₁…g_T (updating p ← p + u_t after each step, as a
 * training loop does) and require u_t ≈ expected_t for every t under `tolerance` (see
 * {@link expectAllClose}). The error names the first differing step and path. Golden values
 * should come from an independent source (PyTorch, a hand derivation), never from the code
 * under test.
 *
 * @param transform - the optimizer under test (a fresh instance).
 * @param gradients - the gradient trees, in order; the first one's structure is used for the
 *   parameters unless `params` is given.
 * @param expected - the expected update trees, one per gradient.
 * @param tolerance - `absolute` and `relative` tolerances; state why in the test.
 * @param params - initial parameters (default: zeros shaped like the first gradient).
 * @example
 * // SGD with lr 0.1 on g = [1, −2]: u = [−0.1, 0.2] (by hand).
 * expectTrajectory(sgd({ lr: 0.1 }), [{ w: tensor([1, -2]) }], [{ w: tensor([-0.1, 0.2]) }], { absolute: 1e-7 });
 */
export function expectTrajectory(
  transform: GradientTransformation<any>,
  gradients: readonly Tree<Tensor>[],
  expected: readonly Tree<Tensor>[],
  tolerance: Tolerance = {},
  params?: Tree<Tensor>,
): void {
  if (gradients.length !== expected.length)
    throw new Error(`expectTrajectory: ${gradients.length} gradients but ${expected.length} expected updates`);
  if (gradients.length === 0) return;
  const start = params ?? tree.zerosLike(gradients[0]!);
  const { updates } = runSteps(transform, start, gradients);
  updates.forEach((update, step) =>
    expectAllClose(update, expected[step]!, tolerance, `expectTrajectory: step ${step + 1}`),
  );
}
