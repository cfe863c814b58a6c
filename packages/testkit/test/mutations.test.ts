/**
 * Mutation tests: deliberately broken optimizers and wrappers, written here, each of which the
 * kit must reject. Every broken variant sits next to a check that the kit accepts the correct
 * one, so a failure is attributable to the mutation and not to the harness.
 */
import { describe, expect, it } from 'vitest';
import { adam, chain, scaleByAdam, scaleByLearningRate, sgd, type GradientTransformation } from '@vane/optim';
import { add, tensor, tidy, tree, zerosLike, type Tensor, type Tree } from '@vane/tensor';
import { checkOptimizer, expectTrajectory, type AnyTransform, type OptimImplementations } from '../src/index.js';
import { torchCase } from './torch-fixtures.js';

type TensorTree = Tree<Tensor>;
const map = (fn: (...leaves: Tensor[]) => Tensor, first: TensorTree, ...rest: TensorTree[]) =>
  tree.map(fn as any, first, ...rest) as TensorTree;
const OPTIONS = { numRuns: 25, seed: 7 };

// Float64 trajectories against PyTorch: relative 1e-9 allows summation-order differences over
// 10 steps (~1e-15 each); absolute 1e-12 covers updates that are near 0.
const TORCH_TOLERANCE = { absolute: 1e-12, relative: 1e-9 };

describe('Adam without bias correction', () => {
  // m/(√v + ε) with m, v uncorrected: the first step is (1 − β₁)/√(1 − β₂) ≈ 3.16 times too large.
  function uncorrectedAdam(lr: number): GradientTransformation<{ m: TensorTree; v: TensorTree }> {
    return {
      init: (params) => ({ m: tree.zerosLike(params), v: tree.zerosLike(params) }),
      update: (g, state) => {
        const m = map((mi, gi) => mi.mul(0.9).add(gi.mul(0.1)), state.m, g);
        const v = map((vi, gi) => vi.mul(0.999).add(gi.mul(gi).mul(0.001)), state.v, g);
        return [map((mi, vi) => mi.div(vi.sqrt().add(1e-8)).mul(-lr), m, v), { m, v }];
      },
    };
  }
  const golden = torchCase('adam-defaults', 10);
  const lr = golden.kwargs.lr as number;
  it('the correct Adam matches the PyTorch trajectory', () => {
    expectTrajectory(adam({ lr }), golden.gradients, golden.expected, TORCH_TOLERANCE, golden.params);
  });
  it('the uncorrected one does not', () => {
    expect(() =>
      expectTrajectory(uncorrectedAdam(lr), golden.gradients, golden.expected, TORCH_TOLERANCE, golden.params),
    ).toThrow(/expectTrajectory: step 1/);
  });
});

describe('momentum that ignores dampening', () => {
  // b_t = μ·b_{t−1} + g instead of μ·b_{t−1} + (1 − d)·g.
  function undampedMomentum(lr: number, momentum: number): GradientTransformation<{ buffer: TensorTree | null }> {
    return {
      init: () => ({ buffer: null }),
      update: (g, state) => {
        const buffer = state.buffer === null ? g : map((b, gi) => b.mul(momentum).add(gi), state.buffer, g);
        return [map((b) => b.mul(-lr), buffer), { buffer }];
      },
    };
  }
  const golden = torchCase('sgd-momentum-dampening', 10);
  const { lr, momentum, dampening } = golden.kwargs as { lr: number; momentum: number; dampening: number };
  it('sgd with dampening matches PyTorch', () => {
    expectTrajectory(
      sgd({ lr, momentum, dampening }),
      golden.gradients,
      golden.expected,
      TORCH_TOLERANCE,
      golden.params,
    );
  });
  it('the undamped one does not (from step 2, where dampening first acts)', () => {
    expect(() =>
      expectTrajectory(
        undampedMomentum(lr, momentum),
        golden.gradients,
        golden.expected,
        TORCH_TOLERANCE,
        golden.params,
      ),
    ).toThrow(/expectTrajectory: step 2/);
  });
});

describe('Rprop that emits the previous step’s update', () => {
  // Sign-driven step sizes (η₊ = 1.2, η₋ = 0.5, initial step 1e-2), written from the Rprop paper.
  function rprop(
    lagged: boolean,
  ): GradientTransformation<{ previous: TensorTree; step: TensorTree; last: TensorTree }> {
    return {
      init: (params) => ({
        previous: tree.zerosLike(params),
        step: map((p) => zerosLike(p).add(1e-2), params),
        last: tree.zerosLike(params),
      }),
      // tidy frees the intermediates (agreement and the step-size factors), as the transform contract asks.
      update: (g, state) =>
        tidy(() => {
          const agreement = map((gi, previous) => gi.mul(previous), g, state.previous);
          const step = map(
            (s, a) => s.mul(a.greater(0).mul(1.2).add(a.less(0).mul(0.5)).add(a.equal(0).mul(1))),
            state.step,
            agreement,
          );
          const update = map((gi, s) => gi.sign().mul(s).neg(), g, step);
          // The bug: return the update computed on the previous call instead of this one.
          return [lagged ? state.last : update, { previous: g, step, last: update }];
        }),
    };
  }
  const capabilities = { zeroGradientNoOp: true, nonZeroFirstStep: true, scaleInvariant: true };
  it('a correct Rprop passes', () => {
    checkOptimizer(() => rprop(false), { capabilities, ...OPTIONS });
  });
  it('the lagged one fails nonZeroFirstStep', () => {
    expect(() => checkOptimizer(() => rprop(true), { capabilities, ...OPTIONS })).toThrow(
      /invariant 'nonZeroFirstStep' failed/,
    );
  });
});

