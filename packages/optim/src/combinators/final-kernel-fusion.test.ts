/**
 * Every producer stated as its final kernel (`finalKernelProducer`) gets a fused step that is
 * bit for bit its unfused one: each optimizer runs twice from the same start on the same
 * gradients, once as built and once with the producers' composition point (`finalKernel`) hidden (so `chain` runs
 * the producer's kernel, stores its output, then the learning-rate/decay pass and the gain's
 * multiply pass), on float32 (WebAssembly SIMD and the JavaScript loop) and float64, and every
 * update, state and parameter byte must agree. The run also records which producers `chain`
 * composed an epilogue into, so a producer that silently stopped fusing fails here.
 */
import { randn, seed, setKernelMode, tree, type DType, type Tensor } from '@vane/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { active } from '../active/active.js';
import { applyUpdates } from '../apply-updates.js';
import { adabelief } from '../optimizers/adabelief.js';
import { adadelta } from '../optimizers/adadelta.js';
import { adafactor } from '../optimizers/adafactor.js';
import { adagrad } from '../optimizers/adagrad.js';
import { adamax } from '../optimizers/adamax.js';
import { adamw } from '../optimizers/adamw.js';
import { lamb } from '../optimizers/lamb.js';
import { lars } from '../optimizers/lars.js';
import { lion } from '../optimizers/lion.js';
import { nadam } from '../optimizers/nadam.js';
import { radam } from '../optimizers/radam.js';
import { rmsprop } from '../optimizers/rmsprop.js';
import { rprop } from '../optimizers/rprop.js';
import { sgd } from '../optimizers/sgd.js';
import { signSgd, signum } from '../optimizers/sign-sgd.js';
import type { GradientTransformation, TensorTree } from '../transform.js';

// `fused` is read when a producer is built: false builds it without its composition point (`finalKernel`).
const switches = vi.hoisted(() => ({ fused: true, composedOwners: new Set<string>() }));

vi.mock('./final-kernel-producer.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./final-kernel-producer.js')>();
  return {
    finalKernelProducer: (...args: Parameters<typeof original.finalKernelProducer>) => {
      const producer = original.finalKernelProducer(...args);
      return switches.fused ? producer : { init: producer.init, update: producer.update };
    },
  };
});

vi.mock('./compose-final-kernel.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./compose-final-kernel.js')>();
  return {
    ...original,
    runFinalKernel: (...args: Parameters<typeof original.runFinalKernel>) => {
      if (args[3] !== undefined) switches.composedOwners.add(args[0].owner);
      return original.runFinalKernel(...args);
    },
  };
});

afterEach(() => setKernelMode('simd'));

/** The bytes of every leaf, in order: equal bytes means bit-for-bit equal (NaN payloads and −0 included). */
const bytesOf = (value: unknown): number[][] =>
  tree.leaves(value as TensorTree).flatMap((leaf) => {
    if (typeof leaf !== 'object' || leaf === null || !('dataSync' in leaf)) return [[Number(leaf)]];
    const data = (leaf as Tensor).dataSync();
    return [Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))];
  });

