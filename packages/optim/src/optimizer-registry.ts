/**
 * The one list of the package's optimizers: name → factory, the options each accepts with the
 * kind of value it checks, and the properties the test kit can check.
 *
 * Everything else that lists optimizers is derived from it: the CLI's expression parser
 * (`vane train --optimizer`), `@vane/testkit`'s `arbHyperparams`, this package's test catalog
 * and composition matrix (typed over {@link OptimizerName}, so a new optimizer without test
 * settings does not compile), and the table of docs/optim.md (a test compares the two).
 * `optimizer-registry.test.ts` checks every entry against its factory: the option names equal
 * the factory's own unknown-option list, and every kind accepts what it promises and refuses
 * what it excludes, so the information here cannot drift from the code.
 */
import { adabelief } from './optimizers/adabelief';
import { adadelta } from './optimizers/adadelta';
import { adafactor } from './optimizers/adafactor';
import { adagrad } from './optimizers/adagrad';
import { adam, amsgrad } from './optimizers/adam';
import { adamax } from './optimizers/adamax';
import { adamw } from './optimizers/adamw';
import { lamb } from './optimizers/lamb';
import { lars } from './optimizers/lars';
import { lion } from './optimizers/lion';
import { nadam } from './optimizers/nadam';
import { radam } from './optimizers/radam';
import { rmsprop } from './optimizers/rmsprop';
import { rprop } from './optimizers/rprop';
import { sgd } from './optimizers/sgd';
import { signSgd, signum } from './optimizers/sign-sgd';
import type { AnyTransformation } from './transform';

/**
 * What values an option takes, as its factory checks them:
 * - `'learningRate'`: a finite number > 0, or a schedule;
 * - `'positive'`: a finite number > 0;
 * - `'nonNegative'`: a finite number ≥ 0 (some also take a schedule);
 * - `'unitInterval'`: a number in [0, 1);
 * - `'closedUnitInterval'`: a number in [0, 1];
 * - `'betas'`: a pair [β₁, β₂], each in [0, 1);
 * - `'boolean'`;
 * - `'other'`: anything else (masks, pairs with their own rules, or a value that is valid only
 *   together with other options, such as `nesterov` with momentum > 0). Parsers and generators
 *   leave these out.
 */
export type OptionKind = 'learningRate' | 'positive' | 'nonNegative' | 'unitInterval' | 'closedUnitInterval' | 'betas' | 'boolean' | 'other';

/**
 * Properties an optimizer has with its default options, named as `@vane/testkit`'s
 * `OptimizerCapabilities` (pass them to `checkOptimizer`).
 */
export interface RegistryCapabilities {
  /** Updates are unchanged (up to ε) when every gradient is multiplied by the same c > 0. */
  readonly scaleInvariant?: boolean;
  /** The update is linear in the gradient history. */
  readonly linear?: boolean;
}

/** One optimizer of the registry. */
export interface OptimizerRegistryEntry {
  /** The factory, called with an options object (every option may be left out). */
  readonly factory: (options?: any) => AnyTransformation;
  /** Every option the factory accepts, with the kind of value it checks. */
  readonly options: Readonly<Record<string, OptionKind>>;
  /** What the test kit may check of it with default options. */
  readonly capabilities: RegistryCapabilities;
}

const ADAM_OPTIONS = { lr: 'learningRate', betas: 'betas', eps: 'positive', weightDecay: 'nonNegative', amsgrad: 'boolean', maximize: 'boolean' } as const;

/**
 * Every optimizer of `@vane/optim`, by the name it is exported under.
 *
 * @example
 * const { factory, options } = OPTIMIZER_REGISTRY.adamw;
 * Object.keys(options); // ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'mask', 'maximize']
 * const optimizer = factory({ lr: 1e-3 });
 */