describe('an optimizer that keeps state in a closure', () => {
  function closureMomentum(): AnyTransform {
    let buffer: TensorTree | undefined; // hidden from init/update's state
    return {
      init: () => ({}),
      update: (g, state) => {
        buffer = buffer === undefined ? g : map((b, gi) => b.mul(0.9).add(gi), buffer, g);
        return [map((b) => b.mul(-1e-3), buffer), state];
      },
    };
  }
  it('fails determinism (the same state twice gives two answers) and the state round trip', () => {
    expect(() => checkOptimizer(closureMomentum, { ...OPTIONS, invariants: ['determinism'] })).toThrow(
      /invariant 'determinism' failed/,
    );
    expect(() => checkOptimizer(closureMomentum, { ...OPTIONS, invariants: ['stateRoundTrip'] })).toThrow(
      /invariant 'stateRoundTrip' failed/,
    );
  });
});

describe('a nondeterministic optimizer', () => {
  // SGD with a little injected noise from Math.random, not from an explicit seeded state.
  const noisy = (): AnyTransform => ({
    init: () => ({}),
    update: (g, state) => [map((gi) => gi.mul(-1e-3 * (1 + 1e-3 * Math.random())), g), state],
  });
  it('fails determinism', () => {
    expect(() => checkOptimizer(noisy, OPTIONS)).toThrow(/invariant 'determinism' failed/);
  });
});

/** A graft written from its definition: per block, D·‖M‖/‖D‖; `stale` keeps M's first state. */
function referenceGraft(stale: boolean): NonNullable<OptimImplementations['graft']> {
  return ({ magnitude, direction }, options) => ({
    init: (params) => ({ magnitude: magnitude.init(params), direction: direction.init(params) }),
    update: (g, state, params) => {
      const [m, magnitudeState] = magnitude.update(g, state.magnitude, params);
      const [d, directionState] = direction.update(g, state.direction, params);
      const norm = (value: TensorTree) =>
        Math.sqrt((tree.leaves(value) as Tensor[]).reduce((total, leaf) => total + leaf.mul(leaf).sum().item(), 0));
      const global = options?.granularity === 'global';
      const ratio = (mi: TensorTree, di: TensorTree) => (norm(di) === 0 ? 1 : norm(mi) / norm(di));
      const globalRatio = global ? ratio(m, d) : 0;
      const out = map((mi, di) => di.mul(global ? globalRatio : ratio(mi, di)), m, d);
      // The bug: the magnitude's state is never advanced.
      return [out, { magnitude: stale ? state.magnitude : magnitudeState, direction: directionState }];
    },
  });
}

describe('a graft that does not advance the magnitude’s state', () => {
  const factory = () => sgd({ lr: 1e-2, momentum: 0.9 });
  it('a correct graft passes graftSelfEqualsBase and graftNormLaw', () => {
    checkOptimizer(factory, {
      ...OPTIONS,
      invariants: ['graftSelfEqualsBase', 'graftNormLaw'],
      implementations: { graft: referenceGraft(false) },
    });
  });
  it('the stale one fails', () => {
    expect(() =>
      checkOptimizer(factory, {
        ...OPTIONS,
        invariants: ['graftNormLaw'],
        implementations: { graft: referenceGraft(true) },
      }),
    ).toThrow(/invariant 'graftNormLaw' failed/);
  });
});

/** A per-element, per-step (period-agnostic) active written from its definition; `readsBase` is the bug. */
function referenceActive(readsBase: boolean): Pick<OptimImplementations, 'active' | 'activeGains'> {
  return {
    active: (base, options) => {
      const {
        period,
        increase = 2,
        decrease = 0.5,
        signal = 'gradient',
      } = options as { period: number; increase?: number; decrease?: number; signal?: string };
      return {
        init: (params) => ({
          count: 0,
          base: base.init(params),
          gain: map((p) => zerosLike(p).add(1), params),
          sum: tree.zerosLike(params),
          previous: tree.zerosLike(params),
        }),
        update: (g, state, params) => {
          const [u, baseState] = base.update(g, state.base, params);
          const out = map((a, ui) => a.mul(ui), state.gain, u);
          const count = state.count + 1;
          const signalTree = signal === 'update' || readsBase ? u : g;
          let sum = map((s, x) => add(s, x), state.sum, signalTree);
          let { gain, previous } = state;
          if (count % period === 0) {
            if (count > period)
              gain = map(
                (a, c0, c1) => {
                  const flip = c0.mul(c1).lessEqual(0);
                  return flip.mul(a.mul(decrease)).add(flip.logicalNot().mul(a.add(increase)));
                },
                gain,
                previous,
                sum,
              );
            previous = sum;
            sum = tree.zerosLike(sum);
          }
          return [out, { count, base: baseState, gain, sum, previous }];
        },
      };
    },
    activeGains: (state) => state.gain,
  };
}

