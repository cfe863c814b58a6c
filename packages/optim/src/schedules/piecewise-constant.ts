import type { Schedule } from './schedule.js';
import { describeValue, failArgument, requireFinite, requireOptions, requireStep } from './validation.js';

/** Boundaries and the factor applied from each one on: a record `{ step: scale }` or pairs. */
export type BoundariesAndScales = Readonly<Record<number, number>> | readonly (readonly [number, number])[];

/** Options of {@link piecewiseConstant}. */
export interface PiecewiseConstantOptions {
  /** Value before the first boundary. */
  init: number;
  /**
   * Multiplicative factors keyed by the step at which they take effect; factors are finite
   * and non-negative, steps are non-negative integers and must not repeat.
   */
  boundariesAndScales: BoundariesAndScales;
}

const PIECEWISE_CONSTANT_KEYS = ['init', 'boundariesAndScales'] as const;

/**
 * A step function: `init` multiplied by every scale whose boundary has been reached.
 *
 * Math: η(t) = init · ∏_{(b, s) : b ≤ t} s, the factors applied in increasing order of b.
 * Scales multiply (they are not absolute values): `{ 10: 0.5, 20: 0.5 }` halves twice.
 *
 * PyTorch's `StepLR(step_size: k, gamma)` and `MultiStepLR(milestones, gamma)` are this
 * schedule with scale `gamma` at each multiple of k or at each milestone.
 *
 * Reference: optax `piecewise_constant_schedule`; torch.optim.lr_scheduler.MultiStepLR.
 *
 * @example
 * const schedule = piecewiseConstant({ init: 0.1, boundariesAndScales: { 10: 0.5, 20: 0.1 } });
 * schedule(9); // 0.1
 * schedule(10); // 0.05
 * schedule(20); // 0.005 (up to rounding)
 */
export function piecewiseConstant(options: PiecewiseConstantOptions): Schedule {
  const owner = 'piecewiseConstant';
  requireOptions(owner, options, PIECEWISE_CONSTANT_KEYS);
  const init = requireFinite(owner, 'init', options.init);
  const pieces = readBoundariesAndScales(owner, options.boundariesAndScales);
  return (step) => {
    requireStep(owner, step);
    let value = init;
    for (const [boundary, scale] of pieces) {
      if (boundary > step) break;
      value *= scale;
    }
    return value;
  };
}

/** Normalises both accepted forms to pairs sorted by boundary, validating every entry. */
function readBoundariesAndScales(owner: string, input: unknown): [number, number][] {
  const name = 'boundariesAndScales';
  let entries: [unknown, unknown][];
  if (Array.isArray(input)) {
    entries = input.map((pair, index) => {
      if (!Array.isArray(pair) || pair.length !== 2)
        failArgument(owner, `${name}[${index}]`, 'a [step, scale] pair', pair);
      return [pair[0], pair[1]];
    });
  } else if (input !== null && typeof input === 'object') {
    // Record keys are strings at run time; Number('10') recovers the step.
    entries = Object.entries(input).map(([key, scale]) => [key.trim() === '' ? Number.NaN : Number(key), scale]);
  } else {
    failArgument(owner, name, 'a record of step to scale or an array of [step, scale] pairs', input);
  }
  const pieces = entries.map(([boundary, scale]): [number, number] => {
    if (typeof boundary !== 'number' || !Number.isSafeInteger(boundary) || boundary < 0) {
      throw new RangeError(`${owner}: '${name}' steps must be non-negative integers, got ${describeValue(boundary)}`);
    }
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) {
      throw new RangeError(
        `${owner}: '${name}' scales must be finite numbers greater than or equal to 0, got ${describeValue(scale)} at step ${boundary}`,
      );
    }
    return [boundary, scale];
  });
  pieces.sort((left, right) => left[0] - right[0]);
  for (let index = 1; index < pieces.length; index += 1) {
    if (pieces[index][0] === pieces[index - 1][0]) {
      throw new RangeError(`${owner}: '${name}' steps must be unique, got ${pieces[index][0]} twice`);
    }
  }
  return pieces;
}
