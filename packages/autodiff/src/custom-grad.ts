/**
 * `customGrad`: functions whose gradient the user defines.
 */
import { checkOptionKeys, isTensor, tidy, tree, withoutRecording, type Tensor } from '@vane/tensor';
import { recordNode } from './recorder.js';
import { alias, describeValue, nextTensorId } from './tensor-identity.js';

/** What a custom forward may return: the output alone, or with tensors saved for backward. */
export interface CustomForwardResult {
  output: Tensor;
  /** Anything (typically a tree of tensors) the backward needs; kept alive until then. */
  saved?: unknown;
}

/** What a custom backward receives besides the output gradient. */
export interface CustomGradContext<Inputs extends readonly Tensor[]> {
  readonly inputs: Inputs;
  readonly output: Tensor;
  /** What forward returned as `saved` (undefined if it returned the bare output). */
  readonly saved: unknown;
  /** Which inputs need a gradient; the others may get `null`. */
  readonly needsGradient: readonly boolean[];
}

/** A custom backward's result: one gradient (or null for none) per input; a bare tensor for one input. */
export type CustomBackwardResult = Tensor | null | readonly (Tensor | null | undefined)[];

/** Options of {@link customGrad}. */
export interface CustomGradOptions {
  /** Name used in error messages (defaults to the forward function's name). */
  name?: string;
}

/**
 * Defines a function by its forward computation and its own backward rule.
 *
 * Math: if y = forward(x₁, …, xₙ), the tape uses backward(ḡ, context) as (∂L/∂x₁, …, ∂L/∂xₙ)
 * given ḡ = ∂L/∂y, instead of differentiating forward's ops (which are not recorded). The
 * backward is ordinary Tensor code, so it is itself differentiated under `grad(grad(...))`.
 * Gradients may have the output's broadcast shape; the tape sums them to each input's shape.
 *
 * @example
 * // Gradient clipping in the backward pass only: the identity forward, a clipped backward.
 * const clipGradient = customGrad(
 *   (x: Tensor) => x.mul(1),
 *   (g) => g.clip(-1, 1),
 * );
 * @see JAX's `jax.custom_vjp` and PyTorch's `torch.autograd.Function`, which it resembles.
 */
export function customGrad<Inputs extends Tensor[]>(
  forward: (...inputs: Inputs) => Tensor | CustomForwardResult,
  backward: (outputGradient: Tensor, context: CustomGradContext<Inputs>) => CustomBackwardResult,
  options: CustomGradOptions = {},
): (...inputs: Inputs) => Tensor {
  checkOptionKeys('customGrad', options, ['name']);
  const name = `customGrad(${options.name ?? (forward.name || 'anonymous')})`;
  return (...inputs: Inputs) => {
    inputs.forEach((input, index) => {
      if (!isTensor(input)) throw new Error(`${name}: input ${index} must be a tensor, got ${describeValue(input)}`);
      input.assertAlive(name);
    });
    const firstTensorId = nextTensorId();
    // The forward's own ops are not recorded: the custom backward replaces their rules.
    const { output, saved } = withoutRecording(() =>
      tidy(() => {
        const result = forward(...inputs);
        if (isTensor(result)) return { output: result, saved: undefined as unknown };
        if (result && typeof result === 'object' && isTensor((result as CustomForwardResult).output)) {
          return { output: result.output, saved: result.saved };
        }
        throw new Error(`${name}: forward must return a tensor or { output, saved }, got ${describeValue(result)}`);
      }),
    );
    // The output must be a new tensor object, or the graph would point from an input to itself.
    const fresh = output.id >= firstTensorId ? output : withoutRecording(() => alias(output));
    const savedTensors = tree.leaves<unknown>(saved as tree.Tree<unknown>).filter(isTensor);
    const owned = savedTensors.filter((tensor) => tensor.id >= firstTensorId && tensor !== fresh);
    recordNode(
      name,
      inputs,
      fresh,
      (outputGradient, needsGradient) => {
        const result = backward(outputGradient, { inputs, output: fresh, saved, needsGradient });
        const list = isTensor(result) || result === null ? [result] : result;
        if (!Array.isArray(list) || list.length !== inputs.length) {
          throw new Error(
            `${name}: backward must return one gradient (or null) per input: expected ${inputs.length}, got ${describeValue(result)}`,
          );
        }
        return list as readonly (Tensor | null | undefined)[];
      },
      owned,
    );
    return fresh;
  };
}
