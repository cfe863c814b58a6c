/**
 * `updateAndApply` must give, bit for bit, the parameters and state of `update` followed by
 * `applyUpdates`, for every kind of optimizer: those whose step is one kernel (Adam's moments,
 * direction, learning rate, decay, ActiveLR's gain and the parameter add in one pass; likewise
 * AMSGrad, NAdam, RAdam, Adamax, AdaGrad, RMSprop, momentum SGD and Lion), those whose last
 * kernel has finished inputs (the trust ratio, Adafactor), and those that fall back to the two
 * calls. On float32 with WebAssembly SIMD, with the
 * JavaScript loop (`setKernelMode('scalar')`), and on float64. Adam's (and AMSGrad's) one pass is
 * also checked against the separate passes it replaces, written out here from the kernels (on
 * float32 its kernels of float32 arithmetic).
 */
import {
  defineKernel,
  expression as e,
  fusedMap,
  memory,
  randn,
  seed,
  setKernelMode,
  tensor,
  tree,
  type DType,
  type Tensor,
} from '@vane/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { active } from './active/active.js';
import { applyUpdates, disposeReplaced } from './apply-updates.js';
import { chain } from './combinators/chain.js';
import { composeFinalKernel } from './combinators/compose-final-kernel.js';
import { ADAM_MOMENTS_FLOAT32, ADD, MOVING_AVERAGE, MOVING_AVERAGE_OF_SQUARES } from './kernels.js';
import { adabelief } from './optimizers/adabelief.js';
import { adafactor } from './optimizers/adafactor.js';
import { adagrad } from './optimizers/adagrad.js';
import { adam } from './optimizers/adam.js';
import { adamax } from './optimizers/adamax.js';
import { adamw } from './optimizers/adamw.js';
import { lamb } from './optimizers/lamb.js';
import { lion } from './optimizers/lion.js';
import { nadam } from './optimizers/nadam.js';
import { radam } from './optimizers/radam.js';
import { rmsprop } from './optimizers/rmsprop.js';
import { sgd } from './optimizers/sgd.js';
import { cosineDecay } from './schedules/cosine-decay.js';
import type { GradientTransformation, TensorTree } from './transform.js';
import {
  ADAM_DIRECTION,
  ADAM_DIRECTION_FLOAT32,
  scaleByAdam,
  type ScaleByAdamState,
} from './transforms/scale-by-adam.js';
import { scaleByLearningRate } from './transforms/scale-by-learning-rate.js';
import { scaleByRms } from './transforms/scale-by-rms.js';
import { mapTensors, zerosTree } from './tree-utilities.js';
import { updateAndApply } from './update-and-apply.js';

afterEach(() => setKernelMode('simd'));

/**
 * The bytes of every tensor leaf and the value of every other leaf: equal means bit for bit equal,
 * except that every NaN is written as the one canonical NaN first. A NaN's sign and payload are
 * not part of JavaScript's semantics, and engines differ: Node 24's V8 gives some NaNs of
 * Adafactor's step the sign bit on one path and not on the other, where Node 20's does not.
 */
const bytesOf = (value: unknown): number[][] =>
  tree.leaves(value as TensorTree).map((leaf) => {
    if (typeof leaf !== 'object' || leaf === null || !('dataSync' in leaf)) return [Number(leaf)];
    const data = (leaf as Tensor).dataSync().slice();
    if (data instanceof Float32Array || data instanceof Float64Array)
      for (let index = 0; index < data.length; index++) if (Number.isNaN(data[index])) data[index] = NaN;
    return Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });

// A matrix, a vector, a scalar, and 1,001 elements (SIMD pairs and an odd tail).
const SHAPES: number[][] = [[5, 3], [7], [], [1001]];

/** The gradients of `step`: a drift plus noise, and at step 3 −0, ±∞ and NaN in the vector. */
function gradientsAt(generator: ReturnType<typeof seed>, dtype: DType, step: number): TensorTree {
  const layers = SHAPES.map((shape) => randn(shape, { generator, dtype, mean: step % 4 < 2 ? 0.3 : -0.1 }));
  if (step === 3) {
    layers[1]!.dispose();
    layers[1] = tensor([-0, Infinity, -Infinity, NaN, 1e-30, -2, 3], { dtype });
  }
  return { layers };
}

type Trajectory = number[][][];

/** Params and state bytes after each of `steps` steps, taken with `updateAndApply` or with update + applyUpdates. */
function trajectory(
  optimizer: GradientTransformation<unknown>,
  dtype: DType,
  steps: number,
  oneCall: boolean,
): Trajectory {
  const generator = seed(5);
  let params: TensorTree = { layers: SHAPES.map((shape) => randn(shape, { generator, dtype })) };
  let state = optimizer.init(params);
  const recorded: Trajectory = [];
  for (let step = 0; step < steps; step++) {
    const grads = gradientsAt(generator, dtype, step);
    if (oneCall) {
      [params, state] = updateAndApply(optimizer, grads, state, params);
    } else {
      const [updates, next] = optimizer.update(grads, state, params);
      params = applyUpdates(params, updates);
      state = next;
    }
    recorded.push(bytesOf(params), bytesOf(state));
  }
  return recorded;
}