export const OPTIMIZER_REGISTRY = {
  sgd: {
    factory: sgd,
    options: { lr: 'learningRate', momentum: 'nonNegative', dampening: 'closedUnitInterval', weightDecay: 'nonNegative', nesterov: 'other', maximize: 'boolean' },
    capabilities: { linear: true },
  },
  adam: { factory: adam, options: ADAM_OPTIONS, capabilities: { scaleInvariant: true } },
  adamw: {
    factory: adamw,
    options: { lr: 'learningRate', betas: 'betas', eps: 'positive', weightDecay: 'nonNegative', amsgrad: 'boolean', mask: 'other', maximize: 'boolean' },
    capabilities: {},
  },
  // amsgrad always sets `amsgrad: true` over what it is given.
  amsgrad: { factory: amsgrad, options: { ...ADAM_OPTIONS, amsgrad: 'other' }, capabilities: { scaleInvariant: true } },
  adamax: { factory: adamax, options: { lr: 'learningRate', betas: 'betas', eps: 'positive', weightDecay: 'nonNegative', maximize: 'boolean' }, capabilities: {} },
  nadam: {
    factory: nadam,
    options: { lr: 'learningRate', betas: 'betas', eps: 'positive', weightDecay: 'nonNegative', momentumDecay: 'nonNegative', decoupledWeightDecay: 'boolean' },
    capabilities: { scaleInvariant: true },
  },
  radam: {
    factory: radam,
    options: { lr: 'learningRate', betas: 'betas', eps: 'positive', weightDecay: 'nonNegative', decoupledWeightDecay: 'boolean', laggedMoments: 'boolean' },
    capabilities: {},
  },
  adabelief: {
    factory: adabelief,
    options: { lr: 'learningRate', betas: 'betas', eps: 'positive', weightDecay: 'nonNegative', decoupledWeightDecay: 'boolean', rectify: 'boolean' },
    capabilities: {},
  },
  adagrad: {
    factory: adagrad,
    options: { lr: 'learningRate', lrDecay: 'nonNegative', weightDecay: 'nonNegative', initialAccumulatorValue: 'nonNegative', eps: 'positive', maximize: 'boolean' },
    capabilities: {},
  },
  adadelta: { factory: adadelta, options: { lr: 'learningRate', rho: 'closedUnitInterval', eps: 'positive', weightDecay: 'nonNegative', maximize: 'boolean' }, capabilities: {} },
  rmsprop: {
    factory: rmsprop,
    options: { lr: 'learningRate', alpha: 'unitInterval', eps: 'positive', weightDecay: 'nonNegative', momentum: 'nonNegative', centered: 'boolean', maximize: 'boolean' },
    capabilities: {},
  },
  rprop: { factory: rprop, options: { lr: 'positive', etas: 'other', stepSizes: 'other', maximize: 'boolean' }, capabilities: { scaleInvariant: true } },
  lion: { factory: lion, options: { lr: 'learningRate', betas: 'betas', weightDecay: 'nonNegative' }, capabilities: { scaleInvariant: true } },
  signSgd: { factory: signSgd, options: { lr: 'learningRate', weightDecay: 'nonNegative' }, capabilities: { scaleInvariant: true } },
  signum: { factory: signum, options: { lr: 'learningRate', momentum: 'unitInterval', weightDecay: 'nonNegative' }, capabilities: { scaleInvariant: true } },
  lamb: { factory: lamb, options: { lr: 'learningRate', betas: 'betas', eps: 'positive', weightDecay: 'nonNegative', mask: 'other' }, capabilities: {} },
  lars: {
    factory: lars,
    options: { lr: 'learningRate', momentum: 'nonNegative', weightDecay: 'nonNegative', trustCoefficient: 'positive', eps: 'nonNegative', nesterov: 'other' },
    capabilities: {},
  },
  adafactor: {
    factory: adafactor,
    options: {
      lr: 'learningRate',
      decayRate: 'nonNegative',
      eps: 'other',
      clipThreshold: 'positive',
      beta1: 'unitInterval',
      weightDecay: 'nonNegative',
      multiplyByParameterScale: 'boolean',
      factored: 'boolean',
    },
    capabilities: {},
  },
} as const satisfies Record<string, OptimizerRegistryEntry>;

/** The name of an optimizer of the registry. */
export type OptimizerName = keyof typeof OPTIMIZER_REGISTRY;

/** The registry's names, in its order. */
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZER_REGISTRY) as OptimizerName[];

/**
 * The registry entry of `name`, or undefined when the package has no optimizer of that name.
 *
 * @example
 * optimizerEntry('adamw')?.factory({ lr: 1e-3 });
 */
export function optimizerEntry(name: string): OptimizerRegistryEntry | undefined {
  return Object.hasOwn(OPTIMIZER_REGISTRY, name) ? OPTIMIZER_REGISTRY[name as OptimizerName] : undefined;
}
