import { fusedMap, tidy, defineKernel, expression as e, type Tensor } from '@vane/tensor';
import { SCALE } from '../kernels.js';
import { finalKernelProducer } from '../combinators/final-kernel-producer.js';
import type { FreshFinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, zerosTree } from '../tree-utilities.js';
import {
  checkBoolean,
  checkClosedUnitInterval,
  checkNonNegative,
  checkOptionKeys,
  failCombination,
} from '../validation.js';

/** Options of {@link trace}. */
export interface TraceOptions {
  /** Momentum μ ≥ 0 (default 0.9). */
  decay?: number;
  /** Use Nesterov's look-ahead form (default false). */
  nesterov?: boolean;
  /** Dampening d ∈ [0, 1] applied to the gradient after the first step (default 0). */
  dampening?: number;
}

/** State of {@link trace}. */
export interface TraceState {
  /** Updates seen so far (the first one initialises the buffer). */
  count: number;
  /** The momentum buffer b, shaped like the params. */
  momentum: TensorTree;
}

const MOMENTUM = defineKernel(
  'optim.trace.momentum',
  { inputs: ['b', 'g'], scalars: ['decay', 'gradientWeight'] },
  ({ b, g, decay, gradientWeight }) => e.add(e.mul(decay, b), e.mul(gradientWeight, g)),
);

/** The first momentum, b = 1·g (SCALE by 1, as the unfused first step stored it), in MOMENTUM's signature. */
const FIRST_MOMENTUM = defineKernel(
  'optim.trace.firstMomentum',
  { inputs: ['b', 'g'], scalars: ['decay', 'gradientWeight'] },
  ({ g }) => e.mul(1, g),
);

const NESTEROV = defineKernel('optim.trace.nesterov', { inputs: ['g', 'b'], scalars: ['decay'] }, ({ g, b, decay }) =>
  e.add(g, e.mul(decay, b)),
);

/**
 * Momentum (heavy ball or Nesterov) in PyTorch's convention.
 *
 * Update (t-th update, t from 1):
 * - b₁ = g₁; b_t = μ·b_{t−1} + (1 − d)·g_t (PyTorch starts the buffer at the first gradient,
 *   without dampening);
 * - u = g_t + μ·b_t with `nesterov`, else u = b_t.
 *
 * With d = 0 this equals optax's `trace` (b₀ = 0, b_t = μ·b_{t−1} + g_t).
 *
 * @param options - `decay` μ (0.9), `nesterov` (false), `dampening` d (0).
 * @example
 * const heavyBall = chain(trace({ decay: 0.9 }), scaleByLearningRate(0.1));
 * @see Polyak, "Some methods of speeding up the convergence of iteration methods" (1964);
 *   Sutskever, Martens, Dahl, Hinton, "On the importance of initialization and momentum in deep learning" (ICML 2013).
 */
export function trace(options: TraceOptions = {}): GradientTransformation<TraceState> {
  const owner = 'trace';
  checkOptionKeys(owner, options, ['decay', 'nesterov', 'dampening']);
  const decay = checkNonNegative(owner, 'decay', options.decay ?? 0.9);
  const nesterov = checkBoolean(owner, 'nesterov', options.nesterov ?? false);
  const dampening = checkClosedUnitInterval(owner, 'dampening', options.dampening ?? 0);
  if (nesterov && (decay <= 0 || dampening !== 0))
    failCombination(owner, 'nesterov', 'used with decay > 0 and dampening 0', `decay ${decay}, dampening ${dampening}`);
  // The new momentum b′ of (b, g), the first one 1·g.
  const momentumKernel = (state: TraceState) => (state.count === 0 ? FIRST_MOMENTUM : MOMENTUM);
  const finalKernel = (updates: TensorTree, state: TraceState): FreshFinalKernel<TraceState> => {
    checkStructure('trace.update', state.momentum, updates, ['state.momentum', 'updates']);
    // The momentum is a fresh input: b′ and the output (and what is composed after it) in one
    // pass where it runs as one.
    const fresh = {
      kernels: [momentumKernel(state)],
      sources: [state.momentum, updates],
      scalars: [decay, 1 - dampening],
      state: ([momentum]: readonly TensorTree[]): TraceState => ({ count: state.count + 1, momentum: momentum! }),
    };
    if (nesterov)
      return {
        owner,
        kernel: NESTEROV,
        fresh: { ...fresh, selected: [{ source: 1 }, { output: 0 }] },
        scalars: [decay],
        roundsOutput: true,
      };
    // The output is the momentum: composed, 1·b carries the learning rate and decay.
    return { owner, kernel: SCALE, fresh: { ...fresh, selected: [{ output: 0 }] }, scalars: [1], roundsOutput: true };
  };
  const producer = finalKernelProducer((params) => ({ count: 0, momentum: zerosTree(params) }), finalKernel);
  if (nesterov) return producer;
  // Run on its own, the output is the new momentum itself, with no copy pass.
  return {
    ...producer,
    update: (updates, state) => {
      checkStructure('trace.update', state.momentum, updates, ['state.momentum', 'updates']);
      const kernel = momentumKernel(state);
      const momentum = tidy(
        () =>
          mapTensors(
            (g: Tensor, b: Tensor) => fusedMap(kernel, [b, g], [decay, 1 - dampening]),
            updates,
            state.momentum,
          ) as TensorTree,
      );
      return [momentum, { count: state.count + 1, momentum }];
    },
  };
}
