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
import { adabelief } from './optimizers/adabelief.js';
import { adadelta } from './optimizers/adadelta.js';
import { adafactor } from './optimizers/adafactor.js';
import { adagrad } from './optimizers/adagrad.js';
import { adam, amsgrad } from './optimizers/adam.js';
import { adamax } from './optimizers/adamax.js';
import { adamw } from './optimizers/adamw.js';
import { lamb } from './optimizers/lamb.js';
import { lars } from './optimizers/lars.js';
import { lion } from './optimizers/lion.js';
import { nadam } from './optimizers/nadam.js';
import { radam } from './optimizers/radam.js';
import { rmsprop } from './optimizers/rmsprop.js';
import { rprop } from './optimizers/rprop.js';
import { sgd } from './optimizers/sgd.js';
import { signSgd, signum } from './optimizers/sign-sgd.js';
import type { AnyTransformation } from './transform.js';

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
export type OptionKind =
  'learningRate' | 'positive' | 'nonNegative' | 'unitInterval' | 'closedUnitInterval' | 'betas' | 'boolean' | 'other';

/**
 * What an optimizer promises beyond the contract every gradient transformation keeps, as
 * `@vane/testkit` checks it (the kit's `OptimizerCapabilities` is this type). Each flag switches
 * on the invariants that need it; with no flags only the universal invariants run
 * (determinism, state round trip, chain laws, masking, finite state, multi-step accumulation,
 * the `active` and `graft` neutral laws). The registry states them for each optimizer's default
 * options with a small learning rate (1e-3); the kit's optimizer matrix checks every claim.
 */
export interface OptimizerCapabilities {
  /**
   * A complete optimizer (its updates already carry the minus sign and a small learning rate),
   * so a few steps on a convex quadratic from a point away from the minimum do not raise the
   * loss. Switches on `descentOnConvexQuadratic`.
   */
  readonly descends?: boolean;
  /** From a fresh state, zero gradients give exactly zero updates. Switches on `zeroGradientNoOp`. */
  readonly zeroGradientNoOp?: boolean;
  /**
   * Updates are unchanged (up to ε) when every gradient is multiplied by the same c > 0:
   * sign-based (signSGD, Lion, Rprop) and Adam-style (m/√v) methods. Switches on
   * `positiveScaleInvariance`.
   */
  readonly scaleInvariant?: boolean;
  /** The update depends on the current gradient only, never on history. Switches on `stateless`. */
  readonly stateless?: boolean;
  /** The update is linear in the gradient history (SGD, momentum). Strengthens `multiStepsLargeBatch`. */
  readonly linear?: boolean;
  /** A non-zero gradient gives a non-zero first update. Switches on `nonZeroFirstStep`. */
  readonly nonZeroFirstStep?: boolean;
}

// Adam-style m/(√v + ε) and sign-based methods: scale-invariant; zero gradients give 0 (m = 0,
// sign(0) = 0); the first step is non-zero (about −η·sign(g)).
const SCALE_FREE = { descends: true, zeroGradientNoOp: true, scaleInvariant: true, nonZeroFirstStep: true } as const;

/** One optimizer of the registry. */
export interface OptimizerRegistryEntry {
  /** The factory, called with an options object (every option may be left out). */
  readonly factory: (options?: any) => AnyTransformation;
  /** Every option the factory accepts, with the kind of value it checks. */
  readonly options: Readonly<Record<string, OptionKind>>;
  /** What the test kit may check of it with default options. */
  readonly capabilities: OptimizerCapabilities;
}

