import { memory, tensor, tree, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { disposeReplaced } from '../apply-updates.js';
import { identity } from '../combinators/identity.js';
import { adabelief } from '../optimizers/adabelief.js';
import { adamw } from '../optimizers/adamw.js';
import { radam } from '../optimizers/radam.js';
import { sgd } from '../optimizers/sgd.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { active } from './active.js';
import { activeGains, activeSummary } from './active-inspection.js';
import { activeAdabelief, activeAdamw, activeRadam, activeSgd } from './active-optimizers.js';

const f64 = (values: number[]): Tensor => tensor(values, { dtype: 'float64' });
const valuesOf = (value: TensorTree): number[] =>
  tree.leaves(value).flatMap((leaf) => Array.from((leaf as Tensor).dataSync()));

/** Runs `optimizer` over per-step gradient trees with fixed params, returning updates and the last state. */
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

describe('active: the rule, element by element', () => {
  // Two elements over 3 periods of K = 2. Element 0 keeps its sign; element 1 flips every
  // period. Hand derivation with λ_high = 1, λ_low = 0.5: at t = 4 the sums are (3, −2) after
  // (3, 2) → gains (2, 0.5); at t = 6 sums (3, 2) after (3, −2) → gains (3, 0.25).
  const params = { w: f64([0, 0]) };
  const stream = [
    [1, 1],
    [2, 1],
    [1, -1],
    [2, -1],
    [1, 1],
    [2, 1],
    [1, 1],
  ].map((g) => ({ w: f64(g) }));

  it('adapts each element from its own period sums and applies the gain in force before the change', () => {
    const { updates, state } = feed(active(identity(), { period: 2, increase: 1, decrease: 0.5 }), params, stream);
    const gainsUsed = updates.map((u, step) =>
      valuesOf(u).map((value, index) => value / valuesOf(stream[step]!)[index]!),
    );
    expect(gainsUsed).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [2, 0.5],
      [2, 0.5],
      [3, 0.25],
    ]);
    expect(valuesOf(activeGains(state))).toEqual([3, 0.25]);
    expect(state.count).toBe(7);
    expect(state.gainChanges).toBe(2);
    expect(valuesOf(state.periodSum)).toEqual([1, 1]);
    expect(valuesOf(state.previousSum)).toEqual([3, 2]);
  });

  it("granularity 'tensor' uses the sign of ⟨c_prev, c⟩ per tensor", () => {
    // Inner products: t = 4: ⟨(3,2),(3,−2)⟩ = 5 > 0 → grow to 2; t = 6: ⟨(3,−2),(3,2)⟩ = 5 → 3.
    const { state, updates } = feed(
      active(identity(), { period: 2, increase: 1, decrease: 0.5, granularity: 'tensor' }),
      params,
      stream,
    );
    expect(valuesOf(activeGains(state))).toEqual([3, 3]);
    expect((activeGains(state) as { w: Tensor }).w.shape).toEqual([2]);
    expect(valuesOf(updates[6]!)).toEqual([3, 3]);
    const flipping = [
      [1, 0],
      [0, 1],
      [-1, 0],
      [0, -1],
      [1, 0],
      [0, 1],
    ].map((g) => ({ w: f64(g) }));
    // ⟨(1,1),(−1,−1)⟩ = −2 → 0.5; then ⟨(−1,−1),(1,1)⟩ → 0.25.
    expect(
      valuesOf(
        activeGains(
          feed(active(identity(), { period: 2, increase: 1, decrease: 0.5, granularity: 'tensor' }), params, flipping)
            .state,
        ),
      ),
    ).toEqual([0.25, 0.25]);
  });

  it('zeroIsFlip decides what a zero period sum does', () => {
    const zeroSecond = [[1], [1], [0], [0], [1], [1]].map((g) => ({ w: f64(g) }));
    const one = { w: f64([0]) };
    // t = 4: product 2·0 = 0 → flip by default (0.5), growth without zeroIsFlip (3);
    // t = 6: product 0·2 = 0 again → 0.25 and 5.
    expect(
      valuesOf(activeGains(feed(active(identity(), { period: 2, increase: 2, decrease: 0.5 }), one, zeroSecond).state)),
    ).toEqual([0.25]);
    expect(
      valuesOf(
        activeGains(
          feed(active(identity(), { period: 2, increase: 2, decrease: 0.5, zeroIsFlip: false }), one, zeroSecond).state,
        ),
      ),
    ).toEqual([5]);
  });

  it('minGain and maxGain clamp the gains', () => {
    const consistent = Array.from({ length: 10 }, () => ({ w: f64([1]) }));
    const alternating = Array.from({ length: 10 }, (_, t) => ({ w: f64([t % 2 === 0 ? 1 : -1]) }));
    const one = { w: f64([0]) };
    expect(valuesOf(activeGains(feed(active(identity(), { period: 1, maxGain: 5 }), one, consistent).state))).toEqual([
      5,
    ]);
    expect(
      valuesOf(activeGains(feed(active(identity(), { period: 1, minGain: 0.1 }), one, alternating).state)),
    ).toEqual([0.1]);
    // Without bounds: 1 + 9·2 = 19 and 0.5⁹.
    expect(valuesOf(activeGains(feed(active(identity(), { period: 1 }), one, consistent).state))).toEqual([19]);
    expect(valuesOf(activeGains(feed(active(identity(), { period: 1 }), one, alternating).state))).toEqual([0.5 ** 9]);
  });

  it('minGain and maxGain apply from step 0: the starting gain 1 is clamped too', () => {
    const gradients = Array.from({ length: 3 }, (_, t) => ({ w: f64([t + 1, -(t + 1)]) }));
    const two = { w: f64([0, 0]) };
    // Before the first gain change (t = 2K = 4) every update is the clamped starting gain times g.
    for (const [bounds, startGain] of [
      [{ minGain: 2 }, 2],
      [{ maxGain: 0.5 }, 0.5],
      [{ minGain: 0.1, maxGain: 10 }, 1],
    ] as const) {
      for (const granularity of ['element', 'tensor'] as const) {
        const { updates, state } = feed(active(identity(), { period: 2, granularity, ...bounds }), two, gradients);
        updates.forEach((update, step) =>
          expect(valuesOf(update)).toEqual(valuesOf(gradients[step]!).map((g) => startGain * g)),
        );
        expect(valuesOf(activeGains(state))).toEqual([startGain, startGain]);
      }
    }
    // The same through a base whose kernel folds the gain in: the first AdamW update is doubled.
    const params2 = { w: f64([0.5, -1]) };
    const plain = feed(adamw({ lr: 0.01, weightDecay: 0.1 }), params2, gradients);
    const floored = feed(active(adamw({ lr: 0.01, weightDecay: 0.1 }), { period: 2, minGain: 2 }), params2, gradients);
    floored.updates.forEach((update, step) =>
      valuesOf(update).forEach((value, index) =>
        expect(value).toBeCloseTo(2 * valuesOf(plain.updates[step]!)[index]!, 15),
      ),
    );
  });

  it('a NaN period sum leaves the gain unchanged at the two comparisons it takes part in', () => {
    // K = 1, λ_high = 2, λ_low = 0.5. Period sums 1, NaN, 1, 1, −1:
    // t = 2: 1·NaN → kept (1); t = 3: NaN·1 → kept (1); t = 4: 1·1 → 3; t = 5: 1·(−1) → 1.5.
    // (Before the fix a NaN counted as a flip: 0.5, 0.25, 2.25, 1.125. The authors'
    // `c_prev*c <= 0` grows on NaN: 3, 5, 7, 3.5.)
    const one = { w: f64([0]) };
    const sums = [1, Number.NaN, 1, 1, -1];
    const gainsAfter = (granularity: 'element' | 'tensor', zeroIsFlip: boolean) => {
      const optimizer = active(identity(), { period: 1, granularity, zeroIsFlip });
      let state = optimizer.init(one);
      const gains: number[] = [];
      const grew: number[] = [];
      for (const value of sums) {
        state = optimizer.update({ w: f64([value]) }, state, one)[1];
        gains.push(valuesOf(activeGains(state))[0]!);
        grew.push(activeSummary(state).grewFraction);
      }
      return { gains, grew };
    };
    for (const granularity of ['element', 'tensor'] as const) {
      for (const zeroIsFlip of [true, false]) {
        expect(gainsAfter(granularity, zeroIsFlip)).toEqual({ gains: [1, 1, 1, 3, 1.5], grew: [0, 0, 0, 1, 0] });
      }
    }
    // The same on float32 with 9 elements, so the compiled WebAssembly SIMD kernel (float32
    // only; f64x2 lanes plus a tail) runs the NaN test, not just the JavaScript loop.
    const nine = { w: tensor(new Array(9).fill(0), { dtype: 'float32' }) };
    const optimizer = active(identity(), { period: 1 });
    let state = optimizer.init(nine);
    const gains: number[][] = [];
    for (const value of sums) {
      state = optimizer.update({ w: tensor(new Array(9).fill(value), { dtype: 'float32' }) }, state, nine)[1];
      gains.push(valuesOf(activeGains(state)));
    }
    expect(gains).toEqual([1, 1, 1, 3, 1.5].map((gain) => new Array(9).fill(gain)));
    // ∞·0 is NaN as well: kept, where a finite zero product would count as a flip.
    const infinite = feed(active(identity(), { period: 1 }), one, [
      { w: f64([Number.POSITIVE_INFINITY]) },
      { w: f64([0]) },
    ]).state;
    expect(valuesOf(activeGains(infinite))).toEqual([1]);
    // Per tensor: one NaN element makes the inner product NaN, so the tensor's gain is kept.
    const pair = { w: f64([0, 0]) };
    const perTensor = feed(active(identity(), { period: 1, granularity: 'tensor' }), pair, [
      { w: f64([1, 1]) },
      { w: f64([1, Number.NaN]) },
    ]).state;
    expect(valuesOf(activeGains(perTensor))).toEqual([1, 1]);
  });

  it("signal 'update' compares the base's updates, 'gradient' the raw gradients", () => {
    // The base negates every other update, so its updates flip sign every step while the raw
    // gradients (all +1) never do.
    const negateOdd: GradientTransformation<{ count: number }> = {
      init: () => ({ count: 0 }),
      update: (updates, state) => [
        state.count % 2 === 0 ? updates : tree.map((u: Tensor) => u.neg(), updates),
        { count: state.count + 1 },
      ],
    };
    const ones = Array.from({ length: 5 }, () => ({ w: f64([1]) }));
    const one = { w: f64([0]) };
    expect(valuesOf(activeGains(feed(active(negateOdd, { period: 1, signal: 'gradient' }), one, ones).state))).toEqual([
      9,
    ]);
    expect(valuesOf(activeGains(feed(active(negateOdd, { period: 1, signal: 'update' }), one, ones).state))).toEqual([
      0.5 ** 4,
    ]);
  });

  it('equals its base exactly for the first 2K steps, and scales weight decay and learning rate with the gain', () => {
    const base = () => adamw({ lr: 0.01, weightDecay: 0.1 });
    const params2 = { w: f64([0.5, -1]) };
    const stream2 = [
      [1, 2],
      [0.5, -1],
      [2, 3],
      [1, 1],
      [1, -2],
      [3, 1],
    ].map((g) => ({ w: f64(g) }));
    const plain = feed(base(), params2, stream2);
    const wrapped = feed(active(base(), { period: 2 }), params2, stream2);
    for (let step = 0; step < 4; step++)
      expect(valuesOf(wrapped.updates[step]!)).toEqual(valuesOf(plain.updates[step]!));
    // Steps 5–6 use the gains set at t = 4 (element 0: sums 1.5 then 3 agree → 3; element 1:
    // 1 then 4 agree → 3): the whole adamw update, decay included, is tripled.
    for (let step = 4; step < 6; step++) {
      valuesOf(wrapped.updates[step]!).forEach((value, index) =>
        expect(value).toBeCloseTo(3 * valuesOf(plain.updates[step]!)[index]!, 15),
      );
    }
  });

  it('summarises the gains', () => {
    const params3 = { a: f64([0, 0, 0]), b: f64([0]) };
    const stream3 = [
      { a: f64([1, 1, 1]), b: f64([1]) },
      { a: f64([1, -1, 1]), b: f64([-1]) },
    ];
    const { state } = feed(active(identity(), { period: 1, increase: 1, decrease: 0.5 }), params3, stream3);
    // Gains after t = 2: a = (2, 0.5, 2), b = 0.5.
    expect(activeSummary(state)).toEqual({
      min: 0.5,
      max: 2,
      mean: 5 / 4,
      grewFraction: 2 / 4,
      gainChanges: 1,
      elements: 4,
    });
    const fresh = active(identity(), { period: 3 }).init(params3);
    expect(activeSummary(fresh)).toEqual({ min: 1, max: 1, mean: 1, grewFraction: 0, gainChanges: 0, elements: 4 });
    const perTensor = feed(
      active(identity(), { period: 1, increase: 1, decrease: 0.5, granularity: 'tensor' }),
      params3,
      stream3,
    ).state;
    // ⟨(1,1,1),(1,−1,1)⟩ = 1 > 0 → a grows to 2 (3 elements); b flips to 0.5.
    expect(activeSummary(perTensor)).toEqual({
      min: 0.5,
      max: 2,
      mean: (3 * 2 + 0.5) / 4,
      grewFraction: 3 / 4,
      gainChanges: 1,
      elements: 4,
    });
  });

  it('does not leak: a training loop keeps the live tensor count constant', () => {
    const optimizer = active(sgd({ lr: 0.1, momentum: 0.9 }), { period: 2 });
    const params4 = { w: f64([1, 2]) };
    let state = optimizer.init(params4);
    const run = (steps: number) => {
      for (let step = 0; step < steps; step++) {
        const grads = { w: f64([step % 3 === 0 ? -1 : 1, 0.5]) };
        const [updates, next] = optimizer.update(grads, state, params4);
        disposeReplaced([state, grads, updates], [next, params4]);
        state = next;
      }
    };
    run(6);
    const before = memory().numTensors;
    run(8);
    expect(memory().numTensors).toBe(before);
  });
});