describe('an active that reads the base’s update when told signal: gradient', () => {
  const factory = () => chain(scaleByAdam(), scaleByLearningRate(1e-3));
  it('a correct active passes', () => {
    checkOptimizer(factory, {
      ...OPTIONS,
      invariants: ['activeNeutralEqualsBase', 'activeGainsFollowSigns'],
      implementations: referenceActive(false),
    });
  });
  it('the broken one fails activeGainsFollowSigns', () => {
    expect(() =>
      checkOptimizer(factory, {
        ...OPTIONS,
        invariants: ['activeGainsFollowSigns'],
        implementations: referenceActive(true),
      }),
    ).toThrow(/invariant 'activeGainsFollowSigns' failed/);
  });
});

describe('an optimizer that leaks one tensor per step', () => {
  // Plain SGD, u = −ηg; `leak` makes one intermediate (η·g) per step and never frees it.
  const leaky = (leak: boolean) => (): AnyTransform => ({
    init: () => ({}),
    update: (g, state) => {
      if (leak) map((gi) => gi.mul(1e-3), g, g); // the bug: an unfreed intermediate per leaf
      return [map((gi) => gi.mul(-1e-3), g), state];
    },
  });
  // Momentum that also appends each gradient to a history it never reads: returned (so update
  // itself frees what it does not return), but the state, and live memory, grow every step.
  const hoarding = (hoard: boolean) => (): AnyTransform => ({
    init: (params) => ({ buffer: tree.zerosLike(params), history: [] as TensorTree[] }),
    update: (g, state) =>
      tidy(() => {
        const buffer = map((b, gi) => b.mul(0.9).add(gi), state.buffer, g);
        const history = hoard ? [...state.history, map((gi) => gi.mul(1), g)] : state.history;
        return [map((b) => b.mul(-1e-3), buffer), { buffer, history }];
      }),
  });
  it('the correct ones pass noLeaks', () => {
    expect(checkOptimizer(leaky(false), { ...OPTIONS, invariants: ['noLeaks'] }).passed).toEqual(['noLeaks']);
    expect(checkOptimizer(hoarding(false), { ...OPTIONS, invariants: ['noLeaks'] }).passed).toEqual(['noLeaks']);
  });
  it('the leaking update fails it, at its first step', () => {
    expect(() => checkOptimizer(leaky(true), { ...OPTIONS, invariants: ['noLeaks'] })).toThrow(
      /invariant 'noLeaks' failed[\s\S]*update at step 1: \d+ tensor\(s\) leaked/,
    );
  });
  it('the growing state fails it after the warm-up step', () => {
    expect(() => checkOptimizer(hoarding(true), { ...OPTIONS, invariants: ['noLeaks'] })).toThrow(
      /invariant 'noLeaks' failed[\s\S]*step 2 changed live memory/,
    );
  });
  it('runs by default for every optimizer', () => {
    expect(checkOptimizer(() => sgd({ lr: 1e-3 }), { numRuns: 5, seed: 1 }).passed).toContain('noLeaks');
  });
});

describe('checkOptimizer reporting', () => {
  it('reports backendAgreement as skipped when no gpu backend is registered, and refuses it when asked for', () => {
    const report = checkOptimizer(() => sgd({ lr: 1e-3 }), { numRuns: 3, seed: 1 });
    expect(report.skipped).toContainEqual({
      name: 'backendAgreement',
      reason: expect.stringContaining("no backend named 'gpu'"),
    });
    expect(() => checkOptimizer(() => sgd({ lr: 1e-3 }), { numRuns: 3, invariants: ['backendAgreement'] })).toThrow(
      /requested but cannot run/,
    );
  });
  it('includes the shrunk counterexample and the seed in the error', () => {
    const broken = (): AnyTransform => ({ init: () => ({}), update: (g, state) => [map((gi) => gi.mul(0), g), state] });
    expect(() =>
      checkOptimizer(broken, {
        numRuns: 10,
        seed: 3,
        capabilities: { nonZeroFirstStep: true },
        invariants: ['nonZeroFirstStep'],
      }),
    ).toThrow(/seed: 3[\s\S]*Counterexample[\s\S]*Shrunk[\s\S]*first update element/);
  });
  void tensor;
});
