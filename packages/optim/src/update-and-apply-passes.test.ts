/**
 * How many elementwise passes a step takes: `updateAndApply` with AdamW on float32 SIMD is ONE
 * `fusedMapMany` per leaf writing m, v and p (no other pass); `update` is one writing m, v and
 * the update, then `applyUpdates`' add. Where the one pass cannot run (the JavaScript loop,
 * float64) the moments run first and the direction with the parameter add second: two passes.
 * AMSGrad and AdaBelief (each with a dependent fresh kernel: the running maximum, the belief),
 * NAdam, RAdam, Adamax, AdaGrad, RMSprop, momentum SGD (trace) and Lion state their state
 * updates as fresh inputs too.
 * The passes are counted at `@vane/tensor`'s `fusedMap` and `fusedMapMany` as optim calls them.
 */
import { fusedManyTarget, randn, seed, setKernelMode, type DType, type ExpressionKernel } from '@vane/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { active } from './active/active.js';
import { applyUpdates } from './apply-updates.js';
import { adabelief } from './optimizers/adabelief.js';
import { adagrad } from './optimizers/adagrad.js';
import { adamax } from './optimizers/adamax.js';
import { adamw } from './optimizers/adamw.js';
import { rmsprop } from './optimizers/rmsprop.js';
import { nadam } from './optimizers/nadam.js';
import { radam } from './optimizers/radam.js';
import { lion } from './optimizers/lion.js';
import { sgd } from './optimizers/sgd.js';
import type { GradientTransformation, TensorTree } from './transform.js';
import { updateAndApply } from './update-and-apply.js';

const calls = vi.hoisted(() => ({ single: [] as string[], many: [] as string[][], kernels: [] as unknown[][] }));

vi.mock('@vane/tensor', async (importOriginal) => {
  const original = await importOriginal<typeof import('@vane/tensor')>();
  return {
    ...original,
    fusedMap: (...args: Parameters<typeof original.fusedMap>) => {
      calls.single.push(args[0].name);
      return original.fusedMap(...args);
    },
    fusedMapMany: (...args: Parameters<typeof original.fusedMapMany>) => {
      calls.many.push(args[0].map((kernel: ExpressionKernel) => kernel.name));
      calls.kernels.push([...args[0]]);
      return original.fusedMapMany(...args);
    },
  };
});

afterEach(() => {
  setKernelMode('simd');
  calls.single.length = 0;
  calls.many.length = 0;
  calls.kernels.length = 0;
});

/** Two leaves; returns the passes of the last of `steps` steps, taken with `step`. */
function passesOfLastStep(
  optimizer: GradientTransformation<unknown>,
  dtype: DType,
  steps: number,
  step: 'one call' | 'two calls',
): { single: string[]; many: string[][] } {
  const generator = seed(3);
  let params: TensorTree = { w: randn([64, 9], { generator, dtype }), b: randn([9], { generator, dtype }) };
  let state = optimizer.init(params);
  for (let index = 0; index < steps; index++) {
    const grads: TensorTree = { w: randn([64, 9], { generator, dtype }), b: randn([9], { generator, dtype }) };
    calls.single.length = 0;
    calls.many.length = 0;
    calls.kernels.length = 0;
    if (step === 'one call') [params, state] = updateAndApply(optimizer, grads, state, params);
    else {
      const [updates, next] = optimizer.update(grads, state, params);
      params = applyUpdates(params, updates);
      state = next;
    }
  }
  return { single: [...calls.single], many: calls.many.map((names) => [...names]) };
}

