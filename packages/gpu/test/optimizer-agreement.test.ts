/**
 * The testkit's CPU ≡ GPU invariant over the optimizer library: every optimizer below, and the
 * active and graft wrappers, give the same float32 updates on the gpu backend as on the CPU
 * (relative 1e-4; see packages/testkit/src/invariants/backend-agreement.ts for why).
 */
import {
  active,
  adabelief,
  adagrad,
  adam,
  adamw,
  graft,
  lion,
  radam,
  rmsprop,
  sgd,
  signSgd,
  type GradientTransformation,
} from '@vane/optim';
import { checkOptimizer } from '@vane/testkit';
import { describe, expect, it } from 'vitest';
import '../src/index.js';
import { gpuReady, unavailableReason } from './gpu-availability.js';

const OPTIMIZERS: [string, () => GradientTransformation<any>][] = [
  ['sgd (momentum, nesterov)', () => sgd({ lr: 0.05, momentum: 0.9, nesterov: true })],
  ['adam', () => adam({ lr: 0.01 })],
  ['adamw', () => adamw({ lr: 0.01 })],
  ['radam', () => radam({ lr: 0.01 })],
  ['adabelief', () => adabelief({ lr: 0.01 })],
  ['adagrad', () => adagrad({ lr: 0.05 })],
  ['rmsprop', () => rmsprop({ lr: 0.01 })],
  ['lion', () => lion({ lr: 0.001 })],
  ['signSgd', () => signSgd({ lr: 0.01 })],
  ['active(adamw)', () => active(adamw({ lr: 0.01 }), { period: 2 })],
  ['graft(adam, sgd)', () => graft({ magnitude: adam({ lr: 0.01 }), direction: sgd({ lr: 0.05 }) })],
];

describe.skipIf(!gpuReady)(
  `optimizers agree on cpu and gpu${unavailableReason ? ` (skipped: ${unavailableReason})` : ''}`,
  () => {
    for (const [name, factory] of OPTIMIZERS) {
      it(name, () => {
        const report = checkOptimizer(factory, { invariants: ['backendAgreement'], numRuns: 4, seed: 7 });
        expect(report.passed).toEqual(['backendAgreement']);
      });
    }
  },
);
