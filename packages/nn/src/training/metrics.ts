/**
 * Metrics for `fit` and `evaluate`: functions of a batch's output and target returning a
 * number averaged over the batch (combined across batches weighted by batch size).
 *
 * Source: `packages/nn/src/training/metrics.ts`.
 */
import { argmax, cast, equal, formatShape, mean, tidy, type Tensor } from '@vane/tensor';

/** A metric: the batch average of some per-example quantity. */
export type Metric = (output: Tensor, target: Tensor) => number;

/**
 * Classification accuracy: the fraction of examples whose largest logit (axis 1) is the
 * target class index.
 *
 * @example
 * accuracy(tensor([[2, 1], [0, 3]]), tensor([0, 0], { dtype: 'int32' })); // 0.5
 */
export function accuracy(output: Tensor, target: Tensor): number {
  const expected = [output.shape[0]!, ...output.shape.slice(2)];
  if (target.shape.length !== expected.length || target.shape.some((size, axis) => size !== expected[axis])) {
    throw new Error(
      `accuracy: 'target' has shape ${formatShape(target.shape)}, expected ${formatShape(expected)} for 'output' of shape ${formatShape(output.shape)}`,
    );
  }
  return tidy(() => mean(cast(equal(argmax(output, 1), target), 'float32')).item());
}
