import { tensor, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../apply-updates.js';
import { adabelief } from '../optimizers/adabelief.js';
import { radam } from '../optimizers/radam.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { activeSummary } from './active-inspection.js';
import { activeAdabelief, activeAdamw, activeRadam } from './active-optimizers.js';

// The options that reproduce the ActiveLR authors' code (github.com/davoodwadi/active-lr,
// optimizers/*.py, commit b951d7be), each checked against a float64 reference written here from
// those files' formulas, element by element in plain numbers, independent of Vane's chain code.

const start = [0.5, -1, 2];
// Gradients whose epoch sums keep, flip and zero their sign, so the gains change (K = 2).
const stream = [
  [1, 2, -1],
  [0.5, -1, -0.5],
  [2, 3, 1],
  [1, 1, -2],
  [1, -2, 0.5],
  [3, 1, 1],
  [-1, 0.5, 2],
  [0.5, 0.5, -1],
  [2, -1, 1],
  [1, 2, 1],
  [-0.5, 1, 3],
  [1, -1, 0.5],
];
const period = 2;
const increase = 2;
const decrease = 0.5;

/** Runs an optimizer over the stream from `start` and returns the parameters after every step. */
function trajectory<S>(optimizer: GradientTransformation<S>): number[][] {
  let params: TensorTree = { w: tensor(start, { dtype: 'float64' }) };
  let state = optimizer.init(params);
  const out: number[][] = [];
  for (const gradient of stream) {
    const [updates, next] = optimizer.update({ w: tensor(gradient, { dtype: 'float64' }) }, state, params);
    params = applyUpdates(params, updates);
    state = next;
    out.push(Array.from((params as { w: Tensor }).w.dataSync()));
  }
  return out;
}

/** The authors' gain rule for one element, per step: returns the gain to use next. */
class AuthorsGain {
  gain = 1;
  private sum = 0;
  private previous = 0;
  constructor(private readonly adapt: boolean) {}
  /** Called once per step after the parameter update, as in the files' step(): `step` from 1. */
  endOfStep(step: number): void {
    if (!this.adapt) return;
    if (step / period > 1 && step % period === 0)
      this.gain = this.previous * this.sum <= 0 ? this.gain * decrease : this.gain + increase;
    if (step % period === 0) {
      this.previous = this.sum;
      this.sum = 0;
    }
  }
  accumulate(gradient: number): void {
    this.sum += gradient;
  }
}

const expectClose = (actual: number[][], expected: number[][]): void => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, step) =>
    row.forEach((value, index) =>
      expect(Math.abs(value - expected[step]![index]!)).toBeLessThanOrEqual(
        1e-13 * Math.max(1, Math.abs(expected[step]![index]!)),
      ),
    ),
  );
};

/** ActiveRAdam.py (weight decay 0): the update uses m_{t−1}, v_{t−1}, the step size uses t. */
function authorsRadam(lr: number, adapt: boolean): number[][] {
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  return start
    .map((theta0, i) => {
      let [theta, m, v] = [theta0, 0, 0];
      const gain = new AuthorsGain(adapt);
      const path: number[] = [];
      stream.forEach((row, index) => {
        const step = index + 1;
        const g = row[i]!;
        gain.accumulate(g);
        const [previousM, previousV] = [m, v];
        m = beta1 * m + (1 - beta1) * g;
        v = beta2 * v + (1 - beta2) * g * g;
        const beta2t = beta2 ** step;
        const rhoMax = 2 / (1 - beta2) - 1;
        const rho = rhoMax - (2 * step * beta2t) / (1 - beta2t);
        if (rho >= 5) {
          const stepSize =
            (lr *
              Math.sqrt((((((1 - beta2t) * (rho - 4)) / (rhoMax - 4)) * (rho - 2)) / rho) * (rhoMax / (rhoMax - 2)))) /
            (1 - beta1 ** step);
          theta -= stepSize * gain.gain * (previousM / (Math.sqrt(previousV) + eps));
        } else {
          theta -= (lr / (1 - beta1 ** step)) * gain.gain * previousM;
        }
        gain.endOfStep(step);
        path.push(theta);
      });
      return path;
    })
    .reduce<number[][]>((rows, path, i) => (path.forEach((value, step) => ((rows[step] ??= [])[i] = value)), rows), []);
}