const TARGETS: [string, DType, 'simd' | 'scalar'][] = [
  ['float32, WebAssembly SIMD', 'float32', 'simd'],
  ['float32, JavaScript loop', 'float32', 'scalar'],
  ['float64', 'float64', 'simd'],
];

const OPTIMIZERS: [string, () => GradientTransformation<unknown>][] = [
  ['adam', () => adam({ lr: 0.01 })],
  ['adam with coupled weight decay (params read before Adam)', () => adam({ lr: 0.01, weightDecay: 0.05 })],
  ['adamw', () => adamw({ lr: 0.01, weightDecay: 0.1 })],
  [
    'adamw with scheduled learning rate and decay',
    () =>
      adamw({
        lr: cosineDecay({ init: 0.02, decaySteps: 5 }),
        weightDecay: cosineDecay({ init: 0.1, decaySteps: 3, alpha: 0.5 }),
      }),
  ],
  ['adamw without decay', () => adamw({ lr: 0.01, weightDecay: 0 })],
  ['adamw amsgrad', () => adamw({ lr: 0.01, amsgrad: true })],
  ['adamw maximize', () => adamw({ lr: 0.01, maximize: true })],
  ['adamw with a decay mask', () => adamw({ lr: 0.01, mask: { layers: [true, false, true, false] } as never })],
  ['active(adamw), gains in use from step 5', () => active(adamw({ lr: 0.01 }), { period: 2 })],
  [
    'active(adamw), tensor granularity, bounded',
    () => active(adamw({ lr: 0.01 }), { period: 2, granularity: 'tensor', maxGain: 3 }),
  ],
  ['active(active(adamw)): two gains', () => active(active(adamw({ lr: 0.01 }), { period: 1 }), { period: 2 })],
  [
    "active(adamw), the 'update' signal (no composition)",
    () => active(adamw({ lr: 0.01 }), { period: 2, signal: 'update' }),
  ],
  ['scaleByAdam alone (no epilogue)', () => scaleByAdam()],
  ['chain(scaleByAdam) (no affine after it)', () => chain(scaleByAdam())],
  ['sgd with momentum', () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 0.01 })],
  ['sgd nesterov', () => sgd({ lr: 0.05, momentum: 0.9, nesterov: true })],
  ['sgd without momentum (an affine step)', () => sgd({ lr: 0.05 })],
  ['lion', () => lion({ lr: 0.001, weightDecay: 0.1 })],
  ['lamb (a per-leaf trust ratio)', () => lamb({ lr: 0.01, weightDecay: 0.01 })],
  ['adafactor', () => adafactor({ lr: 0.01 })],
  ['nadam', () => nadam({ lr: 0.01 })],
  ['radam (the SGD step for 5 steps, then the rectified one)', () => radam({ lr: 0.01 })],
  [
    'radam with lagged moments and decoupled decay',
    () => radam({ lr: 0.01, laggedMoments: true, weightDecay: 0.1, decoupledWeightDecay: true }),
  ],
  ['rmsprop', () => rmsprop({ lr: 0.01, momentum: 0.5 })],
  ['adagrad', () => adagrad({ lr: 0.1 })],
  ['adamax', () => adamax({ lr: 0.01 })],
  ['adabelief', () => adabelief({ lr: 0.01 })],
  ['adabelief rectified (momentum steps, then adaptive ones)', () => adabelief({ lr: 0.01, rectify: true })],
  ['rmsprop centered', () => rmsprop({ lr: 0.01, centered: true })],
  [
    'chain(scaleByRms with eps inside the root, lr)',
    () => chain(scaleByRms({ epsInSqrt: true }), scaleByLearningRate(0.01)),
  ],
];

describe('updateAndApply: bit for bit update + applyUpdates', () => {
  describe.each(TARGETS)('%s', (_target, dtype, mode) => {
    it.each(OPTIMIZERS)('%s', (_label, make) => {
      setKernelMode(mode);
      const steps = 7;
      const oneCall = trajectory(make(), dtype, steps, true);
      const twoCalls = trajectory(make(), dtype, steps, false);
      expect(oneCall).toEqual(twoCalls);
    });
  });
});

// The separate running maximum of AMSGrad, as the pass before fresh inputs computed it.
const MAXIMUM = defineKernel('test.maximum', { inputs: ['a', 'b'] }, ({ a, b }) => e.select(e.greater(a, b), a, b));

