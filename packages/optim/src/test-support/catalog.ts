/**
 * Every optimizer of the package with settings that converge on the test problems, for the
 * convergence battery and the wrapper-composition tests.
 */
import { cosineDecay, exponentialDecay } from '../schedules/index';
import type { GradientTransformation } from '../transform';
import { adabelief } from '../optimizers/adabelief';
import { adadelta } from '../optimizers/adadelta';
import { adafactor } from '../optimizers/adafactor';
import { adagrad } from '../optimizers/adagrad';
import { adam, amsgrad } from '../optimizers/adam';
import { adamax } from '../optimizers/adamax';
import { adamw } from '../optimizers/adamw';
import { lamb } from '../optimizers/lamb';
import { lars } from '../optimizers/lars';
import { lion } from '../optimizers/lion';
import { nadam } from '../optimizers/nadam';
import { radam } from '../optimizers/radam';
import { rmsprop } from '../optimizers/rmsprop';
import { rprop } from '../optimizers/rprop';
import { sgd } from '../optimizers/sgd';
import { signSgd, signum } from '../optimizers/sign-sgd';

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

/** Sign and trust-ratio methods take steps of fixed relative size, so they need a decaying rate. */
export const CATALOG: CatalogEntry[] = [
  { name: 'sgd', factory: sgd, options: () => ({ lr: 1e-3, momentum: 0.9 }), steps: 5000 },
  { name: 'sgd (nesterov)', factory: sgd, options: () => ({ lr: 1e-3, momentum: 0.9, nesterov: true }), steps: 5000 },
  { name: 'adam', factory: adam, options: () => ({ lr: 1e-2 }), steps: 5000 },
  { name: 'adamw', factory: adamw, options: () => ({ lr: 1e-2, weightDecay: 0 }), steps: 5000 },
  { name: 'amsgrad', factory: amsgrad, options: () => ({ lr: 1e-2 }), steps: 5000 },
  { name: 'adamax', factory: adamax, options: () => ({ lr: 1e-2 }), steps: 5000 },
  { name: 'nadam', factory: nadam, options: () => ({ lr: 1e-2 }), steps: 5000 },
  { name: 'radam', factory: radam, options: () => ({ lr: 1e-2 }), steps: 5000 },
  { name: 'adabelief', factory: adabelief, options: () => ({ lr: 1e-2 }), steps: 5000 },
  { name: 'adagrad', factory: adagrad, options: () => ({ lr: 0.1 }), steps: 5000 },
  { name: 'adadelta', factory: adadelta, options: (steps) => ({ lr: cosine(2, steps) }), steps: 10000 },
  { name: 'rmsprop', factory: rmsprop, options: () => ({ lr: 1e-3 }), steps: 5000 },
  { name: 'rprop', factory: rprop, options: () => ({ lr: 1e-3 }), steps: 5000 },
  { name: 'lion', factory: lion, options: (steps) => ({ lr: cosine(3e-3, steps) }), steps: 5000 },
  { name: 'signSgd', factory: signSgd, options: () => ({ lr: exponentialDecay({ init: 1e-2, decayRate: 0.999, transitionSteps: 1 }) }), steps: 10000 },
  { name: 'signum', factory: signum, options: (steps) => ({ lr: cosine(3e-3, steps) }), steps: 5000 },
  { name: 'lamb', factory: lamb, options: (steps) => ({ lr: cosine(1e-2, steps) }), steps: 5000 },
  { name: 'lars', factory: lars, options: (steps) => ({ lr: cosine(1, steps) }), steps: 5000 },
  { name: 'adafactor', factory: adafactor, options: (steps) => ({ lr: cosine(1e-2, steps) }), steps: 5000 },
];
