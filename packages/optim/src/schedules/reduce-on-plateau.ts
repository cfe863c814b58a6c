import {
  describeValue,
  failArgument,
  requireChoice,
  requireFinite,
  requireNonNegative,
  requireNonNegativeInteger,
  requireOptions,
} from './validation.js';

/** Options of {@link reduceOnPlateau}; the defaults are PyTorch's. */
export interface ReduceOnPlateauOptions {
  /** Factor applied to the scale on a plateau (default 0.1); in (0, 1). */
  factor?: number;
  /** Non-improving updates tolerated before reducing (default 10); a non-negative integer. */
  patience?: number;
  /** Minimum change that counts as an improvement (default 1e-4); see `thresholdMode`. */
  threshold?: number;
  /** 'rel': improvement relative to the best metric; 'abs': absolute improvement (default 'rel'). */
  thresholdMode?: 'rel' | 'abs';
  /** 'min' when a lower metric is better (a loss), 'max' when higher is better (default 'min'). */
  mode?: 'min' | 'max';
  /** Updates to wait after a reduction before counting plateaus again (default 0). */
  cooldown?: number;
  /** Lower bound of the scale (default 0); PyTorch's `min_lr` divided by the base learning rate. */
  minLr?: number;
}

/** The checkpointable state of a {@link ReduceOnPlateau}: plain JSON, no infinities. */
export interface ReduceOnPlateauState {
  /** Current multiplicative scale (starts at 1). */
  scale: number;
  /** Best metric so far, or null before the first update (PyTorch uses ±inf there). */
  best: number | null;
  /** Consecutive updates without improvement (PyTorch's `num_bad_epochs`). */
  badUpdates: number;
  /** Updates left in the cooldown after the last reduction (PyTorch's `cooldown_counter`). */
  cooldownRemaining: number;
}

/** A plateau detector returned by {@link reduceOnPlateau}. */
export interface ReduceOnPlateau {
  /** The current scale: multiply the base learning rate by it. */
  readonly scale: number;
  /** Feeds one metric value (for example the validation loss) and returns the new scale. */
  update(metric: number): number;
  /** A copy of the state, safe to `JSON.stringify` into a checkpoint. */
  state(): ReduceOnPlateauState;
  /** Restores a state produced by {@link ReduceOnPlateau.state}; throws if it is malformed. */
  fromState(state: ReduceOnPlateauState): void;
}

const REDUCE_ON_PLATEAU_KEYS = [
  'factor',
  'patience',
  'threshold',
  'thresholdMode',
  'mode',
  'cooldown',
  'minLr',
] as const;

// PyTorch skips a reduction smaller than this (its `eps` argument, default 1e-8) so the
// learning rate stops changing once the changes are below floating-point noise.
const MINIMUM_REDUCTION = 1e-8;

/**
 * Reduces a multiplicative learning-rate scale when a metric stops improving, with the
 * semantics of PyTorch's `ReduceLROnPlateau`.
 *
 * Math: an update with metric x is an improvement when, with best metric b and threshold θ,
 * mode 'min': x < b · (1 − θ) ('rel') or x < b − θ ('abs');
 * mode 'max': x > b · (1 + θ) ('rel') or x > b + θ ('abs').
 * An improvement sets b = x and the bad-update count to 0, otherwise the count grows by 1.
 * During a cooldown the count is held at 0 (and the cooldown shrinks by 1). When the count
 * exceeds `patience`, the scale s becomes s' = max(s · factor, minLr) if s − s' > 1e-8, the
 * cooldown restarts at `cooldown` and the count returns to 0.
 *
 * Differences from PyTorch: the object works on a scale that starts at 1 instead of the
 * optimizer's learning rate, so `minLr` and the 1e-8 threshold apply to the scale (they equal
 * PyTorch's `min_lr` and `eps` for a base learning rate of 1). A metric that is NaN or
 * infinite throws instead of counting as a bad update.
 *
 * Reference: torch.optim.lr_scheduler.ReduceLROnPlateau (PyTorch 1.13); optax
 * `contrib.reduce_on_plateau` for the scale-based form.
 *
 * @example
 * const plateau = reduceOnPlateau({ patience: 1, factor: 0.5 });
 * plateau.update(1.0); // 1, first metric is the best so far
 * plateau.update(1.0); // 1, one update without improvement is within patience
 * plateau.update(1.0); // 0.5, the second one exceeds it
 * const saved = JSON.stringify(plateau.state());
 * const restored = reduceOnPlateau({ patience: 1, factor: 0.5 });
 * restored.fromState(JSON.parse(saved));
 * restored.scale; // 0.5
 */