describe("updateAndApply: Adam's one pass equals the separate passes it replaces", () => {
  const cases = TARGETS.flatMap(([target, dtype, mode]) =>
    [false, true].map((amsgrad) => [`${target}${amsgrad ? ', amsgrad' : ''}`, dtype, mode, amsgrad] as const),
  );
  it.each(cases)('%s', (_label, dtype, mode, amsgrad) => {
    setKernelMode(mode);
    const [beta1, beta2, eps, lr, decay] = [0.9, 0.999, 1e-8, 0.01, 0.1];
    const optimizer = adamw({ lr, weightDecay: decay, betas: [beta1, beta2], eps, amsgrad });
    const generator = seed(5);
    let params: TensorTree = { layers: SHAPES.map((shape) => randn(shape, { generator, dtype })) };
    let state = optimizer.init(params);
    let m: TensorTree = zerosTree(params);
    let v: TensorTree = m;
    let maximum: TensorTree = m;
    let reference: TensorTree = params;
    // The composed epilogue of adamw: −η·d − η·λ·p, as chain folds it.
    const [updateScale, paramScale] = [-lr, -lr * decay];
    for (let step = 1; step <= 6; step++) {
      const grads = gradientsAt(generator, dtype, step - 1);
      [params, state] = updateAndApply(optimizer, grads, state, params);
      // Before: m and v in their own passes (and AMSGrad's maximum), the direction composed
      // with the epilogue, then the add.
      const corrections = [1 / (1 - beta1 ** step), 1 / Math.sqrt(1 - beta2 ** step), eps];
      // On float32, Adam computes with float32 arithmetic: its float32 kernels, each on its own.
      const float32 = dtype === 'float32';
      const [firstMoment, secondMoment] = ADAM_MOMENTS_FLOAT32;
      const previousM = m;
      m = mapTensors(
        (mi: Tensor, vi: Tensor, g: Tensor) =>
          float32 ? fusedMap(firstMoment, [mi, vi, g], [beta1, beta2]) : fusedMap(MOVING_AVERAGE, [mi, g], [beta1]),
        m,
        v,
        grads,
      ) as TensorTree;
      v = mapTensors(
        (mi: Tensor, vi: Tensor, g: Tensor) =>
          float32
            ? fusedMap(secondMoment, [mi, vi, g], [beta1, beta2])
            : fusedMap(MOVING_AVERAGE_OF_SQUARES, [vi, g], [beta2]),
        previousM,
        v,
        grads,
      ) as TensorTree;
      if (amsgrad)
        maximum = mapTensors((most: Tensor, vi: Tensor) => fusedMap(MAXIMUM, [most, vi]), maximum, v) as TensorTree;
      const updates = mapTensors(
        (mi: Tensor, vi: Tensor, p: Tensor) =>
          fusedMap(
            float32
              ? composeFinalKernel(ADAM_DIRECTION_FLOAT32, 'Affine', false, true)
              : composeFinalKernel(ADAM_DIRECTION, 'Affine'),
            [mi, vi, p],
            [...corrections, updateScale, paramScale],
          ),
        m,
        amsgrad ? maximum : v,
        reference,
      ) as TensorTree;
      reference = mapTensors((p: Tensor, u: Tensor) => fusedMap(ADD, [p, u]), reference, updates) as TensorTree;
      const adamState = (state as { adam: ScaleByAdamState }).adam;
      expect(bytesOf(params)).toEqual(bytesOf(reference));
      expect(bytesOf(adamState.firstMoment)).toEqual(bytesOf(m));
      expect(bytesOf(adamState.secondMoment)).toEqual(bytesOf(v));
      if (amsgrad) expect(bytesOf(adamState.maxSecondMoment)).toEqual(bytesOf(maximum));
    }
  });
});

describe('updateAndApply: no tensor is left behind', () => {
  it.each(OPTIMIZERS)('%s', (_label, make) => {
    const optimizer = make();
    const generator = seed(9);
    let params: TensorTree = { layers: SHAPES.map((shape) => randn(shape, { generator })) };
    let state: unknown = optimizer.init(params);
    let previousCount: number | undefined;
    for (let step = 0; step < 6; step++) {
      const grads = gradientsAt(generator, 'float32', step);
      const [next, nextState]: [TensorTree, unknown] = updateAndApply(optimizer, grads, state, params);
      disposeReplaced([params, state, grads], [next, nextState]);
      [params, state] = [next, nextState];
      // From the second step on, the live tensors are the same in number every step.
      if (step >= 2) expect(memory().numTensors).toBe(previousCount);
      previousCount = memory().numTensors;
    }
    disposeReplaced([params, state], []);
  });
});

describe('updateAndApply: bad input', () => {
  it('names the function and what is wrong', () => {
    const params = { w: tensor([1, 2]) };
    const optimizer = adamw();
    const state = optimizer.init(params);
    expect(() => updateAndApply({} as never, { w: tensor([1, 2]) }, state, params)).toThrow(
      /updateAndApply: 'optimizer' must be a gradient transformation/,
    );
    expect(() => updateAndApply(optimizer, { w: tensor([1, 2]) }, state, undefined as never)).toThrow(
      /updateAndApply: this transform needs 'params'/,
    );
    expect(() => updateAndApply(optimizer, { v: tensor([1, 2]) }, state, params)).toThrow(/updateAndApply/);
  });
});
