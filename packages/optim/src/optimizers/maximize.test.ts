/**
 * `maximize` (PyTorch's option, on the optimizers torch 1.13 gives it): validation, the chain
 * it builds, and the law "maximize = true on f equals maximize = false on −f", bit for bit,
 * state included. Agreement with PyTorch's own maximize trajectories is checked in
 * torch-trajectories.test.ts (the `*-maximize` cases of the extra fixtures).
 */
import { dispose, tensor, tidy, tree, type Tensor } from '@vane/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyUpdates, disposeReplaced } from '../apply-updates.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { adabelief } from './adabelief.js';
import { adadelta } from './adadelta.js';
import { adagrad } from './adagrad.js';
import { adam, amsgrad } from './adam.js';
import { adamax } from './adamax.js';
import { adamw } from './adamw.js';
import { lion } from './lion.js';
import { nadam } from './nadam.js';
import { radam } from './radam.js';
import { rmsprop } from './rmsprop.js';
import { rprop } from './rprop.js';
import { sgd } from './sgd.js';

type Factory = (options: any) => GradientTransformation<any>;

// The optimizers whose torch 1.13 signature has `maximize`, with options that exercise the
// rest of the chain (weight decay where there is one, so the order "negate, then decay" matters).
const WITH_MAXIMIZE: [string, Factory, Record<string, unknown>][] = [
  ['sgd', sgd, { lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.05 }],
  ['sgd', sgd, { lr: 0.1, momentum: 0.8, nesterov: true }],
  ['adam', adam, { lr: 0.01, weightDecay: 0.1 }],
  ['amsgrad', amsgrad, { lr: 0.01, betas: [0.9, 0.9] }],
  ['adamw', adamw, { lr: 0.01, weightDecay: 0.1 }],
  ['adamax', adamax, { lr: 0.01, weightDecay: 0.05 }],
  ['adagrad', adagrad, { lr: 0.1, lrDecay: 0.01, weightDecay: 0.05 }],
  ['adadelta', adadelta, { lr: 1, weightDecay: 0.05 }],
  ['rmsprop', rmsprop, { lr: 0.01, momentum: 0.5, centered: true, weightDecay: 0.05 }],
  ['rprop', rprop, { lr: 0.01 }],
];
// torch 1.13's NAdam and RAdam have no `maximize`; the optimizers PyTorch lacks do not get one either.
const WITHOUT_MAXIMIZE: [string, Factory][] = [
  ['nadam', nadam],
  ['radam', radam],
  ['adabelief', adabelief],
  ['lion', lion],
];

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a throw');
};

describe('maximize is validated', () => {
  it.each(WITH_MAXIMIZE.map(([name, make]) => [name, make] as const))(
    '%s accepts a boolean and rejects anything else',
    (name, make) => {
      expect(() => make({ maximize: true })).not.toThrow();
      expect(() => make({ maximize: false })).not.toThrow();
      expect(message(() => make({ maximize: 1 }))).toBe(`${name}: 'maximize' must be true or false, got 1`);
      expect(message(() => make({ maximize: 'yes' }))).toMatch(
        new RegExp(`^${name}: 'maximize' must be true or false, got`),
      );
    },
  );
  it.each(WITHOUT_MAXIMIZE)('%s has no maximize option (as in torch 1.13)', (name, make) => {
    expect(message(() => make({ maximize: true }))).toMatch(new RegExp(`^${name}: unknown option 'maximize'`));
  });
});

const params = (): TensorTree => ({
  layer: {
    weight: tensor(
      [
        [1, -2],
        [0.5, 3],
      ],
      { dtype: 'float64' },
    ),
    bias: tensor([0.1, -0.2], { dtype: 'float64' }),
  },
});

describe('maximize adds one stage, first, and nothing when false', () => {
  it.each(WITH_MAXIMIZE.map(([name, make, options]) => [name, make, options] as const))('%s', (_, make, options) => {
    const plain = make(options).init(params()) as Record<string, unknown>;
    const off = make({ ...options, maximize: false }).init(params()) as Record<string, unknown>;
    const on = make({ ...options, maximize: true }).init(params()) as Record<string, unknown>;
    expect(Object.keys(off)).toEqual(Object.keys(plain));
    expect(Object.keys(on)).toEqual(['maximize', ...Object.keys(plain)]);
    dispose([plain, off, on]);
  });
});

/**
 * Runs `steps` steps on the objective sign·f, f(θ) = Σ ½aθ² + bθ (per element), so that the
 * gradients depend on the trajectory; returns every parameter tree's values and the final state.
 */
function run(optimizer: GradientTransformation<any>, a: number[], b: number[], sign: 1 | -1, steps: number) {
  let current = params();
  let state = optimizer.init(current);
  const values: number[][] = [];
  for (let step = 0; step < steps; step++) {
    let index = 0;
    const grads = tree.map((p: Tensor) => {
      const data = Array.from(p.dataSync() as Float64Array, (value) => {
        const k = index++ % a.length;
        return sign * (a[k]! * value + b[k]!);
      });
      return tidy(() => tensor(data, { dtype: 'float64' }).reshape([...p.shape]));
    }, current) as TensorTree;
    const [updates, next] = optimizer.update(grads, state, current);
    const nextParams = applyUpdates(current, updates);
    disposeReplaced([current, state, grads, updates], [nextParams, next]);
    current = nextParams;
    state = next;
    values.push(tree.leaves(current).flatMap((leaf) => Array.from((leaf as Tensor).dataSync() as Float64Array)));
  }
  return { values, current, state };
}

const stateValues = (state: Record<string, unknown>) =>
  JSON.parse(
    JSON.stringify(state, (_key, value) =>
      value !== null && typeof value === 'object' && value.isTensor
        ? Array.from((value as Tensor).dataSync() as Float64Array)
        : value,
    ),
  );

describe('maximize = true on f equals maximize = false on −f (bit for bit, state included)', () => {
  const coefficient = fc.double({ min: -3, max: 3, noNaN: true });
  it.each(WITH_MAXIMIZE.map(([name, make, options]) => [`${name} ${JSON.stringify(options)}`, make, options] as const))(
    '%s',
    (_, make, options) => {
      fc.assert(
        fc.property(
          fc.array(coefficient, { minLength: 6, maxLength: 6 }),
          fc.array(coefficient, { minLength: 6, maxLength: 6 }),
          fc.integer({ min: 1, max: 6 }),
          (a, b, steps) => {
            const ascending = run(make({ ...options, maximize: true }), a, b, 1, steps);
            const descending = run(make(options), a, b, -1, steps);
            try {
              expect(ascending.values).toEqual(descending.values);
              const { maximize, ...rest } = ascending.state as Record<string, unknown>;
              expect(maximize).toEqual({});
              expect(stateValues(rest)).toEqual(stateValues(descending.state as Record<string, unknown>));
            } finally {
              dispose([ascending.current, ascending.state, descending.current, descending.state]);
            }
          },
        ),
        { numRuns: 20, seed: 1122 },
      );
    },
  );

  it('and it ascends: SGD with maximize raises a concave objective', () => {
    // f(θ) = −½Σθ², maximum at 0: ascending from θ₀ shrinks |θ|, so f rises.
    const f = (values: number[]) => -0.5 * values.reduce((sum, value) => sum + value * value, 0);
    const { values, current, state } = run(sgd({ lr: 0.1, maximize: true }), [-1], [0], 1, 5);
    const start = tree.leaves(params()).flatMap((leaf) => Array.from((leaf as Tensor).dataSync() as Float64Array));
    expect(f(values[4]!)).toBeGreaterThan(f(start));
    dispose([current, state]);
  });
});
