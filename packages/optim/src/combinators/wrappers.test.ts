/** The wrappers' own behaviour: masks, groups, injected hyperparameters, NaN guards, accumulation. */
import { tensor, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { adam } from '../optimizers/adam.js';
import { adamw } from '../optimizers/adamw.js';
import { sgd } from '../optimizers/sgd.js';
import { trajectory, valuesOf } from '../test-support/run.js';
import type { TensorTree } from '../transform.js';
import { scale } from '../transforms/scale.js';
import { applyIfFinite } from './apply-if-finite.js';
import { injectHyperparams, setHyperparams } from './inject-hyperparams.js';
import { lookahead } from './lookahead.js';
import { masked } from './masked.js';
import { multiSteps } from './multi-steps.js';
import { partition } from './partition.js';

const f64 = (values: number[]) => tensor(values, { dtype: 'float64' });
const params = (): TensorTree => ({ encoder: { weight: f64([1, 2]), bias: f64([0.5]) }, head: [f64([3]), f64([-1])] });
const grads = (value = 1): TensorTree => ({
  encoder: { weight: f64([value, value]), bias: f64([value]) },
  head: [f64([value]), f64([value])],
});

describe('masked', () => {
  it('accepts prefix masks and functions of the params', () => {
    const byPrefix = masked(scale(10), { encoder: true, head: [false, true] });
    const [updates] = byPrefix.update(grads(), byPrefix.init(params()));
    expect(valuesOf((updates as any).encoder.weight)).toEqual([10, 10]);
    expect(valuesOf((updates as any).head[0])).toEqual([1]);
    expect(valuesOf((updates as any).head[1])).toEqual([10]);
    const byFunction = masked(scale(10), (tree) => ({ encoder: false, head: (tree as any).head.map(() => true) }));
    const [other] = byFunction.update(grads(), byFunction.init(params()));
    expect(valuesOf((other as any).encoder.bias)).toEqual([1]);
    expect(valuesOf((other as any).head[0])).toEqual([10]);
  });

  it('keeps no state for masked-out leaves', () => {
    const state = masked(adam(), { encoder: true, head: false }).init(params());
    expect((state.inner as any).adam.firstMoment.head).toEqual([null, null]);
  });

  it('names the path of a mask that does not fit', () => {
    const tx = masked(scale(1), { encoder: true });
    expect(() => tx.init(params())).toThrow("masked.init: the mask has no entry for 'head'");
    expect(() => masked(scale(1), { encoder: { weight: 1 }, head: true } as never).init(params())).toThrow(
      "masked.init: the mask at 'encoder.weight' must be a boolean, got number 1",
    );
  });
});

describe('partition', () => {
  it('runs each group with its own optimizer and hyperparameters', () => {
    const tx = partition({ slow: sgd({ lr: 0.1 }), fast: sgd({ lr: 1 }) }, { encoder: 'slow', head: 'fast' });
    const run = trajectory(tx, params(), [grads()]);
    expect(valuesOf(run.params[0].encoder.weight)).toEqual([0.9, 1.9]);
    expect(valuesOf(run.params[0].head[0])).toEqual([2]);
    expect(Object.keys(run.state)).toEqual(['slow', 'fast']);
  });

  it('names a leaf whose label has no transform', () => {
    const tx = partition({ slow: sgd() }, { encoder: 'slow', head: 'missing' });
    expect(() => tx.init(params())).toThrow(
      "partition.init: the label 'missing' of 'head.0' has no transform; labels are 'slow'",
    );
  });
});

describe('injectHyperparams', () => {
  it('exposes the learning rate in the state and lets you change it', () => {
    const tx = injectHyperparams(sgd)({ lr: 0.1, momentum: 0.5 });
    let state = tx.init(params());
    expect(state.hyperparams).toEqual({ lr: 0.1, momentum: 0.5 });
    state = setHyperparams(state, { lr: 1 });
    const [updates] = tx.update(grads(), state, params());
    expect(valuesOf((updates as any).head[0])).toEqual([-1]);
    expect(() => setHyperparams(state, { betas: [0.9, 0.99] })).toThrow(
      "setHyperparams: 'betas' is not an injected hyperparameter; the state has 'lr', 'momentum'",
    );
  });

  it('evaluates schedules each update and shows the next value', () => {
    const tx = injectHyperparams(adamw)({
      lr: (step: number) => 0.1 * 0.5 ** step,
      weightDecay: 0.01,
      betas: [0.9, 0.99],
    });
    let state = tx.init(params());
    expect(state.hyperparams.lr).toBe(0.1);
    [, state] = tx.update(grads(), state, params());
    expect(state.hyperparams.lr).toBe(0.05);
    expect(state.hyperparams.betas).toEqual([0.9, 0.99]);
  });

  it('fails at construction on bad values, naming the optimizer', () => {
    expect(() => injectHyperparams(adam)({ lr: -1 })).toThrow("adam: 'lr' must be a finite number ≥ 0, got -1");
  });
});

describe('applyIfFinite', () => {
  it('skips non-finite updates up to the limit, then applies', () => {
    const tx = applyIfFinite(sgd({ lr: 1 }), 2);
    const bad = grads(Number.NaN);
    const run = trajectory(tx, params(), [grads(), bad, bad, bad, grads()]);
    expect(valuesOf(run.params[1].head[0])).toEqual([2]); // skipped
    expect(valuesOf(run.params[2].head[0])).toEqual([2]); // skipped (second in a row)
    expect(valuesOf(run.params[3].head[0])).toEqual([Number.NaN]); // third in a row: applied
    expect(run.state.totalNotFinite).toBe(3);
    expect(run.state.notFiniteCount).toBe(0);
  });
});

describe('multiSteps', () => {
  it('returns zeros on micro-steps and counts real updates', () => {
    const tx = multiSteps(sgd({ lr: 1 }), 3);
    const run = trajectory(tx, params(), [grads(1), grads(2), grads(6)]);
    expect(valuesOf(run.params[1].head[0])).toEqual([3]);
    // Mean gradient (1 + 2 + 6)/3 = 3: 3 − 3 = 0.
    expect(valuesOf(run.params[2].head[0])).toEqual([0]);
    expect(run.state.gradientStep).toBe(1);
    expect(run.state.miniStep).toBe(0);
  });
});

describe('extras', () => {
  it('reach the inner transform through every wrapper', () => {
    const seen: unknown[] = [];
    const spy = {
      init: () => ({}),
      update: (updates: TensorTree, state: object, _params?: TensorTree, extras?: unknown) => (
        seen.push(extras),
        [updates, state]
      ),
    } as never;
    const wrapped = lookahead(applyIfFinite(multiSteps(masked(partition({ a: spy }, 'a'), true), 1), 1), {
      syncPeriod: 5,
    });
    wrapped.update(grads(), wrapped.init(params()), params(), { loss: 0.25 });
    expect(seen).toEqual([{ loss: 0.25 }]);
  });
});

describe('lookahead', () => {
  it('needs params and keeps the slow weights in its state', () => {
    const tx = lookahead(sgd({ lr: 1 }), { syncPeriod: 2, slowStepSize: 0.5 });
    expect(() => tx.update(grads(), tx.init(params()))).toThrow("lookahead.update: this transform needs 'params'");
    const run = trajectory(tx, params(), [grads(1), grads(1)]);
    // Fast: 3 → 2 → 1; sync: slow = 3 + 0.5(1 − 3) = 2, and the params jump to it.
    expect(valuesOf(run.params[1].head[0])).toEqual([2]);
    expect(valuesOf((run.state.slow as any).head[0] as Tensor)).toEqual([2]);
  });
});
