/**
 * Adadelta, Adafactor, LAMB and LARS got fused steps (Adadelta's E[Δx²] computes Δ in place; the
 * trust ratio, Adafactor's clipping and parameter scale are final kernels with a per-leaf
 * scalar, into which `chain` composes the learning rate and decay). Their steps must be bit for
 * bit the steps before: each optimizer runs beside the same chain built from the transforms as
 * they were before fusion (written out below, with no composition point, from the previous
 * sources), on float32 (WebAssembly SIMD and the JavaScript loop) and float64, and every update,
 * state and parameter byte must agree.
 */
import {
  add,
  cast,
  defineKernel,
  div,
  expression as e,
  fusedMap,
  greater,
  logicalAnd,
  maximum,
  mean,
  mul,
  norm,
  randn,
  seed,
  setKernelMode,
  sqrt,
  square,
  tidy,
  tree,
  where,
  type DType,
  type Tensor,
} from '@vane/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { applyUpdates } from '../apply-updates.js';
import { identity } from '../combinators/identity.js';
import { namedChain } from '../combinators/named-chain.js';
import { ADD_SCALED, MOVING_AVERAGE_OF_SQUARES } from '../kernels.js';
import type { EmptyState, GradientTransformation, TensorTree } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { ema } from '../transforms/ema.js';
import { scaleByAdam } from '../transforms/scale-by-adam.js';
import { scaleByFactoredRms } from '../transforms/scale-by-factored-rms.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scale } from '../transforms/scale.js';
import { trace } from '../transforms/trace.js';
import { mapTensors, zerosTree } from '../tree-utilities.js';
import { adadelta } from './adadelta.js';
import { adafactor, relativeStepSize } from './adafactor.js';
import { lamb } from './lamb.js';
import { lars } from './lars.js';

afterEach(() => setKernelMode('simd'));

// The transforms as they were before fusion: three passes of Adadelta's, tensor ops for the rest.
const PREVIOUS_ADADELTA_DIRECTION = defineKernel(
  'test.previous.adadeltaDirection',
  { inputs: ['g', 'squaredGradients', 'squaredUpdates'], scalars: ['eps'] },
  ({ g, squaredGradients, squaredUpdates, eps }) =>
    e.mul(e.div(e.sqrt(e.add(squaredUpdates, eps)), e.sqrt(e.add(squaredGradients, eps))), g),
);

interface AdadeltaState {
  squaredGradientAverage: TensorTree;
  squaredUpdateAverage: TensorTree;
}

function previousScaleByAdadelta(rho: number, eps: number): GradientTransformation<AdadeltaState> {
  return {
    init: (params) => ({ squaredGradientAverage: zerosTree(params), squaredUpdateAverage: zerosTree(params) }),
    update: (updates, state) =>
      tidy(() => {
        const squaredGradientAverage = mapTensors(
          (g: Tensor, average: Tensor) => fusedMap(MOVING_AVERAGE_OF_SQUARES, [average, g], [rho]),
          updates,
          state.squaredGradientAverage,
        ) as TensorTree;
        const out = mapTensors(
          (g: Tensor, squaredGradients: Tensor, squaredUpdates: Tensor) =>
            fusedMap(PREVIOUS_ADADELTA_DIRECTION, [g, squaredGradients, squaredUpdates], [eps]),
          updates,
          squaredGradientAverage,
          state.squaredUpdateAverage,
        ) as TensorTree;
        const squaredUpdateAverage = mapTensors(
          (delta: Tensor, average: Tensor) => fusedMap(MOVING_AVERAGE_OF_SQUARES, [average, delta], [rho]),
          out,
          state.squaredUpdateAverage,
        ) as TensorTree;
        return [out, { squaredGradientAverage, squaredUpdateAverage }] as [TensorTree, AdadeltaState];
      }),
  };
}

function previousScaleByTrustRatio(trustCoefficient = 1, eps = 0, weightDecay = 0): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state, params) => [
      tidy(
        () =>
          mapTensors(
            (u: Tensor, p: Tensor) => {
              const parameterNorm = norm(p);
              const updateNorm = norm(u);
              const denominator = weightDecay === 0 ? updateNorm : add(updateNorm, mul(parameterNorm, weightDecay));
              const usable = logicalAnd(greater(parameterNorm, 0), greater(denominator, 0));
              const ratio = where(usable, div(mul(parameterNorm, trustCoefficient), add(denominator, eps)), 1);
              const direction = weightDecay === 0 ? u : fusedMap(ADD_SCALED, [u, p], [weightDecay]);
              return mul(direction, cast(ratio, u.dtype));
            },
            updates,
            params!,
          ) as TensorTree,
      ),
      state,
    ],
  };
}

function previousClipByBlockRms(threshold: number): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state) => [
      tidy(() =>
        mapTensors((u: Tensor) => div(u, cast(maximum(div(sqrt(mean(square(u))), threshold), 1), u.dtype)), updates),
      ),
      state,
    ],
  };
}

function previousScaleByParameterScale(minScale: number): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state, params) => [
      tidy(() =>
        mapTensors(
          (u: Tensor, p: Tensor) => mul(u, cast(maximum(sqrt(mean(square(p))), minScale), u.dtype)),
          updates,
          params!,
        ),
      ),
      state,
    ],
  };
}