const ADAM_OPTIONS = {
  lr: 'learningRate',
  betas: 'betas',
  eps: 'positive',
  weightDecay: 'nonNegative',
  amsgrad: 'boolean',
  maximize: 'boolean',
} as const;

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
    options: {
      lr: 'learningRate',
      momentum: 'nonNegative',
      dampening: 'closedUnitInterval',
      weightDecay: 'nonNegative',
      nesterov: 'other',
      maximize: 'boolean',
    },
    // u = −ηg: linear and memoryless.
    capabilities: { descends: true, zeroGradientNoOp: true, stateless: true, linear: true, nonZeroFirstStep: true },
  },
  adam: { factory: adam, options: ADAM_OPTIONS, capabilities: SCALE_FREE },
  adamw: {
    factory: adamw,
    options: {
      lr: 'learningRate',
      betas: 'betas',
      eps: 'positive',
      weightDecay: 'nonNegative',
      amsgrad: 'boolean',
      mask: 'other',
      maximize: 'boolean',
    },
    // Decoupled decay (default 0.01) moves θ without a gradient and is not scale-invariant.
    capabilities: { descends: true, nonZeroFirstStep: true },
  },
  // amsgrad always sets `amsgrad: true` over what it is given.
  amsgrad: { factory: amsgrad, options: { ...ADAM_OPTIONS, amsgrad: 'other' }, capabilities: SCALE_FREE },
  // u = m/(max(β₂u, |g|) + ε): scale-invariant.
  adamax: {
    factory: adamax,
    options: { lr: 'learningRate', betas: 'betas', eps: 'positive', weightDecay: 'nonNegative', maximize: 'boolean' },
    capabilities: SCALE_FREE,
  },
  nadam: {
    factory: nadam,
    options: {
      lr: 'learningRate',
      betas: 'betas',
      eps: 'positive',
      weightDecay: 'nonNegative',
      momentumDecay: 'nonNegative',
      decoupledWeightDecay: 'boolean',
    },
    capabilities: SCALE_FREE,
  },
  radam: {
    factory: radam,
    options: {
      lr: 'learningRate',
      betas: 'betas',
      eps: 'positive',
      weightDecay: 'nonNegative',
      decoupledWeightDecay: 'boolean',
      laggedMoments: 'boolean',
    },
    // The first steps (ρ_t ≤ 5) are unadapted momentum SGD, so not scale-invariant.
    capabilities: { descends: true, zeroGradientNoOp: true, nonZeroFirstStep: true },
  },
  adabelief: {
    factory: adabelief,
    options: {
      lr: 'learningRate',
      betas: 'betas',
      eps: 'positive',
      weightDecay: 'nonNegative',
      decoupledWeightDecay: 'boolean',
      rectify: 'boolean',
    },
    // s = EMA((g − m)²) + ε can be dominated by ε, so no scale invariance is claimed.
    capabilities: { descends: true, zeroGradientNoOp: true, nonZeroFirstStep: true },
  },
  adagrad: {
    factory: adagrad,
    options: {
      lr: 'learningRate',
      lrDecay: 'nonNegative',
      weightDecay: 'nonNegative',
      initialAccumulatorValue: 'nonNegative',
      eps: 'positive',
      maximize: 'boolean',
    },
    // g/(√Σg² + ε): scale-invariant.
    capabilities: SCALE_FREE,
  },
  adadelta: {
    factory: adadelta,
    options: {
      lr: 'learningRate',
      rho: 'closedUnitInterval',
      eps: 'positive',
      weightDecay: 'nonNegative',
      maximize: 'boolean',
    },
    // ε inside both roots dominates at small magnitudes, so not scale-invariant.
    capabilities: { descends: true, zeroGradientNoOp: true, nonZeroFirstStep: true },
  },
  rmsprop: {
    factory: rmsprop,
    options: {
      lr: 'learningRate',
      alpha: 'unitInterval',
      eps: 'positive',
      weightDecay: 'nonNegative',
      momentum: 'nonNegative',
      centered: 'boolean',
      maximize: 'boolean',
    },
    capabilities: SCALE_FREE,
  },
  rprop: {
    factory: rprop,
    options: { lr: 'positive', etas: 'other', stepSizes: 'other', maximize: 'boolean' },
    capabilities: SCALE_FREE,
  },
  lion: {
    factory: lion,
    options: { lr: 'learningRate', betas: 'betas', weightDecay: 'nonNegative' },
    capabilities: SCALE_FREE,
  },
  signSgd: {
    factory: signSgd,
    options: { lr: 'learningRate', weightDecay: 'nonNegative' },
    capabilities: { ...SCALE_FREE, stateless: true },
  },
  signum: {
    factory: signum,
    options: { lr: 'learningRate', momentum: 'unitInterval', weightDecay: 'nonNegative' },
    capabilities: SCALE_FREE,
  },
  lamb: {
    factory: lamb,
    options: { lr: 'learningRate', betas: 'betas', eps: 'positive', weightDecay: 'nonNegative', mask: 'other' },
    capabilities: { descends: true },
  },
  lars: {
    factory: lars,
    options: {
      lr: 'learningRate',
      momentum: 'nonNegative',
      weightDecay: 'nonNegative',
      trustCoefficient: 'positive',
      eps: 'nonNegative',
      nesterov: 'other',
    },
    capabilities: { descends: true },
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