describe('active: option errors name the function, the option and the value', () => {
  const base = identity();
  it.each([
    [{ period: 0 }, "active: 'period' must be a positive integer, got 0"],
    [{ period: 1.5 }, "active: 'period' must be a positive integer, got 1.5"],
    [{ period: 2, increase: -1 }, "active: 'increase' must be a finite number ≥ 0, got -1"],
    [{ period: 2, decrease: 0 }, "active: 'decrease' must be a finite number > 0, got 0"],
    [{ period: 2, minGain: 3, maxGain: 2 }, "active: 'maxGain' must be ≥ 'minGain' (3), got 2"],
    [{ period: 2, granularity: 'layer' }, "active: 'granularity' must be 'element' or 'tensor', got \"layer\""],
    [{ period: 2, signal: 'loss' }, "active: 'signal' must be 'gradient' or 'update', got \"loss\""],
    [{ period: 2, stepSize: 3 }, "active: unknown option 'stepSize'"],
  ])('%j', (options, message) => {
    expect(() => active(base, options as never)).toThrow(message);
  });
  it('rejects a base that is not a transformation', () => {
    expect(() => active({} as never, { period: 1 })).toThrow("active: 'base' must be a gradient transformation");
  });
});

describe('the Active aliases are active(base) with the options split', () => {
  const params = { w: f64([0.5, -1]) };
  const stream = [
    [1, 2],
    [0.5, -1],
    [2, 3],
    [1, 1],
    [1, -2],
    [3, 1],
    [-1, 0.5],
  ].map((g) => ({ w: f64(g) }));
  it.each([
    [
      'activeSgd',
      () => activeSgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01, period: 2, increase: 1 }),
      () => active(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 }), { period: 2, increase: 1 }),
    ],
    [
      'activeAdamw',
      () => activeAdamw({ lr: 0.01, period: 2, decrease: 0.25 }),
      () => active(adamw({ lr: 0.01 }), { period: 2, decrease: 0.25 }),
    ],
    [
      'activeRadam',
      () => activeRadam({ lr: 0.01, period: 1, maxGain: 4 }),
      () => active(radam({ lr: 0.01 }), { period: 1, maxGain: 4 }),
    ],
    [
      'activeAdabelief',
      () => activeAdabelief({ lr: 0.01, period: 1, granularity: 'tensor' }),
      () => active(adabelief({ lr: 0.01 }), { period: 1, granularity: 'tensor' }),
    ],
  ] as [string, () => GradientTransformation<unknown>, () => GradientTransformation<unknown>][])(
    '%s',
    (_name, alias, explicit) => {
      expect(feed(alias(), params, stream).updates.map(valuesOf)).toEqual(
        feed(explicit(), params, stream).updates.map(valuesOf),
      );
    },
  );
  it('rejects base options the base does not know, naming the base', () => {
    expect(() => activeAdamw({ lr: 0.01, period: 2, momentum: 0.9 } as never)).toThrow(
      "adamw: unknown option 'momentum'",
    );
    expect(() => activeSgd({ lr: 0.01 } as never)).toThrow(
      "active: 'period' must be a positive integer, got undefined",
    );
  });
});
