/**
 * Every optimizer of the package with settings that converge on the test problems, for the
 * convergence battery and the wrapper-composition tests.
 */
import { OPTIMIZER_NAMES, OPTIMIZER_REGISTRY, type OptimizerName } from '../optimizer-registry.js';
import { sgd } from '../optimizers/sgd.js';
import { cosineDecay, exponentialDecay } from '../schedules/index.js';
import type { GradientTransformation } from '../transform.js';

const cosine = (init: number, decaySteps: number) => cosineDecay({ init, decaySteps, alpha: 1e-3 });

/** An optimizer factory, its options, and how many steps it gets on the test problems. */
export interface CatalogEntry {
  name: string;
  factory: (options: any) => GradientTransformation<unknown>;
  /** Options for a run of `steps` updates. */
  options: (steps: number) => Record<string, unknown>;
  steps: number;
}

/** Builds an entry's optimizer for a run of `steps` updates. */
export const build = (entry: CatalogEntry, steps = entry.steps) => entry.factory(entry.options(steps));

type Settings = Omit<CatalogEntry, 'name' | 'factory'>;

// One entry per optimizer of the registry (a new optimizer without settings does not compile).
// Sign and trust-ratio methods take steps of fixed relative size, so they need a decaying rate.
const SETTINGS: { readonly [K in OptimizerName]: Settings } = {
  sgd: { options: () => ({ lr: 1e-3, momentum: 0.9 }), steps: 5000 },
  adam: { options: () => ({ lr: 1e-2 }), steps: 5000 },
  adamw: { options: () => ({ lr: 1e-2, weightDecay: 0 }), steps: 5000 },
  amsgrad: { options: () => ({ lr: 1e-2 }), steps: 5000 },
  adamax: { options: () => ({ lr: 1e-2 }), steps: 5000 },
  nadam: { options: () => ({ lr: 1e-2 }), steps: 5000 },
  radam: { options: () => ({ lr: 1e-2 }), steps: 5000 },
  adabelief: { options: () => ({ lr: 1e-2 }), steps: 5000 },
  adagrad: { options: () => ({ lr: 0.1 }), steps: 5000 },
  adadelta: { options: (steps) => ({ lr: cosine(2, steps) }), steps: 10000 },
  rmsprop: { options: () => ({ lr: 1e-3 }), steps: 5000 },
  rprop: { options: () => ({ lr: 1e-3 }), steps: 5000 },
  lion: { options: (steps) => ({ lr: cosine(3e-3, steps) }), steps: 5000 },
  signSgd: {
    options: () => ({ lr: exponentialDecay({ init: 1e-2, decayRate: 0.999, transitionSteps: 1 }) }),
    steps: 10000,
  },
  signum: { options: (steps) => ({ lr: cosine(3e-3, steps) }), steps: 5000 },
  lamb: { options: (steps) => ({ lr: cosine(1e-2, steps) }), steps: 5000 },
  lars: { options: (steps) => ({ lr: cosine(1, steps) }), steps: 5000 },
  adafactor: { options: (steps) => ({ lr: cosine(1e-2, steps) }), steps: 5000 },
};

/** Every optimizer of the registry with settings that converge on the test problems, plus variants. */
export const CATALOG: CatalogEntry[] = [
  ...OPTIMIZER_NAMES.map((name): CatalogEntry => ({
    name,
    factory: OPTIMIZER_REGISTRY[name].factory as CatalogEntry['factory'],
    ...SETTINGS[name],
  })),
  { name: 'sgd (nesterov)', factory: sgd, options: () => ({ lr: 1e-3, momentum: 0.9, nesterov: true }), steps: 5000 },
];
