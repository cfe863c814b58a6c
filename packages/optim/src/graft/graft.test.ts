import { memory, tensor, tree, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { disposeReplaced } from '../apply-updates.js';
import { chain } from '../combinators/chain.js';
import { identity } from '../combinators/identity.js';
import { adam } from '../optimizers/adam.js';
import { adagrad } from '../optimizers/adagrad.js';
import { sgd } from '../optimizers/sgd.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { trace } from '../transforms/trace.js';
import { graft } from './graft.js';

const f64 = (values: number[] | number[][]): Tensor => tensor(values, { dtype: 'float64' });
const valuesOf = (value: TensorTree): number[] =>
  tree.leaves(value).flatMap((leaf) => Array.from((leaf as Tensor).dataSync()));
const norm = (values: number[]): number => Math.sqrt(values.reduce((total, x) => total + x * x, 0));

function feed<S>(
  optimizer: GradientTransformation<S>,
  params: TensorTree,
  gradients: TensorTree[],
): { updates: TensorTree[]; state: S } {
  let state = optimizer.init(params);
  const updates: TensorTree[] = [];
  for (const gradient of gradients) {
    const [update, next] = optimizer.update(gradient, state, params);
    updates.push(update);
    state = next;
  }
  return { updates, state };
}

describe('graft: spec Appendix A (SGD#Adam, step 1)', () => {
  const params = {
    A: f64([1, -2, 0.5]),
    B: f64([
      [0.3, 0],
      [0, -0.1],
    ]),
  };
  const grads = {
    A: f64([0.2, -0.4, 0]),
    B: f64([
      [1, 0],
      [0.5, -2],
    ]),
  };
  const sgdSharpAdam = (granularity: 'tensor' | 'global') =>
    graft({ magnitude: sgd({ lr: 0.1 }), direction: adam({ lr: 1e-3 }) }, { granularity });

  it('layer-wise: A → [0.96837722, −1.96837722, 0.5], B → [[0.16771243, 0], [−0.13228756, 0.03228757]]', () => {
    const { updates } = feed(sgdSharpAdam('tensor'), params, [grads]);
    const next = valuesOf(params).map((p, index) => p + valuesOf(updates[0]!)[index]!);
    const expected = [0.96837722, -1.96837722, 0.5, 0.16771243, 0, -0.13228756, 0.03228757];
    // Printed to 8 decimals: half a unit in the last place.
    next.forEach((value, index) => expect(Math.abs(value - expected[index]!)).toBeLessThanOrEqual(0.5e-8));
  });

  it('global multiplier 104.403067', () => {
    const { state } = feed(sgdSharpAdam('global'), params, [grads]);
    expect(Math.abs((state.multiplier as Tensor).item() - 104.403067)).toBeLessThanOrEqual(0.5e-6);
  });
});

describe('graft: laws', () => {
  const params = {
    w: f64([
      [0.5, -1],
      [2, 0.1],
    ]),
    b: f64([0.3, -0.2, 0.7]),
  };
  const stream = [
    {
      w: f64([
        [1, -2],
        [0.5, 3],
      ]),
      b: f64([0.1, 0.2, -0.3]),
    },
    {
      w: f64([
        [-1, 0.5],
        [2, 1],
      ]),
      b: f64([1, -0.5, 0.25]),
    },
    {
      w: f64([
        [0.3, 0.3],
        [-0.2, 4],
      ]),
      b: f64([0, 2, -1]),
    },
  ];

  it('graft({ magnitude: A, direction: A }) ≡ A, exactly', () => {
    for (const granularity of ['tensor', 'global'] as const) {
      const expected = feed(adam({ lr: 0.01 }), params, stream).updates.map(valuesOf);
      const actual = feed(
        graft({ magnitude: adam({ lr: 0.01 }), direction: adam({ lr: 0.01 }) }, { granularity }),
        params,
        stream,
      ).updates.map(valuesOf);
      expect(actual).toEqual(expected);
    }
  });

  it("scaling the direction's learning rate leaves M#D unchanged", () => {
    for (const granularity of ['tensor', 'global'] as const) {
      const make = (lr: number) =>
        graft({ magnitude: adagrad({ lr: 0.1 }), direction: sgd({ lr, momentum: 0.9 }) }, { granularity });
      const reference = feed(make(0.1), params, stream).updates.map(valuesOf);
      for (const lr of [1e-4, 3, 250]) {
        // Only the rounding of ‖c·d‖ versus c·‖d‖ differs: a few float64 ulps.
        feed(make(lr), params, stream)
          .updates.map(valuesOf)
          .forEach((step, index) =>
            step.forEach((value, element) =>
              expect(Math.abs(value - reference[index]![element]!)).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(value))),
            ),
          );
      }
    }
  });

  it("each tensor's update norm equals M's ('tensor'), the global norm equals M's ('global')", () => {
    const magnitude = () => adagrad({ lr: 0.1 });
    const direction = () => sgd({ lr: 0.01, momentum: 0.9 });
    const magnitudes = feed(magnitude(), params, stream).updates;
    const perTensor = feed(graft({ magnitude: magnitude(), direction: direction() }), params, stream).updates;
    const global = feed(
      graft({ magnitude: magnitude(), direction: direction() }, { granularity: 'global' }),
      params,
      stream,
    ).updates;
    magnitudes.forEach((m, step) => {
      for (const key of ['w', 'b'] as const) {
        const expected = norm(valuesOf((m as Record<string, Tensor>)[key]!));
        expect(
          Math.abs(norm(valuesOf((perTensor[step] as Record<string, Tensor>)[key]!)) - expected),
        ).toBeLessThanOrEqual(1e-14 * expected);
      }
      expect(Math.abs(norm(valuesOf(global[step]!)) - norm(valuesOf(m))) / norm(valuesOf(m))).toBeLessThanOrEqual(
        1e-14,
      );
    });
  });

  it('keeps the direction of D and advances both parts on every step', () => {
    const magnitude = adam({ lr: 0.01 });
    const direction = trace({ decay: 0.9 });
    const { updates, state } = feed(graft({ magnitude, direction }), params, stream);
    const directions = feed(trace({ decay: 0.9 }), params, stream).updates;
    updates.forEach((update, step) => {
      // Parallel to D's update: u·d = ‖u‖‖d‖.
      const u = valuesOf(update).slice(0, 4);
      const d = valuesOf(directions[step]!).slice(0, 4);
      const dot = u.reduce((total, x, index) => total + x * d[index]!, 0);
      expect(Math.abs(dot - norm(u) * norm(d))).toBeLessThanOrEqual(1e-12 * norm(u) * norm(d));
    });
    expect((state.magnitude as { adam: { count: number } }).adam.count).toBe(3);
    expect((state.direction as { count: number }).count).toBe(3);
  });

  it('a zero direction gives a zero step (official zero handling); eps gives Algorithm 2', () => {
    const zeroDirection: GradientTransformation<Record<string, never>> = {
      init: () => ({}),
      update: (u, s) => [tree.map((x: Tensor) => x.mul(0), u), s],
    };
    const { updates, state } = feed(
      graft({ magnitude: sgd({ lr: 1 }), direction: zeroDirection }),
      params,
      stream.slice(0, 1),
    );
    expect(valuesOf(updates[0]!).every((value) => value === 0)).toBe(true);
    expect(valuesOf(state.multiplier)).toEqual([0, 0]);
    // A zero block next to a non-zero one under 'tensor': only the zero block is zero.
    const mixed = {
      w: f64([
        [0, 0],
        [0, 0],
      ]),
      b: f64([1, 2, 2]),
    };
    const doubled = graft({
      magnitude: chain(identity(), scaleByLearningRate(2, { flipSign: false })),
      direction: identity(),
    });
    const [out] = doubled.update(mixed, doubled.init(params), params);
    expect(valuesOf(out)).toEqual([0, 0, 0, 0, 2, 4, 4]);
    // Paper form: ‖m‖/(‖d‖ + ε)·d with ‖m‖ = 2·3, ‖d‖ = 3.
    const withEps = graft(
      { magnitude: chain(identity(), scaleByLearningRate(2, { flipSign: false })), direction: identity() },
      { eps: 1 },
    );
    const [paperOut] = withEps.update(mixed, withEps.init(params), params);
    valuesOf(paperOut)
      .slice(4)
      .forEach((value, index) => expect(value).toBeCloseTo((6 / 4) * [1, 2, 2][index]!, 15));
  });

  it('does not leak in a training loop', () => {
    const optimizer = graft(
      { magnitude: adam({ lr: 0.01 }), direction: sgd({ lr: 0.1, momentum: 0.9 }) },
      { granularity: 'global' },
    );
    let state = optimizer.init(params);
    const step = () => {
      const grads = {
        w: f64([
          [1, 2],
          [3, 4],
        ]),
        b: f64([1, 0, -1]),
      };
      const [updates, next] = optimizer.update(grads, state, params);
      disposeReplaced([state, grads, updates], [next, params]);
      state = next;
    };
    step();
    const before = memory().numTensors;
    for (let index = 0; index < 5; index++) step();
    expect(memory().numTensors).toBe(before);
  });

  it('names the function, the option and the value in errors', () => {
    expect(() => graft({ magnitude: sgd(), direction: sgd() }, { granularity: 'layer' as 'tensor' })).toThrow(
      "graft: 'granularity' must be 'tensor' or 'global', got \"layer\"",
    );
    expect(() => graft({ magnitude: sgd(), direction: sgd() }, { eps: 0 })).toThrow(
      "graft: 'eps' must be a finite number > 0, got 0",
    );
    expect(() => graft({ magnitude: sgd(), direction: 3 as never })).toThrow(
      "graft: 'direction' must be a gradient transformation",
    );
    expect(() => graft({ magnitude: 'adam' as never, direction: sgd() })).toThrow(
      "graftMagnitude: 'name' must be 'sgd', 'adagrad', 'rmsprop', 'rmspropNormalized', 'sqrtN' or 'adagradNormalized', got \"adam\"",
    );
  });
});