export function reduceOnPlateau(options: ReduceOnPlateauOptions = {}): ReduceOnPlateau {
  const owner = 'reduceOnPlateau';
  requireOptions(owner, options, REDUCE_ON_PLATEAU_KEYS);
  const factor = requireFinite(owner, 'factor', options.factor ?? 0.1);
  if (!(factor > 0 && factor < 1)) failArgument(owner, 'factor', 'a number in (0, 1)', factor);
  const patience = requireNonNegativeInteger(owner, 'patience', options.patience ?? 10);
  const threshold = requireNonNegative(owner, 'threshold', options.threshold ?? 1e-4);
  const thresholdMode = requireChoice(owner, 'thresholdMode', options.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
  const mode = requireChoice(owner, 'mode', options.mode ?? 'min', ['min', 'max'] as const);
  const cooldown = requireNonNegativeInteger(owner, 'cooldown', options.cooldown ?? 0);
  const minLr = requireNonNegative(owner, 'minLr', options.minLr ?? 0);

  let current: ReduceOnPlateauState = { scale: 1, best: null, badUpdates: 0, cooldownRemaining: 0 };

  const isImprovement = (metric: number, best: number | null): boolean => {
    if (best === null) return true;
    if (mode === 'min') return thresholdMode === 'rel' ? metric < best * (1 - threshold) : metric < best - threshold;
    return thresholdMode === 'rel' ? metric > best * (threshold + 1) : metric > best + threshold;
  };

  return {
    get scale() {
      return current.scale;
    },
    update(metric: number): number {
      requireFinite(`${owner}.update`, 'metric', metric);
      const next = { ...current };
      if (isImprovement(metric, next.best)) {
        next.best = metric;
        next.badUpdates = 0;
      } else {
        next.badUpdates += 1;
      }
      if (next.cooldownRemaining > 0) {
        next.cooldownRemaining -= 1;
        next.badUpdates = 0;
      }
      if (next.badUpdates > patience) {
        const reduced = Math.max(next.scale * factor, minLr);
        if (next.scale - reduced > MINIMUM_REDUCTION) next.scale = reduced;
        next.cooldownRemaining = cooldown;
        next.badUpdates = 0;
      }
      current = next;
      return current.scale;
    },
    state(): ReduceOnPlateauState {
      return { ...current };
    },
    fromState(state: ReduceOnPlateauState): void {
      current = readState(`${owner}.fromState`, state);
    },
  };
}

/** Validates a state read from a checkpoint and returns an independent copy. */
function readState(owner: string, state: unknown): ReduceOnPlateauState {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new RangeError(`${owner}: state must be an object, got ${describeValue(state)}`);
  }
  const record = state as Record<string, unknown>;
  const scale = requireNonNegative(owner, 'scale', record.scale);
  const best = record.best === null ? null : requireFinite(owner, 'best', record.best);
  const badUpdates = requireNonNegativeInteger(owner, 'badUpdates', record.badUpdates);
  const cooldownRemaining = requireNonNegativeInteger(owner, 'cooldownRemaining', record.cooldownRemaining);
  return { scale, best, badUpdates, cooldownRemaining };
}
