import { defineKernel, expression as e, type NumberExpression } from '@vane/tensor';
import { MOVING_AVERAGE_OF_SQUARES, movingAverageOfSquares } from '../kernels.js';
import { finalKernelProducer } from '../combinators/final-kernel-producer.js';
import type { FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, fullTree, zerosTree } from '../tree-utilities.js';
import { checkBoolean, checkNonNegative, checkOptionKeys, checkPositive, checkUnitInterval } from '../validation.js';

/** Options of {@link scaleByRms}. */
export interface ScaleByRmsOptions {
  /** Decay α of the moving averages, in [0, 1) (default 0.99, PyTorch's `alpha`). */
  decay?: number;
  /** ε > 0 (default 1e-8). */
  eps?: number;
  /** Divide by the root of the variance instead of the raw second moment (default false). */
  centered?: boolean;
  /** Starting value of the second moment (default 0, as PyTorch; optax uses 0 too). */
  initialScale?: number;
  /** Put ε inside the root, √(v + ε), as optax does, instead of √v + ε (default false). */
  epsInSqrt?: boolean;
}

/** State of {@link scaleByRms}. */
export interface ScaleByRmsState {
  /** v: moving average of squared gradients. */
  secondMoment: TensorTree;
  /** ḡ: moving average of gradients (centered only). */
  firstMoment?: TensorTree;
}

// g / √(v + ε) when epsInSqrt > 0, else g / (√v + ε).
const rootDivide = (g: NumberExpression, v: NumberExpression, eps: NumberExpression, epsInSqrt: NumberExpression) =>
  e.select(e.greater(epsInSqrt, 0), e.div(g, e.sqrt(e.add(v, eps))), e.div(g, e.add(e.sqrt(v), eps)));
/**
 * The centered form's two moving averages over (v, ḡ, g), one kernel each with the same
 * signature, so that both run in one pass with the direction (`FreshInputs`): the expressions
 * of `MOVING_AVERAGE_OF_SQUARES` and `MOVING_AVERAGE`.
 */
const CENTERED_SIGNATURE = { inputs: ['v', 'mean', 'g'], scalars: ['decay'] } as const;
const CENTERED_SECOND_MOMENT = defineKernel('optim.rms.secondMoment', CENTERED_SIGNATURE, ({ v, g, decay }) =>
  movingAverageOfSquares(v, g, decay),
);
const CENTERED_FIRST_MOMENT = defineKernel('optim.rms.firstMoment', CENTERED_SIGNATURE, ({ mean, g, decay }) =>
  e.add(e.mul(decay, mean), e.mul(e.sub(1, decay), g)),
);

const RMS_DIRECTION = defineKernel(
  'optim.rms.direction',
  { inputs: ['g', 'v'], scalars: ['eps', 'epsInSqrt'] },
  ({ g, v, eps, epsInSqrt }) => rootDivide(g, v, eps, epsInSqrt),
);

const CENTERED_DIRECTION = defineKernel(
  'optim.rms.centeredDirection',
  { inputs: ['g', 'v', 'mean'], scalars: ['eps', 'epsInSqrt'] },
  ({ g, v, mean, eps, epsInSqrt }) => rootDivide(g, e.sub(v, e.mul(mean, mean)), eps, epsInSqrt),
);

/**
 * RMSProp's rescaling by the root of a moving average of squared gradients (optionally
 * centered: of their variance).
 *
 * Update: v_t = αv_{t−1} + (1 − α)g²; centered: ḡ_t = αḡ_{t−1} + (1 − α)g and
 * out = g / (√(v_t − ḡ_t²) + ε); otherwise out = g / (√v_t + ε).
 *
 * @param options - `decay` α (0.99), `eps` (1e-8), `centered` (false), `initialScale` (0),
 *   `epsInSqrt` (false).
 * @example
 * const rmsLike = chain(scaleByRms({ decay: 0.9 }), scaleByLearningRate(1e-3));
 * @see Tieleman & Hinton, Coursera "Neural Networks for Machine Learning", lecture 6.5 (2012);
 *   Graves, "Generating Sequences With Recurrent Neural Networks" (2013) for the centered form.
 */
export function scaleByRms(options: ScaleByRmsOptions = {}): GradientTransformation<ScaleByRmsState> {
  const owner = 'scaleByRms';
  checkOptionKeys(owner, options, ['decay', 'eps', 'centered', 'initialScale', 'epsInSqrt']);
  const decay = checkUnitInterval(owner, 'decay', options.decay ?? 0.99);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const centered = checkBoolean(owner, 'centered', options.centered ?? false);
  const initialScale = checkNonNegative(owner, 'initialScale', options.initialScale ?? 0);
  const epsInSqrt = checkBoolean(owner, 'epsInSqrt', options.epsInSqrt ?? false) ? 1 : 0;
  const init = (params: TensorTree): ScaleByRmsState => {
    const state: ScaleByRmsState = { secondMoment: fullTree(params, initialScale) };
    if (centered) state.firstMoment = zerosTree(params);
    return state;
  };
  // The direction is the final kernel; `chain` composes the learning rate into it.
  return finalKernelProducer(init, (updates, state): FinalKernel<ScaleByRmsState> => {
    checkStructure('scaleByRms.update', state.secondMoment, updates, ['state.secondMoment', 'updates']);
    if (centered && state.firstMoment === undefined)
      throw new Error('scaleByRms.update: centered needs state.firstMoment; was the state made by init?');
    // The moving averages are fresh inputs: they and the direction in one pass where it runs as one.
    const scalars = [eps, epsInSqrt];
    if (!centered)
      return {
        owner,
        kernel: RMS_DIRECTION,
        fresh: {
          kernels: [MOVING_AVERAGE_OF_SQUARES],
          sources: [state.secondMoment, updates],
          scalars: [decay],
          selected: [{ source: 1 }, { output: 0 }],
          state: ([secondMoment]) => ({ secondMoment: secondMoment! }),
        },
        scalars,
        roundsOutput: true,
      };
    return {
      owner,
      kernel: CENTERED_DIRECTION,
      fresh: {
        kernels: [CENTERED_SECOND_MOMENT, CENTERED_FIRST_MOMENT],
        sources: [state.secondMoment, state.firstMoment!, updates],
        scalars: [decay],
        selected: [{ source: 2 }, { output: 0 }, { output: 1 }],
        state: ([secondMoment, firstMoment]) => ({ secondMoment: secondMoment!, firstMoment: firstMoment! }),
      },
      scalars,
      roundsOutput: true,
    };
  });
}
