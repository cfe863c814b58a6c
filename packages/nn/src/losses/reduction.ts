/**
 * The `reduction` option shared by every loss, and the argument checks every loss makes.
 *
 * Source: `packages/nn/src/losses/reduction.ts`.
 */
import { checkOptionKeys, formatShape, max, mean, min, sum, tidy, withoutRecording, type Tensor } from '@vane/tensor';
import { checkTensorArgument } from '../validation.js';

/** How per-element losses become the result: their mean (default), their sum, or unchanged. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Applies `reduction` to per-element losses. */
export function reduce(losses: Tensor, reduction: Reduction | undefined, caller: string): Tensor {
  switch (reduction ?? 'mean') {
    case 'mean':
      return mean(losses);
    case 'sum':
      return sum(losses);
    case 'none':
      return losses;
    default:
      throw new Error(`${caller}: 'reduction' must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}

/** Throws unless `input` and `target` have the same shape. */
export function checkSameShape(caller: string, input: Tensor, target: Tensor): void {
  if (input.shape.length !== target.shape.length || input.shape.some((size, axis) => size !== target.shape[axis])) {
    throw new Error(
      `${caller}: 'target' has shape ${formatShape(target.shape)}, expected the shape of 'input' ${formatShape(input.shape)}`,
    );
  }
}

/**
 * The checks every loss makes first: `input` and `target` are Tensors, and `options` has only
 * the keys `allowed` (a misspelt `reduce: 'sum'` would otherwise silently average).
 */
export function checkLossArguments(
  caller: string,
  input: unknown,
  target: unknown,
  options: unknown,
  allowed: readonly string[],
): void {
  checkTensorArgument(caller, 'input', input);
  checkTensorArgument(caller, 'target', target);
  checkOptionKeys(caller, options, allowed);
}

/**
 * Throws unless every element of `values` lies in [0, 1] (NaN does not), as PyTorch's
 * `binary_cross_entropy` does: outside that range the loss is NaN, and a NaN loss found many
 * steps later does not say where it came from. Cost: one min and one max over the tensor and a
 * read of the two numbers (PyTorch pays the same check); nothing is recorded for autodiff.
 */
export function checkUnitInterval(caller: string, name: string, values: Tensor): void {
  // Backends without synchronous reads (webgpu) skip the check: outside [0, 1] the loss is NaN.
  if (values.size === 0 || !values.backend.supportsSyncRead) return;
  const [low, high] = withoutRecording(() => tidy(() => [min(values).item(), max(values).item()]));
  if (!(low! >= 0 && high! <= 1)) {
    throw new Error(
      `${caller}: every element of '${name}' must be in [0, 1], got values in [${low}, ${high}] (shape ${formatShape(values.shape)})`,
    );
  }
}
