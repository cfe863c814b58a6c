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

/** An optimizer and how many steps it gets on the parabola and on Rosenbrock. */
export interface CatalogEntry {
  name: string;
  make: (steps: number) => GradientTransformation<unknown>;
  steps: number;
}

/** Sign and trust-ratio methods take steps of fixed relative size, so they need a decaying rate. */
export const CATALOG: CatalogEntry[] = [
  { name: 'sgd', make: () => sgd({ lr: 1e-3, momentum: 0.9 }), steps: 5000 },
  { name: 'sgd (nesterov, weight decay 0)', make: () => sgd({ lr: 1e-3, momentum: 0.9, nesterov: true }), steps: 5000 },
  { name: 'adam', make: () => adam({ lr: 1e-2 }), steps: 5000 },
  { name: 'adamw', make: () => adamw({ lr: 1e-2, weightDecay: 0 }), steps: 5000 },
  { name: 'amsgrad', make: () => amsgrad({ lr: 1e-2 }), steps: 5000 },
  { name: 'adamax', make: () => adamax({ lr: 1e-2 }), steps: 5000 },
  { name: 'nadam', make: () => nadam({ lr: 1e-2 }), steps: 5000 },
  { name: 'radam', make: () => radam({ lr: 1e-2 }), steps: 5000 },
  { name: 'adabelief', make: () => adabelief({ lr: 1e-2 }), steps: 5000 },
  { name: 'adagrad', make: () => adagrad({ lr: 0.1 }), steps: 5000 },
  { name: 'adadelta', make: (steps) => adadelta({ lr: cosine(2, steps) }), steps: 10000 },
  { name: 'rmsprop', make: () => rmsprop({ lr: 1e-3 }), steps: 5000 },
  { name: 'rprop', make: () => rprop({ lr: 1e-3 }), steps: 5000 },
  { name: 'lion', make: (steps) => lion({ lr: cosine(3e-3, steps) }), steps: 5000 },
  { name: 'signSgd', make: () => signSgd({ lr: exponentialDecay({ init: 1e-2, decayRate: 0.999, transitionSteps: 1 }) }), steps: 10000 },
  { name: 'signum', make: (steps) => signum({ lr: cosine(3e-3, steps) }), steps: 5000 },
  { name: 'lamb', make: (steps) => lamb({ lr: cosine(1e-2, steps) }), steps: 5000 },
  { name: 'lars', make: (steps) => lars({ lr: cosine(1, steps) }), steps: 5000 },
  { name: 'adafactor', make: (steps) => adafactor({ lr: cosine(1e-2, steps) }), steps: 5000 },
];
