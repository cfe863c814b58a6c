/**
 * Regression losses: mean squared error, mean absolute error, Huber.
 *
 * Source: `packages/nn/src/losses/regression-losses.ts`.
 */
import { abs, lessEqual, mul, square, sub, where, type Tensor } from '@vane/tensor';
import { checkLossArguments, checkSameShape, reduce, type Reduction } from './reduction.js';

/** Options of the regression losses. */
export interface RegressionLossOptions {
  reduction?: Reduction;
}

/**
 * Mean squared error, `ℓ_i = (x_i − y_i)²`, reduced by `reduction` (default mean).
 *
 * @example
 * mseLoss(tensor([1, 2]), tensor([1, 4])).item(); // 2
 */
export function mseLoss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  checkLossArguments('mseLoss', input, target, options, ['reduction']);
  checkSameShape('mseLoss', input, target);
  return reduce(square(sub(input, target)), options.reduction, 'mseLoss');
}

/**
 * Mean absolute error, `ℓ_i = |x_i − y_i|`.
 *
 * @example
 * l1Loss(tensor([1, 2]), tensor([1, 4])).item(); // 1
 */
export function l1Loss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  checkLossArguments('l1Loss', input, target, options, ['reduction']);
  checkSameShape('l1Loss', input, target);
  return reduce(abs(sub(input, target)), options.reduction, 'l1Loss');
}

/**
 * Huber loss (Huber, 1964): with `d = |x − y|`, `ℓ = d²/2` when `d ≤ δ`, else
 * `δ·(d − δ/2)`; quadratic near zero and linear in the tails. Default `δ = 1`.
 *
 * @example
 * huberLoss(tensor([0, 0]), tensor([0.5, 3])).item(); // (0.125 + 2.5) / 2 = 1.3125
 */
export function huberLoss(
  input: Tensor,
  target: Tensor,
  options: RegressionLossOptions & { delta?: number } = {},
): Tensor {
  checkLossArguments('huberLoss', input, target, options, ['reduction', 'delta']);
  checkSameShape('huberLoss', input, target);
  const delta = options.delta ?? 1;
  if (typeof delta !== 'number' || !(delta > 0)) throw new Error(`huberLoss: 'delta' must be positive, got ${delta}`);
  const difference = sub(input, target);
  const distance = abs(difference);
  const quadratic = mul(square(difference), 0.5);
  const linear = mul(sub(distance, delta / 2), delta);
  return reduce(where(lessEqual(distance, delta), quadratic, linear), options.reduction, 'huberLoss');
}