/** ActiveBelief.py: decoupled (θ(1 − ηλ)) or L2 decay, s += ε in place, optional rectification (ρ_t > 4). */
function authorsBelief(
  lr: number,
  weightDecay: number,
  decoupled: boolean,
  rectify: boolean,
  adapt: boolean,
): number[][] {
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const rhoInfinity = 2 / (1 - beta2) - 1;
  return start
    .map((theta0, i) => {
      let [theta, m, s] = [theta0, 0, 0];
      const gain = new AuthorsGain(adapt);
      const path: number[] = [];
      stream.forEach((row, index) => {
        const step = index + 1;
        let g = row[i]!;
        gain.accumulate(g);
        const [correction1, correction2] = [1 - beta1 ** step, 1 - beta2 ** step];
        if (decoupled) theta *= 1 - lr * weightDecay;
        else g += weightDecay * theta;
        m = beta1 * m + (1 - beta1) * g;
        s = beta2 * s + (1 - beta2) * (g - m) * (g - m);
        s += eps;
        const denominator = Math.sqrt(s) / Math.sqrt(correction2) + eps;
        if (!rectify) theta -= (lr / correction1) * gain.gain * (m / denominator);
        else {
          const rho = rhoInfinity - (2 * step * beta2 ** step) / (1 - beta2 ** step);
          if (rho > 4) {
            const rt = Math.sqrt(((rho - 4) * (rho - 2) * rhoInfinity) / (rhoInfinity - 4) / (rhoInfinity - 2) / rho);
            theta -= ((rt * lr) / correction1) * gain.gain * (m / denominator);
          } else theta -= lr * gain.gain * m;
        }
        gain.endOfStep(step);
        path.push(theta);
      });
      return path;
    })
    .reduce<number[][]>((rows, path, i) => (path.forEach((value, step) => ((rows[step] ??= [])[i] = value)), rows), []);
}

/** The released ActiveAdam.py (delr false): θ(1 − ηλ) unscaled, then θ −= η·a·m̂/(√v̂ + ε). */
function authorsAdamw(lr: number, weightDecay: number): number[][] {
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  return start
    .map((theta0, i) => {
      let [theta, m, v] = [theta0, 0, 0];
      const gain = new AuthorsGain(true);
      const path: number[] = [];
      stream.forEach((row, index) => {
        const step = index + 1;
        const g = row[i]!;
        gain.accumulate(g);
        theta *= 1 - lr * weightDecay;
        m = beta1 * m + (1 - beta1) * g;
        v = beta2 * v + (1 - beta2) * g * g;
        theta -= lr * gain.gain * (m / (1 - beta1 ** step) / (Math.sqrt(v / (1 - beta2 ** step)) + eps));
        gain.endOfStep(step);
        path.push(theta);
      });
      return path;
    })
    .reduce<number[][]>((rows, path, i) => (path.forEach((value, step) => ((rows[step] ??= [])[i] = value)), rows), []);
}

describe("RAdam's one-step lag (laggedMoments), as the authors' ActiveRAdam.py", () => {
  it('radam({ laggedMoments: true }) follows the reference; its first update is 0', () => {
    const path = trajectory(radam({ lr: 0.1, laggedMoments: true }));
    expect(path[0]).toEqual(start);
    expectClose(path, authorsRadam(0.1, false));
    // The lag matters: standard RAdam moves at step 1.
    expect(trajectory(radam({ lr: 0.1 }))[0]).not.toEqual(start);
  });

  it('activeRadam({ laggedMoments: true }) follows the reference with the gain', () => {
    expectClose(
      trajectory(activeRadam({ lr: 0.1, laggedMoments: true, period, increase, decrease })),
      authorsRadam(0.1, true),
    );
  });
});

