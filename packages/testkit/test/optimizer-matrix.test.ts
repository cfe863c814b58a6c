/**
 * Every optimizer and wrapper in @vane/optim against every invariant that applies to it. The
 * optimizers come from @vane/optim's OPTIMIZER_REGISTRY with the capabilities it claims for
 * their default options (justified there); the rows below add variants and wrappers, with
 * claims about their math at the stated options (weight decay off unless noted, learning rate
 * 1e-3 so "descends" holds), each justified inline.
 */
import { describe, expect, it } from 'vitest';
import * as optim from '@vane/optim';
import { OPTIMIZER_NAMES, optimizerEntry } from '@vane/optim';
import { checkOptimizer, type AnyTransform, type OptimizerCapabilities } from '../src/index.js';

interface Row {
  readonly name: string;
  readonly make: (lr: number) => AnyTransform;
  readonly capabilities: OptimizerCapabilities;
}

const LR = 1e-3;
// Adam-style m/(√v + ε): scale-invariant; m = 0 when g = 0, so zero gradients give 0.
const adamLike: OptimizerCapabilities = {
  descends: true,
  zeroGradientNoOp: true,
  scaleInvariant: true,
  nonZeroFirstStep: true,
};

const ROWS: Row[] = [
  // Every optimizer of the registry, with its own capabilities.
  ...OPTIMIZER_NAMES.map((name): Row => ({
    name,
    make: (lr) => optimizerEntry(name)!.factory({ lr }),
    capabilities: optimizerEntry(name)!.capabilities,
  })),
  // Momentum with dampening: still linear in the gradient history.
  {
    name: 'sgd momentum+dampening',
    make: (lr) => optim.sgd({ lr, momentum: 0.9, dampening: 0.3 }),
    capabilities: { descends: true, zeroGradientNoOp: true, linear: true, nonZeroFirstStep: true },
  },
  {
    name: 'sgd nesterov',
    make: (lr) => optim.sgd({ lr, momentum: 0.9, nesterov: true }),
    capabilities: { descends: true, zeroGradientNoOp: true, linear: true, nonZeroFirstStep: true },
  },
  // L2 weight decay moves parameters without gradients; the loss still decreases (decay pulls to the minimum 0).
  {
    name: 'sgd weightDecay',
    make: (lr) => optim.sgd({ lr, weightDecay: 0.01 }),
    capabilities: { descends: true, stateless: true, linear: true },
  },
  {
    name: 'rmsprop centered+momentum',
    make: (lr) => optim.rmsprop({ lr, centered: true, momentum: 0.9 }),
    capabilities: { descends: true, zeroGradientNoOp: true, nonZeroFirstStep: true },
  },
  // maximize: the gradient negated first, so the optimizer ascends ('descends' is not claimed);
  // the other laws hold as for the minimizing optimizer (negation is linear and exact).
  {
    name: 'adam maximize',
    make: (lr) => optim.adam({ lr, weightDecay: 0.01, maximize: true }),
    capabilities: { nonZeroFirstStep: true },
  },
  {
    name: 'sgd momentum maximize',
    make: (lr) => optim.sgd({ lr, momentum: 0.9, maximize: true }),
    capabilities: { zeroGradientNoOp: true, linear: true, nonZeroFirstStep: true },
  },
  {
    name: 'rmsprop maximize',
    make: (lr) => optim.rmsprop({ lr, maximize: true }),
    capabilities: { zeroGradientNoOp: true, scaleInvariant: true, nonZeroFirstStep: true },
  },
  // Wrappers around adam.
  // Lookahead's sync steps pull the fast weights back towards the slow ones, which can raise
  // the loss for one step, so 'descends' (monotone per step) is not claimed.
  {
    name: 'lookahead(adam)',
    make: (lr) => optim.lookahead(optim.adam({ lr }), { syncPeriod: 2, slowStepSize: 0.5 }),
    capabilities: { zeroGradientNoOp: true },
  },
  { name: 'applyIfFinite(adam)', make: (lr) => optim.applyIfFinite(optim.adam({ lr }), 3), capabilities: adamLike },
  {
    name: 'masked(adam)',
    make: (lr) => optim.masked(optim.adam({ lr }), (params) => mapTrue(params)),
    capabilities: adamLike,
  },
  {
    name: 'multiSteps(sgd, 2)',
    make: (lr) => optim.multiSteps(optim.sgd({ lr }), 2),
    capabilities: { zeroGradientNoOp: true, linear: true },
  },
  {
    name: 'active(adam)',
    make: (lr) => optim.active(optim.adam({ lr }), { period: 2 }),
    capabilities: { descends: true, zeroGradientNoOp: true, nonZeroFirstStep: true },
  },
  // Combinators: each wraps a base whose capabilities it preserves, as noted.
  // injectHyperparams rebuilds the same Adam from its state's hyperparameters: Adam's laws.
  {
    name: 'injectHyperparams(adam)',
    make: (lr) => optim.injectHyperparams(optim.adam)({ lr }),
    capabilities: adamLike,
  },
  // Matrices get Adam, vectors momentum-free SGD: both descend, ignore zero gradients and move at once.
  {
    name: 'partition(adam | sgd)',
    make: (lr) =>
      optim.partition({ matrices: optim.adam({ lr }), vectors: optim.sgd({ lr }) }, (params: unknown) =>
        labelByRank(params),
      ),
    capabilities: { descends: true, zeroGradientNoOp: true, nonZeroFirstStep: true },
  },
  // Vectors frozen, Adam on the rest: frozen leaves never move, so only zero-gradient no-op is claimed
  // (a tree of vectors only would not move at all).
  {
    name: 'chain(freeze(vectors), adam)',
    make: (lr) =>
      optim.chain(
        optim.freeze((params: unknown) => maskByRank(params)),
        optim.adam({ lr }),
      ),
    capabilities: { zeroGradientNoOp: true },
  },
  // Global-norm clipping rescales large gradients: breaks scale invariance, keeps the rest.
  {
    name: 'namedChain(clip, adam)',
    make: (lr) => optim.namedChain({ clip: optim.clipByGlobalNorm(1), adam: optim.adam({ lr }) }),
    capabilities: { descends: true, zeroGradientNoOp: true, nonZeroFirstStep: true },
  },
  // zeroNans is the identity on finite gradients.
  {
    name: 'chain(zeroNans, adam)',
    make: (lr) => optim.chain(optim.zeroNans(), optim.adam({ lr })),
    capabilities: adamLike,
  },
  // Elementwise clipping then plain SGD: memoryless, moves at once, no update for zero gradients.
  {
    name: 'chain(clip, sgd)',
    make: (lr) => optim.chain(optim.clip(1), optim.sgd({ lr })),
    capabilities: { descends: true, zeroGradientNoOp: true, stateless: true, nonZeroFirstStep: true },
  },
  {
    name: 'graft(adam, sgd)',
    make: (lr) => optim.graft({ magnitude: optim.adam({ lr }), direction: optim.sgd({ lr }) }),
    capabilities: { descends: true, zeroGradientNoOp: true },
  },
];

