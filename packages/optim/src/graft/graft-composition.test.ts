/**
 * graft() states its output d·s as a final kernel (s a scalar per leaf, or one for all), so the
 * stages after it in a chain compose into the same pass; the output is bit for bit `mul(d, s)`,
 * the tensor op it used before, and the composed chain bit for bit the unfused one.
 */
import { mul, randn, seed, setKernelMode, tree, type DType, type Tensor } from '@vane/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyUpdates } from '../apply-updates.js';
import { chain } from '../combinators/chain.js';
import { adagrad } from '../optimizers/adagrad.js';
import { sgd } from '../optimizers/sgd.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { graft, type GraftState } from './graft.js';

const calls = vi.hoisted(() => ({ composed: [] as string[] }));

vi.mock('../combinators/compose-final-kernel.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../combinators/compose-final-kernel.js')>();
  return {
    ...original,
    runFinalKernel: (...args: Parameters<typeof original.runFinalKernel>) => {
      if (args[3] !== undefined) calls.composed.push(args[0].owner);
      return original.runFinalKernel(...args);
    },
  };
});

afterEach(() => {
  setKernelMode('simd');
  calls.composed.length = 0;
});

const bytesOf = (value: unknown): number[][] =>
  tree.leaves(value as TensorTree).map((leaf) => {
    const data = (leaf as Tensor).dataSync();
    return Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });

const shapes: number[][] = [[5, 4], [7], []];
const start = (dtype: DType): TensorTree => {
  const generator = seed(17);
  return { layers: shapes.map((shape) => randn(shape, { generator, dtype })) };
};
const gradientsAt = (step: number, dtype: DType): TensorTree => {
  const generator = seed(100 + step);
  return { layers: shapes.map((shape) => randn(shape, { generator, dtype, mean: 0.2 })) };
};

const targets: [string, DType, 'simd' | 'scalar'][] = [
  ['float32 on WebAssembly SIMD', 'float32', 'simd'],
  ['float32 on the JavaScript loop', 'float32', 'scalar'],
  ['float64', 'float64', 'simd'],
];

describe.each(targets)('graft as a final kernel, %s', (_target, dtype, mode) => {
  it.each(['tensor', 'global'] as const)('its output is bit for bit mul(d, s) (%s granularity)', (granularity) => {
    setKernelMode(mode);
    const grafted = graft({ magnitude: sgd({ lr: 0.1 }), direction: adagrad({ lr: 0.1 }) }, { granularity });
    const direction = adagrad({ lr: 0.1 });
    let params = start(dtype);
    let state = grafted.init(params);
    let directionState = direction.init(params);
    for (let step = 0; step < 4; step++) {
      const gradients = gradientsAt(step, dtype);
      const [updates, next] = grafted.update(gradients, state, params);
      const [d, nextDirection] = direction.update(gradients, directionState, params);
      const multiplier = (next as GraftState).multiplier;
      const expected =
        granularity === 'tensor'
          ? tree.map((leaf: Tensor, s: Tensor) => mul(leaf, s), d, multiplier)
          : tree.map((leaf: Tensor) => mul(leaf, multiplier as Tensor), d);
      expect(bytesOf(updates)).toEqual(bytesOf(expected));
      params = applyUpdates(params, updates);
      state = next;
      directionState = nextDirection;
    }
  });

  it('a chain composes the decay and learning rate after graft into its kernel, bit for bit the unfused chain', () => {
    setKernelMode(mode);
    const make = (composes: boolean): GradientTransformation<unknown> => {
      const grafted = graft({ magnitude: 'sgd', direction: adagrad({ lr: 1 }) });
      const stage = composes ? grafted : { init: grafted.init, update: grafted.update };
      return chain(stage, addDecayedWeights(0.01), scaleByLearningRate(0.05)) as GradientTransformation<unknown>;
    };
    const run = (optimizer: GradientTransformation<unknown>): number[][][] => {
      let params = start(dtype);
      let state = optimizer.init(params);
      const trace: number[][][] = [];
      for (let step = 0; step < 4; step++) {
        const [updates, next] = optimizer.update(gradientsAt(step, dtype), state, params);
        trace.push(bytesOf(updates));
        params = applyUpdates(params, updates);
        state = next;
      }
      trace.push(bytesOf(params));
      return trace;
    };
    // The direction (adagrad) composes inside either way; count graft's own compositions.
    const grafts = () => calls.composed.filter((owner) => owner === 'graft');
    const unfused = run(make(false));
    expect(grafts()).toEqual([]);
    const fused = run(make(true));
    expect(grafts()).toEqual(['graft', 'graft', 'graft', 'graft']);
    expect(fused).toEqual(unfused);
  });
});
