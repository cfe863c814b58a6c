import { randn, seed, tensor, tree, type DType, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../apply-updates.js';
import { chain } from '../combinators/chain.js';
import { adamw, type AdamwOptions } from '../optimizers/adamw.js';
import { adadelta } from '../optimizers/adadelta.js';
import { adafactor } from '../optimizers/adafactor.js';
import { lamb } from '../optimizers/lamb.js';
import { sgd } from '../optimizers/sgd.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { scaleByAdam } from '../transforms/scale-by-adam.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { updateAndApply } from '../update-and-apply.js';
import { active, type ActiveOptions } from './active.js';

/** The bytes of every leaf, in order: equal bytes means bit-for-bit equal (NaN payloads and −0 included). */
const bytesOf = (value: unknown): number[][] =>
  tree.leaves(value as TensorTree).flatMap((leaf) => {
    if (typeof leaf !== 'object' || leaf === null || !('dataSync' in leaf)) return [[Number(leaf)]];
    const data = (leaf as Tensor).dataSync();
    return [Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))];
  });

/** The same base with its composition point (`finalKernel`) hidden, so `active` takes the separate multiply pass. */
function withoutFusion<S>(base: GradientTransformation<S>): GradientTransformation<S> {
  return {
    init: (params) => base.init(params),
    update: (updates, state, params, extras) => base.update(updates, state, params, extras),
  };
}

/** Trains from the same start with the same gradient stream; returns every update, the params and the states. */
function run(optimizer: GradientTransformation<unknown>, dtype: DType, steps: number) {
  const generator = seed(7);
  const shapes: number[][] = [[5, 3], [7], []];
  let params: TensorTree = { layers: shapes.map((shape) => randn(shape, { generator, dtype })) };
  let state = optimizer.init(params);
  const trace: number[][][] = [];
  for (let step = 0; step < steps; step++) {
    // A persistent drift plus noise: some elements keep their sign over periods, others flip.
    const gradients: TensorTree = {
      layers: shapes.map((shape) => randn(shape, { generator, dtype, mean: step % 4 < 2 ? 0.3 : -0.1 })),
    };
    const [updates, next] = optimizer.update(gradients, state, params);
    trace.push(bytesOf(updates), bytesOf(next));
    params = applyUpdates(params, updates);
    state = next;
  }
  return {
    trace,
    params: bytesOf(params),
    gains: tree.leaves((state as { gain: TensorTree }).gain).flatMap((gain) => Array.from((gain as Tensor).dataSync())),
  };
}

describe('active: the gain folded into the base kernel equals the separate multiply pass bit for bit', () => {
  const cases: [string, DType, () => GradientTransformation<unknown>, ActiveOptions][] = [
    ['adamw, float32', 'float32', () => adamw({ lr: 0.05, weightDecay: 0.1 }), { period: 3 }],
    ['adamw without decay, float32', 'float32', () => adamw({ lr: 0.05, weightDecay: 0 }), { period: 2 }],
    [
      'adamw amsgrad, bounded gains, float32',
      'float32',
      () => adamw({ lr: 0.05, amsgrad: true } as AdamwOptions),
      { period: 3, minGain: 0.25, maxGain: 8 },
    ],
    [
      'adamw with a decay mask, float32',
      'float32',
      () => adamw({ lr: 0.05, weightDecay: 0.1, mask: { layers: [true, false, true] } as never }),
      { period: 3 },
    ],
    ['adamw, tensor granularity, float32', 'float32', () => adamw({ lr: 0.05 }), { period: 3, granularity: 'tensor' }],
    ['adamw, float64', 'float64', () => adamw({ lr: 0.05, weightDecay: 0.1 }), { period: 3 }],
    [
      'chain(scaleByAdam, lr), float32',
      'float32',
      () => chain(scaleByAdam(), scaleByLearningRate(0.05)),
      { period: 3 },
    ],
    ['chain(scaleByAdam) with no affine after it, float32', 'float32', () => chain(scaleByAdam()), { period: 3 }],
    [
      'sgd with momentum (the gain composed into trace’s kernel), float32',
      'float32',
      () => sgd({ lr: 0.05, momentum: 0.9 }),
      { period: 3 },
    ],
    ['sgd without momentum (cannot fuse the gain), float32', 'float32', () => sgd({ lr: 0.05 }), { period: 3 }],
    ['scaleByAdam alone (its own composition point), float32', 'float32', () => scaleByAdam(), { period: 3 }],
    ['adadelta, float32', 'float32', () => adadelta({ lr: 0.5 }), { period: 3 }],
    ['lamb (the trust ratio’s kernel), float32', 'float32', () => lamb({ lr: 0.05, weightDecay: 0.01 }), { period: 3 }],
    ['adafactor, float64', 'float64', () => adafactor({ lr: 0.05 }), { period: 3 }],
  ];
  it.each(cases)('%s', (_label, dtype, makeBase, options) => {
    const steps = 5 * options.period + 2; // past four period ends, so several gain changes are used
    const fused = run(active(makeBase(), options) as GradientTransformation<unknown>, dtype, steps);
    const reference = run(active(withoutFusion(makeBase()), options) as GradientTransformation<unknown>, dtype, steps);
    // The gains really changed (else the product would be trivially exact).
    expect(fused.gains.some((gain) => gain !== 1)).toBe(true);
    expect(fused.trace).toEqual(reference.trace);
    expect(fused.params).toEqual(reference.params);
  });
});

