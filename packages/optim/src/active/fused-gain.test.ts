import { randn, seed, tree, type DType, type Tensor } from '@vane/tensor';
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