/** Trains from the same start on the same gradient stream; returns every update, state and the params, as bytes. */
function run(optimizer: GradientTransformation<unknown>, dtype: DType, steps: number): number[][][] {
  const generator = seed(5);
  const shapes: number[][] = [[6, 4], [9], []];
  let params: TensorTree = { layers: shapes.map((shape) => randn(shape, { generator, dtype })) };
  let state = optimizer.init(params);
  const trace: number[][][] = [];
  for (let step = 0; step < steps; step++) {
    // A drift that changes sign, so sign-based methods and ActiveLR's gain really change.
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

/** An optimizer, and the producer whose final kernel `chain` must compose (undefined: none is expected). */
type Case = [label: string, make: () => GradientTransformation<unknown>, composes: string | undefined];

const cases: Case[] = [
  ['sgd, momentum', () => sgd({ lr: 0.05, momentum: 0.9 }), 'trace'],
  [
    'sgd, momentum, dampening and weight decay',
    () => sgd({ lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
    'trace',
  ],
  ['sgd, nesterov', () => sgd({ lr: 0.05, momentum: 0.9, nesterov: true }), 'trace'],
  ['rmsprop', () => rmsprop({ lr: 0.01 }), 'scaleByRms'],
  ['rmsprop, centered, weight decay', () => rmsprop({ lr: 0.01, centered: true, weightDecay: 0.01 }), 'scaleByRms'],
  ['rmsprop, centered, momentum', () => rmsprop({ lr: 0.01, centered: true, momentum: 0.9 }), 'trace'],
  ['adagrad', () => adagrad({ lr: 0.1, weightDecay: 0.01 }), 'scaleByRss'],
  ['adagrad, learning-rate decay', () => adagrad({ lr: 0.1, lrDecay: 0.1 }), 'scaleByRss'],
  ['adamax', () => adamax({ lr: 0.01, weightDecay: 0.01 }), 'scaleByAdamax'],
  ['nadam', () => nadam({ lr: 0.01 }), 'scaleByNadam'],
  [
    'nadam, decoupled weight decay',
    () => nadam({ lr: 0.01, weightDecay: 0.01, decoupledWeightDecay: true }),
    'scaleByNadam',
  ],
  ['radam (both branches: rho_t <= 5, then rectified)', () => radam({ lr: 0.01 }), 'scaleByRadam'],
  [
    'radam, decoupled weight decay, lagged moments',
    () => radam({ lr: 0.01, weightDecay: 0.01, decoupledWeightDecay: true, laggedMoments: true }),
    'scaleByRadam',
  ],
  ['adabelief', () => adabelief({ lr: 0.01 }), 'scaleByBelief'],
  [
    'adabelief, rectified, decoupled weight decay',
    () => adabelief({ lr: 0.01, rectify: true, weightDecay: 0.01, decoupledWeightDecay: true }),
    'scaleByBelief',
  ],
  ['rprop', () => rprop({ lr: 0.01 }), 'scaleByRprop'],
  ['signSgd', () => signSgd({ lr: 0.01, weightDecay: 0.01 }), 'scaleBySign'],
  ['signum', () => signum({ lr: 0.01, momentum: 0.9 }), 'scaleBySign'],
  ['lars: its momentum after the trust ratio composes', () => lars({ lr: 0.1, momentum: 0.9 }), 'trace'],
  [
    'lamb: Adam with the decay, then the trust ratio with the learning rate',
    () => lamb({ lr: 0.01, weightDecay: 0.01 }),
    'scaleByTrustRatio',
  ],
  ['lamb, no decay', () => lamb({ lr: 0.01 }), 'scaleByTrustRatio'],
  [
    'lars without momentum: the trust ratio composes',
    () => lars({ lr: 0.1, momentum: 0, weightDecay: 0.01 }),
    'scaleByTrustRatio',
  ],
  ['adadelta (Δ computed again in place of being stored)', () => adadelta({ lr: 1 }), 'scaleByAdadelta'],
  ['adadelta, weight decay', () => adadelta({ lr: 0.5, weightDecay: 0.01 }), 'scaleByAdadelta'],
  ['adafactor (the parameter scale composes)', () => adafactor({ lr: 0.01 }), 'scaleByParameterScale'],
  [
    'adafactor, relative step, no parameter scale, weight decay (the clipping composes)',
    () => adafactor({ multiplyByParameterScale: false, weightDecay: 0.01 }),
    'clipByBlockRms',
  ],
  ['adafactor, momentum, unfactored', () => adafactor({ lr: 0.01, beta1: 0.9, factored: false }), undefined],
  [
    'active(rmsprop): the gain composed too',
    () => active(rmsprop({ lr: 0.01, weightDecay: 0.01 }), { period: 2 }) as GradientTransformation<unknown>,
    'scaleByRms',
  ],
  [
    'active(sgd, momentum): the gain composed too',
    () => active(sgd({ lr: 0.05, momentum: 0.9 }), { period: 2 }) as GradientTransformation<unknown>,
    'trace',
  ],
  [
    'active(adagrad): the gain composed too',
    () => active(adagrad({ lr: 0.1 }), { period: 3 }) as GradientTransformation<unknown>,
    'scaleByRss',
  ],
  ['adamw beside them (already fused; unaffected)', () => adamw({ lr: 0.01, weightDecay: 0.1 }), 'scaleByAdam'],
  ['lion beside them (already fused; unaffected)', () => lion({ lr: 0.01, weightDecay: 0.1 }), 'scaleByLion'],
];

const targets: [label: string, dtype: DType, mode: 'simd' | 'scalar'][] = [
  ['float32 on WebAssembly SIMD', 'float32', 'simd'],
  ['float32 on the JavaScript loop', 'float32', 'scalar'],
  ['float64', 'float64', 'simd'],
];

describe('fused producers: bit for bit the unfused step', () => {
  describe.each(targets)('%s', (_target, dtype, mode) => {
    it.each(cases)('%s', (_label, make, composes) => {
      setKernelMode(mode);
      const steps = 9; // past radam's rho_t > 5 switch and two ActiveLR periods
      switches.fused = false;
      switches.composedOwners.clear();
      const reference = run(make(), dtype, steps);
      const composedUnfused = [...switches.composedOwners];
      switches.fused = true;
      switches.composedOwners.clear();
      const fused = run(make(), dtype, steps);
      if (composes !== undefined) expect(switches.composedOwners.has(composes)).toBe(true);
      // With the hooks hidden, nothing but the producers not built by finalKernelProducer composes.
      const notHidden = ['scaleByAdam', 'scaleByLion', 'scaleByTrustRatio', 'clipByBlockRms', 'scaleByParameterScale'];
      expect(composedUnfused.filter((owner) => !notHidden.includes(owner))).toEqual([]);
      expect(fused).toEqual(reference);
    });
  });
});
