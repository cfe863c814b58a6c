import { tensor, tree, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { graft } from '../graft/graft.js';
import { adamw } from '../optimizers/adamw.js';
import { radam } from '../optimizers/radam.js';
import { sgd } from '../optimizers/sgd.js';
import { gradientNoiseScale } from '../scaling/gradient-noise-scale.js';
import { deserializeState, serializeState } from '../serialization.js';
import type { AnyTransformation, TensorTree } from '../transform.js';
import { active } from './active.js';

const f64 = (values: number[]): Tensor => tensor(values, { dtype: 'float64' });
const valuesOf = (value: unknown): number[] =>
  tree
    .leaves(value as TensorTree)
    .flatMap((leaf) =>
      leaf && typeof leaf === 'object' && 'dataSync' in leaf ? Array.from((leaf as Tensor).dataSync()) : [],
    );
const params = { w: f64([0.5, -1, 2]), b: f64([0.1]) };
const stream = Array.from({ length: 9 }, (_, t) => ({
  w: f64([Math.sin(t), Math.cos(3 * t), t % 3 === 0 ? -1 : 0.5]),
  b: f64([t % 2 === 0 ? 1 : -0.5]),
}));

// Save after k steps, load into a FRESH instance through JSON text, and continue: every later
// update and the final state must be identical to an uninterrupted run (tolerance 0).
function checkResume(
  make: () => AnyTransformation,
  saveAfter: number,
  extrasFor?: (step: number) => Record<string, unknown>,
): void {
  const reference = make();
  let state = reference.init(params);
  const expected: number[][] = [];
  let saved = '';
  stream.forEach((gradient, step) => {
    if (step === saveAfter) saved = JSON.stringify(serializeState(state));
    const [update, next] = reference.update(gradient, state, params, extrasFor?.(step));
    expected.push(valuesOf(update));
    state = next;
  });
  const resumed = make();
  resumed.init(params);
  let restored = deserializeState(JSON.parse(saved));
  stream.slice(saveAfter).forEach((gradient, offset) => {
    const [update, next] = resumed.update(gradient, restored, params, extrasFor?.(saveAfter + offset));
    expect(valuesOf(update)).toEqual(expected[saveAfter + offset]);
    restored = next;
  });
  expect(serializeState(restored)).toEqual(serializeState(state));
}

describe('save, load into a fresh instance, resume', () => {
  it.each([1, 3, 4, 7])(
    'active(adamw), period 2, saved after %i steps (before, at and after gain changes)',
    (saveAfter) => {
      checkResume(() => active(adamw({ lr: 0.01 }), { period: 2 }), saveAfter);
    },
  );
  it('active(radam), per-tensor gains from update signs, clamped', () => {
    checkResume(
      () =>
        active(radam({ lr: 0.01 }), { period: 1, granularity: 'tensor', signal: 'update', minGain: 0.2, maxGain: 4 }),
      5,
    );
  });
  it('graft, global', () => {
    checkResume(
      () =>
        graft(
          { magnitude: adamw({ lr: 0.01 }), direction: sgd({ lr: 0.1, momentum: 0.9 }) },
          { granularity: 'global' },
        ),
      4,
    );
  });
  it('gradientNoiseScale with micro-batch gradients in extras', () => {
    const extras = (step: number) => ({ microBatchGradients: [stream[step]!, stream[(step + 1) % stream.length]!] });
    checkResume(() => gradientNoiseScale({ microBatchSize: 4 }), 3, extras);
  });
});
