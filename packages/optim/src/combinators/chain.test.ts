import { tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { adamw } from '../optimizers/adamw.js';
import { trajectory, valuesOf } from '../test-support/run.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdam } from '../transforms/scale-by-adam.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { trace } from '../transforms/trace.js';
import { chain } from './chain.js';
import { identity } from './identity.js';
import { namedChain } from './named-chain.js';

const params = (): TensorTree => ({
  w: tensor([1, -2, 0.5], { dtype: 'float64' }),
  b: tensor([0.25], { dtype: 'float64' }),
});
const gradients = Array.from({ length: 5 }, (_, step): TensorTree => ({
  w: tensor([Math.sin(step + 1), -0.3, step === 2 ? 0 : 0.7], { dtype: 'float64' }),
  b: tensor([Math.cos(step)], { dtype: 'float64' }),
}));
const final = (tx: GradientTransformation<any>) => {
  const run = trajectory(tx, params(), gradients);
  const last = run.params[run.params.length - 1];
  return [...valuesOf(last.w), ...valuesOf(last.b)];
};
/** The same transform without its composition point (`finalKernel`), so chain takes the ordinary path. */
const unfused = <S>(tx: GradientTransformation<S>): GradientTransformation<S> => ({ init: tx.init, update: tx.update });

describe('chain', () => {
  it('identity is neutral and chains are associative', () => {
    const base = final(chain(trace({ decay: 0.9 }), scaleByLearningRate(0.1)));
    expect(final(chain(identity(), trace({ decay: 0.9 }), identity(), scaleByLearningRate(0.1)))).toEqual(base);
    expect(final(chain(chain(trace({ decay: 0.9 })), chain(scaleByLearningRate(0.1))))).toEqual(base);
  });

  it('keeps the states in order, and namedChain keys them by name', () => {
    const state = chain(scaleByAdam(), scaleByLearningRate(0.1)).init(params());
    expect(state[0].count).toBe(0);
    expect(state[1]).toEqual({});
    const named = namedChain({ adam: scaleByAdam(), learningRate: scaleByLearningRate(0.1) }).init(params());
    expect(Object.keys(named)).toEqual(['adam', 'learningRate']);
    expect(named.adam.firstMoment).toHaveProperty('w');
    expect(
      final(
        namedChain([
          ['adam', scaleByAdam()],
          ['learningRate', scaleByLearningRate(0.1)],
        ]),
      ),
    ).toEqual(final(chain(scaleByAdam(), scaleByLearningRate(0.1))));
  });

  it('rejects bad members and names that JavaScript would reorder', () => {
    expect(() => chain(scaleByAdam(), {} as never)).toThrow("chain: 'transforms[1]' must be a gradient transformation");
    expect(() => namedChain({ 0: scaleByAdam() } as never)).toThrow(
      "namedChain: the name '0' looks like an array index",
    );
    expect(() => chain(scaleByAdam()).update(params(), [] as never, params())).toThrow(
      'chain.update: expected a state array of length 1, got an array of length 0',
    );
  });

  it('folds the learning rate and decoupled decay into Adam’s kernel, equal to the unfused chain up to rounding', () => {
    const schedule = (step: number) => 0.05 / (1 + step);
    const fused = final(chain(scaleByAdam(), addDecayedWeights(0.1), scaleByLearningRate(schedule)));
    const plain = final(
      chain(unfused(scaleByAdam()), unfused(addDecayedWeights(0.1)), unfused(scaleByLearningRate(schedule))),
    );
    fused.forEach((value, index) => expect(Math.abs(value - plain[index]!)).toBeLessThanOrEqual(1e-15));
    expect(final(adamw({ lr: schedule, weightDecay: 0.1 }))).toEqual(fused);
  });

  it('does not fold decay when params are missing, so the ordinary error is reported', () => {
    const tx = chain(scaleByAdam(), addDecayedWeights(0.1), scaleByLearningRate(0.1));
    expect(() => tx.update(gradients[0]!, tx.init(params()))).toThrow(
      "addDecayedWeights.update: this transform needs 'params'",
    );
  });
});
