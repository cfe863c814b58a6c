/**
 * Saving and resuming: the saved form is JSON text keyed by names and parameter paths, it
 * round-trips exactly, and resuming from it gives bit-identical parameters to a run that was
 * never interrupted.
 */
import { tensor, tree, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { injectHyperparams } from './combinators/inject-hyperparams.js';
import { multiSteps } from './combinators/multi-steps.js';
import { adamw } from './optimizers/adamw.js';
import { deserializeState, serializeState, serializeStateAsync } from './serialization.js';
import { build, CATALOG } from './test-support/catalog.js';
import { trajectory, valuesOf } from './test-support/run.js';
import type { GradientTransformation, TensorTree } from './transform.js';

const params = (): TensorTree => ({
  layer: {
    weight: tensor([
      [0.5, -1.25, 0.75],
      [-0.3, 2, -0.875],
    ]),
    bias: tensor([0.1, -0.45, 1.6]),
  },
});
const gradientAt = (step: number): TensorTree => ({
  layer: {
    weight: tensor([
      [Math.sin(step), -0.5 * Math.cos(step), 0.3],
      [0.2 * step - 0.5, Math.sin(2 * step), step === 3 ? 0 : -0.1],
    ]),
    bias: tensor([Math.cos(step), 0.25, -0.4 * Math.sin(step)]),
  },
});
const bits = (value: TensorTree) =>
  tree.leaves(value).flatMap((leaf) => Array.from(new Uint32Array((leaf as Tensor).dataSync().slice().buffer)));

function resumeMatchesUninterrupted(optimizer: () => GradientTransformation<unknown>, total = 10, pause = 4) {
  const gradients = Array.from({ length: total }, (_, step) => gradientAt(step + 1));
  const uninterrupted = trajectory(optimizer(), params(), gradients);
  const first = trajectory(optimizer(), params(), gradients.slice(0, pause));
  const text = JSON.stringify(serializeState({ params: first.params[pause - 1], optimizer: first.state }));
  const restored = deserializeState<{ params: TensorTree; optimizer: unknown }>(JSON.parse(text));
  // Continue with a fresh optimizer object, as a new process would.
  const fresh = optimizer();
  const resumed = trajectory(
    { init: () => restored.optimizer, update: fresh.update },
    restored.params,
    gradients.slice(pause),
  );
  expect(bits(resumed.params[total - pause - 1]!)).toEqual(bits(uninterrupted.params[total - 1]!));
}

describe('resuming from a saved state is bit-identical to an uninterrupted run', () => {
  it.each(CATALOG.map((entry) => [entry.name, entry] as const))('%s', (_, entry) => {
    resumeMatchesUninterrupted(() => build(entry, 10));
  });
  it('injectHyperparams with a schedule, and multiSteps mid-accumulation', () => {
    resumeMatchesUninterrupted(() =>
      injectHyperparams(adamw)({ lr: (step: number) => 0.01 / (1 + step), weightDecay: 0.1 }),
    );
    resumeMatchesUninterrupted(() => multiSteps(adamw({ lr: 0.01 }), 3), 10, 5);
  });
});

describe('the saved form', () => {
  it('is keyed by name and parameter path, with dtype, shape and base64 bytes', () => {
    const optimizer = adamw({ lr: 0.01 });
    const state = optimizer.update(gradientAt(1), optimizer.init(params()), params())[1];
    const saved = serializeState(state) as any;
    expect(saved.format).toBe('vane.optim.state');
    expect(saved.state.adam.count).toBe(1);
    expect(saved.state.adam.firstMoment.layer.bias.$tensor.dtype).toBe('float32');
    expect(saved.state.adam.firstMoment.layer.bias.$tensor.shape).toEqual([3]);
    expect(typeof saved.state.adam.firstMoment.layer.weight.$tensor.data).toBe('string');
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
  });

  it('round-trips values JSON cannot hold, and every dtype', async () => {
    const state = {
      numbers: [Number.NaN, Infinity, -Infinity, -0, 0.1, 5e-324],
      flags: [true, false, null, undefined, 'text'],
      tensors: {
        f32: tensor([1.5, Number.NaN, -0, 3.4e38], { dtype: 'float32' }),
        f64: tensor(
          [
            [Math.PI, -Number.MIN_VALUE],
            [1e308, Infinity],
          ],
          { dtype: 'float64' },
        ),
        i32: tensor([-2147483648, 7], { dtype: 'int32' }),
        bool: tensor([true, false, true]),
        scalar: tensor(2.5),
        empty: tensor([], { dtype: 'float32' }),
      },
      $dollar: { $tensor: 'not a tag' },
    };
    for (const saved of [serializeState(state), await serializeStateAsync(state)]) {
      const restored = deserializeState<typeof state>(JSON.parse(JSON.stringify(saved)));
      expect(Object.is(restored.numbers[3], -0)).toBe(true);
      expect(restored.numbers).toEqual(state.numbers);
      expect(restored.flags).toEqual(state.flags);
      expect(restored.$dollar).toEqual(state.$dollar);
      for (const key of Object.keys(state.tensors) as (keyof typeof state.tensors)[]) {
        const [a, b] = [state.tensors[key], restored.tensors[key]];
        expect(b.dtype).toBe(a.dtype);
        expect(b.shape).toEqual(a.shape);
        expect(new Uint8Array(b.dataSync().buffer)).toEqual(new Uint8Array(a.dataSync().slice().buffer));
      }
    }
  });

  it('rejects what it cannot save or read, naming the path', () => {
    expect(() => serializeState({ adam: { schedule: () => 1 } })).toThrow(
      "serializeState: the state at 'adam.schedule' is a function",
    );
    expect(() => serializeState({ when: new Date(0) })).toThrow("the state at 'when' is an instance of Date");
    expect(() => deserializeState({ format: 'other' })).toThrow(/not a saved optimizer state/);
    const saved = serializeState({ w: tensor([1, 2]) }) as any;
    saved.state.w.$tensor.shape = [3];
    expect(() => deserializeState(saved)).toThrow("deserializeState: 'w' has 8 bytes, expected 12 for float32[3]");
  });

  it('restored tensors carry the saved values', () => {
    const restored = deserializeState<{ w: Tensor }>(serializeState({ w: tensor([0.1, 0.2]) }));
    expect(valuesOf(restored.w)).toEqual(Array.from(new Float32Array([0.1, 0.2])));
  });
});
