/**
 * Every optimizer of the optim core, for the composition matrices of active, graft and the
 * noise-scale monitor. `core-optimizers.test.ts` fails when an optimizer module exports a
 * factory missing here, so the matrices keep covering all of them.
 */
import { adabelief } from '../../optimizers/adabelief';
import { adadelta } from '../../optimizers/adadelta';
import { adafactor } from '../../optimizers/adafactor';
import { adagrad } from '../../optimizers/adagrad';
import { adam, amsgrad } from '../../optimizers/adam';
import { adamax } from '../../optimizers/adamax';
import { adamw } from '../../optimizers/adamw';
import { lamb } from '../../optimizers/lamb';
import { lars } from '../../optimizers/lars';
import { lion } from '../../optimizers/lion';
import { nadam } from '../../optimizers/nadam';
import { radam } from '../../optimizers/radam';
import { rmsprop } from '../../optimizers/rmsprop';
import { rprop } from '../../optimizers/rprop';
import { sgd } from '../../optimizers/sgd';
import { signSgd, signum } from '../../optimizers/sign-sgd';
import type { AnyTransformation } from '../../transform';

/** A named factory returning a fresh optimizer with small, non-default settings where it matters. */
export interface CoreOptimizer {
  readonly name: string;
  readonly make: () => AnyTransformation;
}

export const CORE_OPTIMIZERS: readonly CoreOptimizer[] = [
  { name: 'sgd', make: () => sgd({ lr: 0.05 }) },
  { name: 'sgd (momentum, nesterov, L2)', make: () => sgd({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }) },
  { name: 'adam', make: () => adam({ lr: 0.01 }) },
  { name: 'amsgrad', make: () => amsgrad({ lr: 0.01 }) },
  { name: 'adamw', make: () => adamw({ lr: 0.01, weightDecay: 0.1 }) },
  { name: 'adamax', make: () => adamax({ lr: 0.01 }) },
  { name: 'nadam', make: () => nadam({ lr: 0.01 }) },
  { name: 'radam', make: () => radam({ lr: 0.01 }) },
  { name: 'adabelief', make: () => adabelief({ lr: 0.01 }) },
  { name: 'adagrad', make: () => adagrad({ lr: 0.05 }) },
  { name: 'adadelta', make: () => adadelta({ lr: 1 }) },
  { name: 'rmsprop', make: () => rmsprop({ lr: 0.01 }) },
  { name: 'rprop', make: () => rprop({ lr: 0.01 }) },
  { name: 'lion', make: () => lion({ lr: 0.001 }) },
  { name: 'signSgd', make: () => signSgd({ lr: 0.01 }) },
  { name: 'signum', make: () => signum({ lr: 0.01 }) },
  { name: 'lamb', make: () => lamb({ lr: 0.01 }) },
  { name: 'lars', make: () => lars({ lr: 0.01 }) },
  { name: 'adafactor', make: () => adafactor({ lr: 0.01 }) },
];

/** The factory names covered above (a name may appear with several settings). */
export const COVERED_FACTORIES = new Set(CORE_OPTIMIZERS.map((optimizer) => optimizer.name.split(' ')[0]!));
