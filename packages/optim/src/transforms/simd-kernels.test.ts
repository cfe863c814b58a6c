/**
 * The optimizers' fused kernels are expression kernels (data, not function text) and take the
 * WebAssembly SIMD path of `fusedMap` on float32, not the JavaScript loop (several times
 * slower, same values). A kernel that stopped compiling would still give correct results, but
 * its calls would be counted in `kernelInfo().fallbacks`: the second test runs every optimizer
 * and the wrappers with kernels of their own, and requires that count to stay empty.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  fusedKernelTarget,
  fusedManyTarget,
  kernelInfo,
  randn,
  resetKernelFallbacks,
  seed,
  setKernelMode,
  type Tensor,
} from '@vane/tensor';
import {
  ADD,
  ADD_SCALED,
  CLIP,
  MOVING_AVERAGE,
  MOVING_AVERAGE_OF_SQUARES,
  MULTIPLY,
  SCALE,
  SIGN,
  ZERO_NANS,
} from '../kernels.js';
import { CHANGE_GAIN } from '../active/active-kernels.js';
import { active } from '../active/active.js';
import { adamHd } from '../baselines/adam-hd.js';
import { scaleByDeltaBarDelta } from '../baselines/delta-bar-delta.js';
import { sgdHd } from '../baselines/sgd-hd.js';
import { chain } from '../combinators/chain.js';
import { lookahead } from '../combinators/lookahead.js';
import { multiSteps } from '../combinators/multi-steps.js';
import { OPTIMIZER_NAMES, OPTIMIZER_REGISTRY } from '../optimizer-registry.js';
import { adamw } from '../optimizers/adamw.js';
import { rmsprop } from '../optimizers/rmsprop.js';
import { sgd } from '../optimizers/sgd.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { allCompositions, composeFinalKernel } from '../combinators/compose-final-kernel.js';
import { ADAM_MOMENTS, ADAM_MOMENTS_FLOAT32 } from '../kernels.js';
import { ADAM_DIRECTION, ADAM_DIRECTION_FLOAT32 } from './scale-by-adam.js';
import { scaleByLearningRate } from './scale-by-learning-rate.js';
import { scaleByRms } from './scale-by-rms.js';

afterEach(() => setKernelMode('simd'));

describe('optimizer kernels on WebAssembly SIMD', () => {
  it('compiles Adam’s direction and its compositions with the affine epilogue and ActiveLR’s gain (with fround), the shared kernels and ActiveLR’s gain change', () => {
    const adamKernels = [ADAM_DIRECTION, ...allCompositions(ADAM_DIRECTION)];
    for (const kernel of [
      ...adamKernels,
      MOVING_AVERAGE,
      MOVING_AVERAGE_OF_SQUARES,
      SCALE,
      ADD_SCALED,
      ADD,
      MULTIPLY,
      SIGN,
      ZERO_NANS,
      CLIP,
      CHANGE_GAIN,
    ]) {
      expect([kernel.name, fusedKernelTarget(kernel)]).toEqual([kernel.name, 'simd']);
    }
    // Adam's two moments are one SIMD pass over (m, v, g), not two.
    expect(fusedManyTarget(ADAM_MOMENTS)).toBe('simd');
    // Its kernels of float32 arithmetic (float32 leaves) too, composed with the epilogue whose
    // operations are rounded as well.
    expect(fusedManyTarget(ADAM_MOMENTS_FLOAT32)).toBe('simd');
    for (const composition of ['Scaled', 'Affine', 'ScaledMultiplied', 'AffineMultiplied'] as const) {
      const kernel = composeFinalKernel(ADAM_DIRECTION_FLOAT32, composition, false, true);
      expect([kernel.name, fusedKernelTarget(kernel)]).toEqual([kernel.name, 'simd']);
    }
    // The names the hand-written variants had, so kernelInfo() and profiles read as before.
    // (The Rounded ones, with fround at the producer's output, are what the other producers use.)
    const compositions = ['Scaled', 'Affine', 'ScaledMultiplied', 'AffineMultiplied'];
    expect(adamKernels.map((kernel) => kernel.name)).toEqual([
      'optim.adam.direction',
      ...compositions.map((composition) => `optim.adam.direction${composition}`),
      ...compositions.map((composition) => `optim.adam.direction${composition}Rounded`),
    ]);
  });

  // Every registry optimizer with its learning rate runs its producer's composed kernel, so this
  // also checks that each composition (rounded or not) compiles.
  it('runs every optimizer, ActiveLR, the hypergradient baselines, lookahead and multiSteps on float32 with no kernel falling back', () => {
    setKernelMode('simd');
    expect(kernelInfo().active).toBe('simd');
    const optimizers: [string, GradientTransformation<unknown>][] = [
      ...OPTIMIZER_NAMES.map((name): [string, GradientTransformation<unknown>] => [
        name,
        (OPTIMIZER_REGISTRY[name].factory as (options: object) => GradientTransformation<unknown>)({ lr: 1e-2 }),
      ]),
      ['sgd (nesterov)', sgd({ lr: 1e-2, momentum: 0.9, nesterov: true })],
      ['rmsprop (centered)', chain(scaleByRms({ centered: true }), scaleByLearningRate(1e-2))],
      ['active(adamw)', active(adamw({ lr: 1e-2, weightDecay: 0.1 }), { period: 2 })],
      ['active(rmsprop)', active(rmsprop({ lr: 1e-2, weightDecay: 0.1 }), { period: 2 })],
      ['sgdHd', sgdHd({ momentum: 0.9, weightDecay: 0.01 })],
      ['adamHd', adamHd({ weightDecay: 0.01 })],
      ['deltaBarDelta', chain(scaleByDeltaBarDelta(), scaleByLearningRate(1e-2))],
      ['lookahead(sgd)', lookahead(sgd({ lr: 1e-2 }), { syncPeriod: 2 })],
      ['multiSteps(adamw)', multiSteps(adamw({ lr: 1e-2 }), 2)],
    ];
    resetKernelFallbacks();
    const generator = seed(11);
    for (const [, optimizer] of optimizers) {
      let params: TensorTree = { w: randn([4, 3], { generator }), b: randn([3], { generator }) };
      let state = optimizer.init(params);
      for (let step = 0; step < 4; step++) {
        const gradients = { w: randn([4, 3], { generator }), b: randn([3], { generator }) };
        const [updates, next] = optimizer.update(gradients, state, params);
        params = {
          w: (params as { w: Tensor }).w.add((updates as { w: Tensor }).w),
          b: (params as { b: Tensor }).b.add((updates as { b: Tensor }).b),
        };
        state = next;
      }
    }
    expect(kernelInfo().fallbacks.filter((fallback) => fallback.kernel.startsWith('optim.'))).toEqual([]);
  });
});
