/**
 * Every optimizer of the registry, for the composition matrices of active, graft and the
 * noise-scale monitor, with small, non-default settings where it matters. Typed over the
 * registry's names, so a new optimizer without an entry here does not compile.
 */
import { OPTIMIZER_NAMES, type OptimizerName } from '../../optimizer-registry.js';
import { adabelief } from '../../optimizers/adabelief.js';
import { adadelta } from '../../optimizers/adadelta.js';
import { adafactor } from '../../optimizers/adafactor.js';
import { adagrad } from '../../optimizers/adagrad.js';
import { adam, amsgrad } from '../../optimizers/adam.js';
import { adamax } from '../../optimizers/adamax.js';
import { adamw } from '../../optimizers/adamw.js';
import { lamb } from '../../optimizers/lamb.js';
import { lars } from '../../optimizers/lars.js';
import { lion } from '../../optimizers/lion.js';
import { nadam } from '../../optimizers/nadam.js';
import { radam } from '../../optimizers/radam.js';
import { rmsprop } from '../../optimizers/rmsprop.js';
import { rprop } from '../../optimizers/rprop.js';
import { sgd } from '../../optimizers/sgd.js';
import { signSgd, signum } from '../../optimizers/sign-sgd.js';
import type { AnyTransformation } from '../../transform.js';

/** A named factory returning a fresh optimizer with small, non-default settings where it matters. */
export interface CoreOptimizer {
  readonly name: string;
  readonly make: () => AnyTransformation;
}

const MAKERS: { readonly [K in OptimizerName]: () => AnyTransformation } = {
  sgd: () => sgd({ lr: 0.05 }),
  adam: () => adam({ lr: 0.01 }),
  adamw: () => adamw({ lr: 0.01, weightDecay: 0.1 }),
  amsgrad: () => amsgrad({ lr: 0.01 }),
  adamax: () => adamax({ lr: 0.01 }),
  nadam: () => nadam({ lr: 0.01 }),
  radam: () => radam({ lr: 0.01 }),
  adabelief: () => adabelief({ lr: 0.01 }),
  adagrad: () => adagrad({ lr: 0.05 }),
  adadelta: () => adadelta({ lr: 1 }),
  rmsprop: () => rmsprop({ lr: 0.01 }),
  rprop: () => rprop({ lr: 0.01 }),
  lion: () => lion({ lr: 0.001 }),
  signSgd: () => signSgd({ lr: 0.01 }),
  signum: () => signum({ lr: 0.01 }),
  lamb: () => lamb({ lr: 0.01 }),
  lars: () => lars({ lr: 0.01 }),
  adafactor: () => adafactor({ lr: 0.01 }),
};

/** One entry per registry optimizer, plus SGD with momentum, Nesterov and L2. */
export const CORE_OPTIMIZERS: readonly CoreOptimizer[] = [
  ...OPTIMIZER_NAMES.map((name) => ({ name, make: MAKERS[name] })),
  {
    name: 'sgd (momentum, nesterov, L2)',
    make: () => sgd({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  },
];