describe("AdaBelief's rectify and decoupledWeightDecay (weight_decouple), as the authors' ActiveBelief.py", () => {
  it.each([
    ['decoupled, not rectified', true, false],
    ['decoupled, rectified', true, true],
    ['L2, not rectified', false, false],
    ['L2, rectified', false, true],
  ] as const)('%s', (_label, decoupled, rectify) => {
    const options = { lr: 0.05, eps: 1e-8, weightDecay: 0.1, decoupledWeightDecay: decoupled, rectify };
    expectClose(trajectory(adabelief(options)), authorsBelief(0.05, 0.1, decoupled, rectify, false));
    // With the gain: Vane's active scales a decoupled decay by the gain, the release does not
    // (ActiveBelief.py decays θ(1 − ηλ) unscaled), so the decoupled case is compared without decay.
    const decay = decoupled ? 0 : 0.1;
    expectClose(
      trajectory(activeAdabelief({ ...options, weightDecay: decay, period, increase, decrease })),
      authorsBelief(0.05, decay, decoupled, rectify, true),
    );
  });

  it('rectification really switches branch inside the run (ρ_t crosses 4 at t = 5)', () => {
    const rho = (t: number) => 2 / (1 - 0.999) - 1 - (2 * t * 0.999 ** t) / (1 - 0.999 ** t);
    expect(rho(4)).toBeLessThanOrEqual(4);
    expect(rho(5)).toBeGreaterThan(4);
    expect(trajectory(adabelief({ lr: 0.05, eps: 1e-8, rectify: true }))).not.toEqual(
      trajectory(adabelief({ lr: 0.05, eps: 1e-8 })),
    );
  });

  it('rejects a non-boolean flag, naming the optimizer', () => {
    expect(() => adabelief({ rectify: 1 as never })).toThrow(/adabelief: 'rectify'/);
    expect(() => adabelief({ decoupledWeightDecay: 'yes' as never })).toThrow(/adabelief: 'decoupledWeightDecay'/);
    expect(() => radam({ laggedMoments: 0 as never })).toThrow(/radam: 'laggedMoments'/);
  });
});

describe("ActiveAdamW's unscaled decoupled weight decay (gainScalesWeightDecay: false), as the released ActiveAdam.py", () => {
  it('follows the reference, and differs from the gain-scaled decay once the gains move', () => {
    const released = activeAdamw({
      lr: 0.05,
      weightDecay: 0.1,
      gainScalesWeightDecay: false,
      period,
      increase,
      decrease,
    });
    expectClose(trajectory(released), authorsAdamw(0.05, 0.1));
    const scaled = trajectory(activeAdamw({ lr: 0.05, weightDecay: 0.1, period, increase, decrease }));
    const unscaled = trajectory(released);
    // Equal while every gain is 1 (the first 2K = 4 steps), apart after.
    expectClose(unscaled.slice(0, 4), scaled.slice(0, 4));
    expect(Math.max(...unscaled[11]!.map((value, index) => Math.abs(value - scaled[11]![index]!)))).toBeGreaterThan(
      1e-4,
    );
  });

  it('keeps its active state under state.adam, readable with activeSummary', () => {
    const optimizer = activeAdamw({ lr: 0.05, gainScalesWeightDecay: false, period: 1 });
    const params = { w: tensor([1, 2], { dtype: 'float64' }) };
    let state = optimizer.init(params);
    for (const g of [
      [1, 1],
      [1, -1],
    ])
      state = optimizer.update({ w: tensor(g, { dtype: 'float64' }) }, state, params)[1];
    expect(activeSummary(state.adam)).toMatchObject({ min: 0.5, max: 3, gainChanges: 1 });
    expect(() => activeAdamw({ period: 1, gainScalesWeightDecay: 'no' as never })).toThrow(
      /activeAdamw: 'gainScalesWeightDecay'/,
    );
  });
});