function isTensorLeaf(value: unknown): value is { ndim: number } {
  return value !== null && typeof value === 'object' && 'isTensor' in value;
}

// Labels every tensor leaf by rank: 'matrices' for two or more axes, 'vectors' otherwise.
function labelByRank(params: unknown) {
  return JSON.parse(
    JSON.stringify(params, (_key, value) => (isTensorLeaf(value) ? (value.ndim >= 2 ? 'matrices' : 'vectors') : value)),
  );
}

// True for the leaves to freeze: those with fewer than two axes.
function maskByRank(params: unknown) {
  return JSON.parse(JSON.stringify(params, (_key, value) => (isTensorLeaf(value) ? value.ndim < 2 : value)));
}

function mapTrue(params: unknown) {
  return JSON.parse(
    JSON.stringify(params, (_key, value) =>
      value !== null && typeof value === 'object' && 'isTensor' in value ? true : value,
    ),
  );
}

const missing = ROWS.filter((row) => {
  try {
    row.make(LR);
    return false;
  } catch {
    return true;
  }
});

describe('every @vane/optim optimizer passes the invariants that apply to it', () => {
  for (const row of ROWS.filter((candidate) => !missing.includes(candidate))) {
    it(row.name, () => {
      const report = checkOptimizer(() => row.make(LR), {
        capabilities: row.capabilities,
        learningRateFactory: row.make,
        numRuns: 12,
        seed: 20261122,
      });
      expect(report.passed).toContain('determinism');
      expect(report.passed).toContain('stateRoundTrip');
      expect(report.passed).toContain('noLeaks');
      expect(report.skipped.map((entry) => entry.name)).toContain('backendAgreement');
    });
  }
  it('builds every row (a factory that throws fails here by name)', () => {
    expect(missing.map((row) => row.name)).toEqual([]);
  });
});
