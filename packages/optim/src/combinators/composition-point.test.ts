/**
 * The one composition point (`GradientTransformation.finalKernel`): affine stages state their
 * coefficients, producers their last kernel; `chain` composes them and offers the result as
 * its own composition point, which `active` composes its gain into and an enclosing chain its
 * affine stages into.
 */
import { randn, seed, tensor, tree, type DType, type Tensor } from '@vane/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { active } from '../active/active.js';
import { applyUpdates } from '../apply-updates.js';
import { adamw } from '../optimizers/adamw.js';
import { sgd } from '../optimizers/sgd.js';
import { isAffineStep, isFinalKernel, type GradientTransformation, type TensorTree } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdam } from '../transforms/scale-by-adam.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { chain } from './chain.js';
import { namedChain } from './named-chain.js';
import { runFinalKernel } from './compose-final-kernel.js';

// Which producers' kernels ran composed, with an epilogue and with a multiplier.
const calls = vi.hoisted(() => ({ composed: [] as string[], multiplied: [] as string[] }));

vi.mock('./compose-final-kernel.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./compose-final-kernel.js')>();
  return {
    ...original,
    runFinalKernel: (...args: Parameters<typeof original.runFinalKernel>) => {
      if (args[3] !== undefined) calls.composed.push(args[0].owner);
      if (args[0].multiplier !== undefined) calls.multiplied.push(args[0].owner);
      return original.runFinalKernel(...args);
    },
  };
});

afterEach(() => {
  calls.composed.length = 0;
  calls.multiplied.length = 0;
});

const bytesOf = (value: unknown): number[][] =>
  tree.leaves(value as TensorTree).map((leaf) => {
    const data = (leaf as Tensor).dataSync();
    return Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });

/** Every update and the final parameters, as bytes, over `steps` steps from one start. */
function run(optimizer: GradientTransformation<unknown>, dtype: DType, steps: number): number[][][] {
  const generator = seed(11);
  let params: TensorTree = { w: randn([4, 3], { generator, dtype }), b: randn([3], { generator, dtype }) };
  let state = optimizer.init(params);
  const trace: number[][][] = [];
  for (let step = 0; step < steps; step++) {
    const gradients: TensorTree = {
      w: randn([4, 3], { generator, dtype, mean: 0.2 }),
      b: randn([3], { generator, dtype, mean: 0.2 }),
    };
    const [updates, next] = optimizer.update(gradients, state, params);
    trace.push(bytesOf(updates));
    params = applyUpdates(params, updates);
    state = next;
  }
  trace.push(bytesOf(params));
  return trace;
}

describe('the composition point', () => {
  it('an affine stage states its coefficients; a chain of them states them multiplied out', () => {
    const params = { w: tensor([1, 2]) };
    const decayThenRate = chain(addDecayedWeights(0.1), scaleByLearningRate(0.5));
    const step = decayThenRate.finalKernel!(undefined, decayThenRate.init(params), params, undefined)!;
    expect(isAffineStep(step)).toBe(true);
    // −0.5·(u + 0.1·p) = −0.5·u − 0.05·p.
    expect(step).toEqual({ epilogue: { updateScale: -0.5, paramScale: -0.5 * 0.1 }, state: [{ count: 1 }, {}] });
    // Without params a decay cannot be stated (its update reports them missing).
    expect(addDecayedWeights(0.1).finalKernel!(undefined, { count: 0 }, undefined, undefined)).toBeUndefined();
  });

  it('a producer asked before its input is computed says no at once, and a chain ending in one is not affine', () => {
    const params = { w: tensor([1, 2]) };
    const adam = scaleByAdam();
    expect(adam.finalKernel!(undefined, adam.init(params), params, undefined)).toBeUndefined();
    const optimizer = adamw({ lr: 0.1 });
    expect(optimizer.finalKernel!(undefined, optimizer.init(params), params, undefined)).toBeUndefined();
  });

  it('a chain leaves its last kernel unrun, with the affine run after it as the epilogue', () => {
    const params = { w: tensor([1, 2], { dtype: 'float64' }) };
    const optimizer = namedChain({
      adam: scaleByAdam(),
      decay: addDecayedWeights(0.01),
      rate: scaleByLearningRate(0.1),
    });
    const step = optimizer.finalKernel!(
      { w: tensor([0.5, -1], { dtype: 'float64' }) },
      optimizer.init(params),
      params,
      undefined,
    )!;
    expect(isFinalKernel(step)).toBe(true);
    if (!isFinalKernel(step)) return;
    expect(step.owner).toBe('scaleByAdam');
    expect(step.epilogue).toEqual({ updateScale: -0.1, paramScale: -0.1 * 0.01 });
    // Adam's moments are fresh inputs: the state comes from the run.
    expect(step.state).toBeUndefined();
    const [, state] = runFinalKernel(step, { w: tensor([0.5, -1], { dtype: 'float64' }) }, params, step.epilogue);
    expect(Object.keys(state)).toEqual(['adam', 'decay', 'rate']);
    expect(state.adam.count).toBe(1);
    expect(state.decay).toEqual({ count: 1 });
  });

  it('active composes its gain into the base chain’s last kernel (one multiplied call per step once gains are in use)', () => {
    run(active(adamw({ lr: 0.05, weightDecay: 0.1 }), { period: 2 }) as GradientTransformation<unknown>, 'float32', 8);
    // Gains are in use from step 2K = 4 on: steps 5..8 compose the gain.
    expect(calls.multiplied).toEqual(['scaleByAdam', 'scaleByAdam', 'scaleByAdam', 'scaleByAdam']);
    calls.multiplied.length = 0;
    // sgd without momentum ends with a lone learning rate: nothing to compose into.
    run(active(sgd({ lr: 0.05 }), { period: 2 }) as GradientTransformation<unknown>, 'float32', 8);
    expect(calls.multiplied).toEqual([]);
  });

  it.each(['float32', 'float64'] as const)(
    'a chain nested in a chain composes as the flat chain does, bit for bit (%s)',
    (dtype) => {
      const flat = run(chain(scaleByAdam(), addDecayedWeights(0.01), scaleByLearningRate(0.1)), dtype, 4);
      expect(calls.composed).toEqual(['scaleByAdam', 'scaleByAdam', 'scaleByAdam', 'scaleByAdam']);
      calls.composed.length = 0;
      const nested = run(
        chain(chain(scaleByAdam()), chain(addDecayedWeights(0.01), scaleByLearningRate(0.1))),
        dtype,
        4,
      );
      expect(calls.composed).toEqual(['scaleByAdam', 'scaleByAdam', 'scaleByAdam', 'scaleByAdam']);
      expect(nested).toEqual(flat);
    },
  );

  it.each(['float32', 'float64'] as const)(
    'a nested chain whose last kernel already carries an epilogue keeps it; the stages after it are a pass of their own, as before (%s)',
    (dtype) => {
      const inner = () => adamw({ lr: 0.05, weightDecay: 0.1 });
      const hidden = () => {
        const optimizer = inner();
        return { init: optimizer.init, update: optimizer.update };
      };
      const before = run(chain(hidden(), scaleByLearningRate(2), addDecayedWeights(0.01)), dtype, 4);
      const now = run(chain(inner(), scaleByLearningRate(2), addDecayedWeights(0.01)), dtype, 4);
      expect(now).toEqual(before);
    },
  );
});