describe('updateAndApply: the passes of a step', () => {
  it('adamw on float32 SIMD: one fusedMapMany per leaf (m, v and p), nothing else', () => {
    const passes = passesOfLastStep(adamw({ lr: 0.01 }) as GradientTransformation<unknown>, 'float32', 3, 'one call');
    expect(passes.single).toEqual([]);
    expect(passes.many).toHaveLength(2);
    for (const names of passes.many) {
      expect(names).toHaveLength(3);
      // Float32 leaves: Adam's kernels of float32 arithmetic.
      expect(names[0]).toMatch(/^optim\.adam\.firstMomentFloat32/);
      expect(names[1]).toMatch(/^optim\.adam\.secondMomentFloat32/);
      expect(names[2]).toMatch(/^optim\.adam\.directionFloat32AffineFloat32.*Applied$/);
    }
  });

  it.each([
    ['nadam', () => nadam({ lr: 0.01 }), /^optim\.nadam\.direction.*Applied$/],
    [
      'adamw amsgrad (m, v, the running maximum and p)',
      () => adamw({ lr: 0.01, amsgrad: true }),
      /^optim\.adam\.directionFloat32AffineFloat32Of.*runningMaximum\)Applied$/,
    ],
    ['radam past its threshold', () => radam({ lr: 0.01 }), /^optim\.radam\.direction.*Applied$/],
    [
      'sgd with momentum',
      () => sgd({ lr: 0.01, momentum: 0.9 }),
      /^optim\.scale.*Of\(optim\.trace\.momentum\)Applied$/,
    ],
    ['sgd nesterov', () => sgd({ lr: 0.01, momentum: 0.9, nesterov: true }), /^optim\.trace\.nesterov.*Applied$/],
    ['lion', () => lion({ lr: 0.001, weightDecay: 0.1 }), /^optim\.lion\.directionAffineOf.*Applied$/],
    ['adagrad', () => adagrad({ lr: 0.1 }), /^optim\.rss\.direction.*Applied$/],
    ['adamax', () => adamax({ lr: 0.01 }), /^optim\.adamax\.direction.*Applied$/],
    ['adabelief (s reads the new m)', () => adabelief({ lr: 0.01 }), /^optim\.belief\.direction.*Applied$/],
    ['rmsprop', () => rmsprop({ lr: 0.01 }), /^optim\.rms\.direction.*Applied$/],
    ['rmsprop centered', () => rmsprop({ lr: 0.01, centered: true }), /^optim\.rms\.centeredDirection.*Applied$/],
  ] as const)('%s on float32 SIMD: one fusedMapMany per leaf (the state and p)', (_label, make, output) => {
    const passes = passesOfLastStep(make() as GradientTransformation<unknown>, 'float32', 8, 'one call');
    expect(passes.single).toEqual([]);
    expect(passes.many).toHaveLength(2);
    for (const names of passes.many) expect(names.at(-1)).toMatch(output);
  });

  it('adamw update + applyUpdates on float32 SIMD: one pass for m, v and the update, then the add', () => {
    const passes = passesOfLastStep(adamw({ lr: 0.01 }) as GradientTransformation<unknown>, 'float32', 3, 'two calls');
    expect(passes.many.map((names) => names.length)).toEqual([3, 3]);
    expect(passes.many[0]![2]).not.toMatch(/Applied$/);
    expect(passes.single).toEqual(['optim.add', 'optim.add']);
  });

  it('active(adamw) with its gains in use: the gain, the period sum, the empty sum and the gain change join the one pass', () => {
    const optimizer = active(adamw({ lr: 0.01 }), { period: 1 }) as GradientTransformation<unknown>;
    const passes = passesOfLastStep(optimizer, 'float32', 4, 'one call');
    expect(passes.many).toHaveLength(2);
    for (const names of passes.many) {
      // m, v, the period sum c + g, the next period's empty sum and the gain change with its
      // flags (period 1: every step ends a period), then p + update with the gain.
      expect(names).toHaveLength(7);
      expect(names[2]).toMatch(/^optim\.active\.periodSum/);
      expect(names[3]).toMatch(/^optim\.active\.emptySum/);
      expect(names[4]).toMatch(/^optim\.active\.changeGain/);
      expect(names[5]).toMatch(/^optim\.active\.agrees/);
      expect(names[6]).toMatch(/^optim\.adam\.directionFloat32AffineMultipliedFloat32.*Applied$/);
    }
    // No elementwise pass of its own: neither the add nor the gain change.
    expect(passes.single).toEqual([]);
  });

  it('active(adamw) between period ends: one pass per leaf and nothing else', () => {
    const optimizer = active(adamw({ lr: 0.01 }), { period: 3 }) as GradientTransformation<unknown>;
    // Step 8: gains in use (t > 2K = 6), not a period end.
    const passes = passesOfLastStep(optimizer, 'float32', 8, 'one call');
    expect(passes.many).toHaveLength(2);
    expect(passes.single).toEqual([]);
  });

  it.each([
    ['the JavaScript loop', 'float32', 'scalar'],
    ['float64', 'float64', 'simd'],
  ] as const)('on %s: the moments, then the direction with the parameter add (two passes)', (_label, dtype, mode) => {
    setKernelMode(mode);
    const passes = passesOfLastStep(adamw({ lr: 0.01 }) as GradientTransformation<unknown>, dtype, 3, 'one call');
    // Float32 leaves take Adam's kernels of float32 arithmetic, float64 ones the float64 kernels.
    const suffix = dtype === 'float32' ? 'Float32' : '';
    expect(passes.many).toEqual([
      [`optim.adam.firstMoment${suffix}`, `optim.adam.secondMoment${suffix}`],
      [`optim.adam.firstMoment${suffix}`, `optim.adam.secondMoment${suffix}`],
    ]);
    expect(passes.single).toHaveLength(2);
    for (const name of passes.single)
      expect(name).toMatch(
        dtype === 'float32'
          ? /^optim\.adam\.directionFloat32AffineFloat32Applied/
          : /^optim\.adam\.directionAffineApplied/,
      );
  });

  it('the one-pass kernels compile to WebAssembly SIMD', () => {
    passesOfLastStep(adamw({ lr: 0.01 }) as GradientTransformation<unknown>, 'float32', 2, 'one call');
    expect(calls.kernels).toHaveLength(2);
    for (const kernels of calls.kernels) expect(fusedManyTarget(kernels as ExpressionKernel[])).toBe('simd');
  });
});
