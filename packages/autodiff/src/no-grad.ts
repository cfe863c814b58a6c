/**
 * Cutting gradients: `noGrad`, `stopGradient` and `detach`.
 */
import { withoutRecording, type Tensor } from '@vane/tensor';
import { alias } from './tensor-identity.js';

/**
 * Runs `fn` without recording any op: its results are constants to every tape and to the
 * global graph, and the tensor core frees op temporaries at once. Use it for evaluation, for
 * optimizer updates, and for anything that must not be differentiated.
 *
 * @example
 * const accuracy = noGrad(() => model(x).argmax(-1).equal(labels).cast('float32').mean());
 * @see PyTorch's `torch.no_grad`, which it mirrors.
 */
export function noGrad<T>(fn: () => T): T {
  return withoutRecording(fn);
}

/**
 * The same values as `x`, as a constant for differentiation: gradients do not flow back
 * through it. A new view of x's storage (no copy), owned by the caller.
 *
 * Math: stopGradient(x) = x, with ∂ stopGradient(x)/∂x = 0.
 *
 * @example
 * // A target that is not differentiated, as in TD learning.
 * const loss = value.sub(stopGradient(target)).square().mean();
 * @see JAX's `jax.lax.stop_gradient`.
 */
export function stopGradient(x: Tensor): Tensor {
  x.assertAlive('stopGradient');
  return withoutRecording(() => alias(x));
}

/**
 * PyTorch's name for {@link stopGradient}: a view of `x` outside every gradient graph.
 *
 * @example
 * const frozen = detach(features);
 */
export function detach(x: Tensor): Tensor {
  x.assertAlive('detach');
  return withoutRecording(() => alias(x));
}
