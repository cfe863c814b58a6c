import { scale } from './transforms/scale.js';

/**
 * The first stage of an optimizer built with `maximize: true`: `maximize: scale(−1)`, which
 * negates the gradient before every other transform (L2 weight decay and moment estimates
 * included), as PyTorch does (`grad = -grad` first). The optimizer then ascends the objective:
 * maximizing f with it equals minimizing −f without it, state included. With `false` there is
 * no stage, so the chain and its state are unchanged.
 *
 * @param maximize - whether to ascend.
 * @example
 * namedChain({ ...maximizeStage(true), adam: scaleByAdam(), learningRate: scaleByLearningRate(1e-3) });
 */
export function maximizeStage(maximize: boolean): { maximize?: ReturnType<typeof scale> } {
  return maximize ? { maximize: scale(-1) } : {};
}