describe('active: the period sum and the gain change folded into the one pass equal the separate passes bit for bit', () => {
  /** Steps with `step`; gradients with exact zeros and sign drift, so that every branch of the gain change is taken. */
  function train(optimizer: GradientTransformation<unknown>, oneCall: boolean, steps: number) {
    const generator = seed(11);
    const shapes: number[][] = [[37, 29], [131], []];
    let params: TensorTree = { layers: shapes.map((shape) => randn(shape, { generator })) };
    let state = optimizer.init(params);
    const trace: number[][][] = [];
    for (let step = 0; step < steps; step++) {
      const gradients: TensorTree = {
        layers: shapes.map((shape) => {
          const noise = randn(shape, { generator, mean: step % 6 < 3 ? 0.4 : -0.2 }).dataSync();
          // Every fifth element exactly 0: zero products at the period ends (zeroIsFlip's branch).
          return tensor(
            Array.from(noise, (value, index) => (index % 5 === 0 ? 0 : value)),
            { shape },
          );
        }),
      };
      if (oneCall) {
        [params, state] = updateAndApply(optimizer, gradients, state, params);
      } else {
        const [updates, next] = optimizer.update(gradients, state, params);
        params = applyUpdates(params, updates);
        state = next;
      }
      trace.push(bytesOf(params), bytesOf(state));
    }
    return trace;
  }
  it.each([
    ['defaults, period 3', { period: 3 }],
    ['period 1', { period: 1 }],
    ['zeroIsFlip false, bounded gains', { period: 2, zeroIsFlip: false, minGain: 0.5, maxGain: 6 }],
    ['increase 0.5, decrease 0.25', { period: 4, increase: 0.5, decrease: 0.25 }],
  ] as [string, ActiveOptions][])('%s: updateAndApply and update against the unfused passes', (_label, options) => {
    const steps = 5 * options.period + 3;
    const reference = train(
      active(withoutFusion(adamw({ lr: 0.05, weightDecay: 0.1 })), options) as GradientTransformation<unknown>,
      false,
      steps,
    );
    for (const oneCall of [true, false]) {
      const folded = train(
        active(adamw({ lr: 0.05, weightDecay: 0.1 }), options) as GradientTransformation<unknown>,
        oneCall,
        steps,
      );
      expect(folded).toEqual(reference);
    }
  });
});

describe('active: the folds keep the dtypes of the separate passes', () => {
  it('float64 gradients on float32 parameters: the same bits and dtypes as the unfused passes', () => {
    const run = (optimizer: GradientTransformation<unknown>) => {
      const generator = seed(5);
      let params: TensorTree = { w: randn([6, 5], { generator }) };
      let state = optimizer.init(params);
      const trace: unknown[] = [];
      for (let step = 0; step < 9; step++) {
        const gradients: TensorTree = {
          w: randn([6, 5], { generator, dtype: 'float64', mean: step % 4 < 2 ? 1 : -1 }),
        };
        [params, state] = updateAndApply(optimizer, gradients, state, params);
        trace.push(
          bytesOf(params),
          bytesOf(state),
          tree.leaves(state as TensorTree).map((leaf) => (leaf as Tensor).dtype),
        );
      }
      return trace;
    };
    const options: ActiveOptions = { period: 2 };
    const reference = run(active(withoutFusion(adamw({ lr: 0.05 })), options) as GradientTransformation<unknown>);
    expect(run(active(adamw({ lr: 0.05 }), options) as GradientTransformation<unknown>)).toEqual(reference);
  });
});