const bytesOf = (value: unknown): number[][] =>
  tree.leaves(value as TensorTree).flatMap((leaf) => {
    if (typeof leaf !== 'object' || leaf === null || !('dataSync' in leaf)) return [[Number(leaf)]];
    const data = (leaf as Tensor).dataSync();
    return [Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))];
  });

/** Every update, state and the final params, as bytes, from one start and gradient stream. */
function run(optimizer: GradientTransformation<unknown>, dtype: DType, steps: number): number[][][] {
  const generator = seed(13);
  const shapes: number[][] = [[6, 4], [9], [2, 3, 5], []];
  let params: TensorTree = { layers: shapes.map((shape) => randn(shape, { generator, dtype })) };
  let state = optimizer.init(params);
  const trace: number[][][] = [];
  for (let step = 0; step < steps; step++) {
    const gradients: TensorTree = {
      layers: shapes.map((shape) => randn(shape, { generator, dtype, mean: step % 4 < 2 ? 0.3 : -0.1 })),
    };
    const [updates, next] = optimizer.update(gradients, state, params);
    trace.push(bytesOf(updates), bytesOf(next));
    params = applyUpdates(params, updates);
    state = next;
  }
  trace.push(bytesOf(params));
  return trace;
}

type Case = [label: string, now: () => GradientTransformation<unknown>, before: () => GradientTransformation<unknown>];

const cases: Case[] = [
  [
    'adadelta',
    () => adadelta({ lr: 0.5 }),
    () =>
      namedChain({
        weightDecay: addDecayedWeights(0),
        adadelta: previousScaleByAdadelta(0.9, 1e-6),
        learningRate: scaleByLearningRate(0.5),
      }),
  ],
  [
    'adadelta, weight decay, maximize',
    () => adadelta({ lr: 1, rho: 0.8, weightDecay: 0.01, maximize: true }),
    () =>
      namedChain({
        maximize: scale(-1),
        weightDecay: addDecayedWeights(0.01),
        adadelta: previousScaleByAdadelta(0.8, 1e-6),
        learningRate: scaleByLearningRate(1),
      }),
  ],
  [
    'lamb, weight decay',
    () => lamb({ lr: 0.01, weightDecay: 0.01 }),
    () =>
      namedChain({
        adam: scaleByAdam({ eps: 1e-6 }),
        weightDecay: addDecayedWeights(0.01),
        trustRatio: previousScaleByTrustRatio(),
        learningRate: scaleByLearningRate(0.01),
      }),
  ],
  [
    'lars, momentum and weight decay',
    () => lars({ lr: 0.1, momentum: 0.9, weightDecay: 0.01, eps: 1e-8 }),
    () =>
      namedChain({
        trustRatio: previousScaleByTrustRatio(1e-3, 1e-8, 0.01),
        momentum: trace({ decay: 0.9 }),
        learningRate: scaleByLearningRate(0.1),
      }),
  ],
  [
    'lars without momentum',
    () => lars({ lr: 0.1, momentum: 0, weightDecay: 0.01 }),
    () =>
      namedChain({
        trustRatio: previousScaleByTrustRatio(1e-3, 0, 0.01),
        momentum: identity(),
        learningRate: scaleByLearningRate(0.1),
      }),
  ],
  [
    'adafactor (relative step, parameter scale)',
    () => adafactor(),
    () =>
      namedChain({
        factoredRms: scaleByFactoredRms({ decayRate: 0.8, eps: 1e-30, factored: true }),
        clipping: previousClipByBlockRms(1),
        parameterScale: previousScaleByParameterScale(1e-3),
        momentum: identity(),
        weightDecay: addDecayedWeights(0),
        learningRate: scaleByLearningRate(relativeStepSize),
      }),
  ],
  [
    'adafactor, lr, momentum, weight decay, no parameter scale, small clip threshold',
    () => adafactor({ lr: 0.01, beta1: 0.9, weightDecay: 0.01, multiplyByParameterScale: false, clipThreshold: 0.05 }),
    () =>
      namedChain({
        factoredRms: scaleByFactoredRms({ decayRate: 0.8, eps: 1e-30, factored: true }),
        clipping: previousClipByBlockRms(0.05),
        parameterScale: identity(),
        momentum: ema(0.9, { debias: false }),
        weightDecay: addDecayedWeights(0.01),
        learningRate: scaleByLearningRate(0.01),
      }),
  ],
  [
    'adafactor, no momentum, weight decay, small clip threshold',
    () => adafactor({ lr: 0.01, weightDecay: 0.01, clipThreshold: 0.05 }),
    () =>
      namedChain({
        factoredRms: scaleByFactoredRms({ decayRate: 0.8, eps: 1e-30, factored: true }),
        clipping: previousClipByBlockRms(0.05),
        parameterScale: previousScaleByParameterScale(1e-3),
        momentum: identity(),
        weightDecay: addDecayedWeights(0.01),
        learningRate: scaleByLearningRate(0.01),
      }),
  ],
];

const targets: [label: string, dtype: DType, mode: 'simd' | 'scalar'][] = [
  ['float32 on WebAssembly SIMD', 'float32', 'simd'],
  ['float32 on the JavaScript loop', 'float32', 'scalar'],
  ['float64', 'float64', 'simd'],
];

describe('newly fused optimizers: bit for bit the steps before fusion', () => {
  describe.each(targets)('%s', (_target, dtype, mode) => {
    it.each(cases)('%s', (_label, now, before) => {
      setKernelMode(mode);
      expect(run(now(), dtype, 7)).toEqual(run(before(), dtype, 7));
    });
  });
});
