/**
 * Benchmark: one step of every optimizer of `OPTIMIZER_REGISTRY` (and Nesterov SGD and centered
 * RMSprop) over 10M float32 parameters, against a hand-fused Float32Array loop of the same
 * update that changes parameters and state in place (the floor: no allocation, one pass where
 * the method allows, two where it needs a norm first).
 *
 * Vane's step is `update` + `applyUpdates` + `disposeReplaced`, the pure functional API (fresh
 * parameter and state tensors every step). Each optimizer and its loop run interleaved, one step
 * of each per round in alternating order, so a change in machine load hits both alike; the
 * ratio is the median of the per-round ratios. lr 1e-3 and each optimizer's default options; three leaves (40%, 40%,
 * 20% of the parameters), as a model has several parameter tensors.
 *
 * With `--fusion`, it times instead what composition saves: each producer chained with
 * decoupled weight decay and a learning rate, as built (one composed kernel after the state
 * update) against the same chain with the producer's composition point (`finalKernel`) hidden (the producer's
 * kernel, then the decay/learning-rate pass), interleaved the same way. Both give the same bits.
 *
 * Run: npm run bench:optimizers, or
 *   npx tsx --conditions=@vane/source benchmarks/src/optimizer-steps.ts [--size 10000000] [--repetitions 5] [--only adamw,sgd] [--fusion]
 *   (through npm: npm run bench:optimizers -w benchmarks -- --fusion)
 */
import { loadavg } from 'node:os';
import { dispose, memory, randn, seed, type Tensor } from '@vane/tensor';
import {
  addDecayedWeights,
  applyUpdates,
  chain,
  disposeReplaced,
  OPTIMIZER_REGISTRY,
  rmsprop,
  scaleByAdamax,
  scaleByBelief,
  scaleByLearningRate,
  scaleByNadam,
  scaleByRadam,
  scaleByRms,
  scaleByRss,
  scaleBySign,
  sgd,
  trace,
  type GradientTransformation,
  type TensorTree,
} from '@vane/optim';

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const SIZE = Number(argument('size', '10000000'));
const REPETITIONS = Number(argument('repetitions', '5'));
const ONLY = argument('only', '')
  .split(',')
  .filter((name) => name !== '');
const WARMUP = 1;
const LR = 1e-3;
const LEAF_SIZES = [Math.floor(SIZE * 0.4), Math.floor(SIZE * 0.4), SIZE - 2 * Math.floor(SIZE * 0.4)];

/** One leaf's in-place step: parameters, gradients, the state arrays, the step number t (from 1). */
type LeafStep = (p: Float32Array, g: Float32Array, state: Float32Array[], t: number) => void;

/** A hand-fused loop: how many state arrays it keeps, their initial value, and its leaf step. */
interface Loop {
  states: number;
  initial?: number;
  step: LeafStep;
}

const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
const rms = (values: Float32Array) => {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return Math.sqrt(sum / values.length);
};
const norm = (values: Float32Array) => rms(values) * Math.sqrt(values.length);

function adamLoop(weightDecay: number, amsgrad: boolean): Loop {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  return {
    states: amsgrad ? 3 : 2,
    step: (p, g, [m, v, vMax], t) => {
      const c1 = 1 / (1 - b1 ** t);
      const c2 = 1 / Math.sqrt(1 - b2 ** t);
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
        let vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
        if (vMax) vi = vMax[i] = Math.max(vMax[i]!, vi);
        p[i] = p[i]! - LR * ((mi * c1) / (Math.sqrt(vi) * c2 + eps) + weightDecay * p[i]!);
      }
    },
  };
}

function momentumLoop(nesterov: boolean): Loop {
  const decay = 0.9;
  return {
    states: 1,
    step: (p, g, [b], t) => {
      for (let i = 0; i < p.length; i++) {
        const bi = (b[i] = t === 1 ? g[i]! : decay * b[i]! + g[i]!);
        p[i] = p[i]! - LR * (nesterov ? g[i]! + decay * bi : bi);
      }
    },
  };
}

function rmspropLoop(centered: boolean): Loop {
  const [alpha, eps] = [0.99, 1e-8];
  return {
    states: centered ? 2 : 1,
    step: (p, g, [v, mean]) => {
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const vi = (v[i] = alpha * v[i]! + (1 - alpha) * gi * gi);
        let variance = vi;
        if (mean) {
          const mi = (mean[i] = alpha * mean[i]! + (1 - alpha) * gi);
          variance = vi - mi * mi;
        }
        p[i] = p[i]! - (LR * gi) / (Math.sqrt(variance) + eps);
      }
    },
  };
}

const LOOPS: Record<string, Loop> = {
  sgd: momentumLoop(false),
  'sgd (nesterov)': momentumLoop(true),
  adam: adamLoop(0, false),
  adamw: adamLoop(0.01, false),
  amsgrad: adamLoop(0, true),
  adamax: {
    states: 2,
    step: (p, g, [m, u], t) => {
      const [b1, b2, eps] = [0.9, 0.999, 1e-8];
      const c = 1 / (1 - b1 ** t);
      for (let i = 0; i < p.length; i++) {
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * g[i]!);
        const ui = (u[i] = Math.max(b2 * u[i]!, Math.abs(g[i]!) + eps));
        p[i] = p[i]! - (LR * c * mi) / ui;
      }
    },
  },
  nadam: {
    states: 2,
    step: (p, g, [m, v], t) => {
      const [b1, b2, eps, psi] = [0.9, 0.999, 1e-8, 4e-3];
      // The product of the μ's, recomputed (the loop keeps no scalar state).
      let product = 1;
      for (let k = 1; k <= t; k++) product *= b1 * (1 - 0.5 * 0.96 ** (k * psi));
      const mu = b1 * (1 - 0.5 * 0.96 ** (t * psi));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
      const [gw, mw, c2] = [(1 - mu) / (1 - product), muNext / (1 - product * muNext), 1 - b2 ** t];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
        p[i] = p[i]! - (LR * (gw * gi + mw * mi)) / (Math.sqrt(vi / c2) + eps);
      }
    },
  },
  radam: {
    states: 2,
    step: (p, g, [m, v], t) => {
      const [b1, b2, eps] = [0.9, 0.999, 1e-8];
      const rhoInfinity = 2 / (1 - b2) - 1;
      const c1 = 1 / (1 - b1 ** t);
      const c2 = 1 - b2 ** t;
      const rho = rhoInfinity - (2 * t * b2 ** t) / c2;
      const r =
        rho > 5 ? Math.sqrt(((rho - 4) * (rho - 2) * rhoInfinity) / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho)) : 0;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
        p[i] = p[i]! - LR * (rho > 5 ? (mi * c1 * r) / (Math.sqrt(vi) / Math.sqrt(c2) + eps) : mi * c1);
      }
    },
  },
  adabelief: {
    states: 2,
    step: (p, g, [m, s], t) => {
      const [b1, b2, eps] = [0.9, 0.999, 1e-16];
      const [c1, c2] = [1 / (1 - b1 ** t), 1 / (1 - b2 ** t)];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
        const si = (s[i] = b2 * s[i]! + (1 - b2) * (gi - mi) * (gi - mi) + eps);
        p[i] = p[i]! - (LR * mi * c1) / (Math.sqrt(si * c2) + eps);
      }
    },
  },
  adagrad: {
    states: 1,
    step: (p, g, [sum]) => {
      for (let i = 0; i < p.length; i++) {
        const si = (sum[i] = sum[i]! + g[i]! * g[i]!);
        p[i] = p[i]! - (LR * g[i]!) / (Math.sqrt(si) + 1e-10);
      }
    },
  },
  adadelta: {
    states: 2,
    step: (p, g, [squaredGradients, squaredUpdates]) => {
      const [rho, eps] = [0.9, 1e-6];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const average = (squaredGradients[i] = rho * squaredGradients[i]! + (1 - rho) * gi * gi);
        const delta = (Math.sqrt(squaredUpdates[i]! + eps) / Math.sqrt(average + eps)) * gi;
        squaredUpdates[i] = rho * squaredUpdates[i]! + (1 - rho) * delta * delta;
        p[i] = p[i]! - LR * delta;
      }
    },
  },
  rmsprop: rmspropLoop(false),
  'rmsprop (centered)': rmspropLoop(true),
  rprop: {
    states: 2,
    initial: LR,
    step: (p, g, [step, previous]) => {
      // previous starts at LR here instead of 0: the loop's cost, not its first step, is the point.
      for (let i = 0; i < p.length; i++) {
        const product = g[i]! * previous[i]!;
        const size = (step[i] =
          product > 0 ? Math.min(step[i]! * 1.2, 50) : product < 0 ? Math.max(step[i]! * 0.5, 1e-6) : step[i]!);
        const kept = (previous[i] = product < 0 ? 0 : g[i]!);
        p[i] = p[i]! - size * sign(kept);
      }
    },
  },
  lion: {
    states: 1,
    step: (p, g, [m]) => {
      const [b1, b2, weightDecay] = [0.9, 0.99, 0];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        p[i] = p[i]! - LR * (sign(b1 * m[i]! + (1 - b1) * gi) + weightDecay * p[i]!);
        m[i] = b2 * m[i]! + (1 - b2) * gi;
      }
    },
  },
  signSgd: {
    states: 0,
    step: (p, g) => {
      for (let i = 0; i < p.length; i++) p[i] = p[i]! - LR * sign(g[i]!);
    },
  },
  signum: {
    states: 1,
    step: (p, g, [m]) => {
      for (let i = 0; i < p.length; i++) {
        const mi = (m[i] = 0.9 * m[i]! + 0.1 * g[i]!);
        p[i] = p[i]! - LR * sign(mi);
      }
    },
  },
  lamb: {
    states: 3,
    step: (p, g, [m, v, direction], t) => {
      const [b1, b2, eps, weightDecay] = [0.9, 0.999, 1e-6, 0];
      const c1 = 1 / (1 - b1 ** t);
      const c2 = 1 / Math.sqrt(1 - b2 ** t);
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
        direction[i] = (mi * c1) / (Math.sqrt(vi) * c2 + eps) + weightDecay * p[i]!;
      }
      const [parameterNorm, directionNorm] = [norm(p), norm(direction!)];
      const ratio = parameterNorm > 0 && directionNorm > 0 ? parameterNorm / directionNorm : 1;
      for (let i = 0; i < p.length; i++) p[i] = p[i]! - LR * ratio * direction![i]!;
    },
  },
  lars: {
    states: 1,
    step: (p, g, [b], t) => {
      const [momentum, weightDecay, trust] = [0.9, 0, 0.001];
      const [parameterNorm, gradientNorm] = [norm(p), norm(g)];
      const ratio =
        parameterNorm > 0 && gradientNorm > 0
          ? (trust * parameterNorm) / (gradientNorm + weightDecay * parameterNorm)
          : 1;
      for (let i = 0; i < p.length; i++) {
        const u = ratio * (g[i]! + weightDecay * p[i]!);
        const bi = (b[i] = t === 1 ? u : momentum * b[i]! + u);
        p[i] = p[i]! - LR * bi;
      }
    },
  },
  adafactor: {
    // One-dimensional leaves: the unfactored second moment, then the RMS clip and the parameter scale.
    states: 2,
    step: (p, g, [v, u], t) => {
      const decay = 1 - t ** -0.8;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const vi = (v[i] = decay * v[i]! + (1 - decay) * (gi * gi + 1e-30));
        u![i] = gi / Math.sqrt(vi);
      }
      const factor = (LR * Math.max(1e-3, rms(p))) / Math.max(1, rms(u!));
      for (let i = 0; i < p.length; i++) p[i] = p[i]! - factor * u![i]!;
    },
  },
};

/** The optimizers timed: the registry's, plus the two variants with their own kernels. */
const OPTIMIZERS: [string, () => GradientTransformation<unknown>][] = [
  ...Object.entries(OPTIMIZER_REGISTRY).map(([name, entry]): [string, () => GradientTransformation<unknown>] => [
    name,
    () =>
      (entry.factory as (options: object) => GradientTransformation<unknown>)(
        name === 'sgd' ? { lr: LR, momentum: 0.9 } : { lr: LR },
      ),
  ]),
  ['sgd (nesterov)', () => sgd({ lr: LR, momentum: 0.9, nesterov: true }) as GradientTransformation<unknown>],
  ['rmsprop (centered)', () => rmsprop({ lr: LR, centered: true }) as GradientTransformation<unknown>],
];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** A Vane optimizer's state and step (update + applyUpdates + disposeReplaced), on its own copy of the parameters. */
function vaneRunner(make: () => GradientTransformation<unknown>, name: string) {
  const random = seed(1);
  let params: TensorTree = LEAF_SIZES.map((size) => randn([size], { generator: random }));
  const grads: TensorTree = LEAF_SIZES.map((size) => randn([size], { generator: random }));
  const optimizer = make();
  let state = optimizer.init(params);
  const before = memory().numTensors;
  return {
    params: () => params as Tensor[],
    grads: () => grads as Tensor[],
    step: () => {
      const [updates, next] = optimizer.update(grads, state, params);
      const nextParams = applyUpdates(params, updates);
      disposeReplaced([params, state, updates], [nextParams, next, grads]);
      params = nextParams;
      state = next;
    },
    finish: () => {
      if (memory().numTensors !== before) throw new Error(`${name} leaked ${memory().numTensors - before} tensors`);
      dispose([params, state, grads]);
    },
  };
}

/** The time `step(round)` takes, in milliseconds. */
function timed(step: (round: number) => void, round: number): number {
  const start = performance.now();
  step(round);
  return performance.now() - start;
}

/**
 * Runs two steps interleaved (WARMUP untimed rounds, then REPETITIONS timed), the order
 * alternating from round to round: whichever runs first in a round was seen to take up to 25%
 * longer on the loaded machine. Returns both cells and the median of the per-round ratios.
 */
function interleave(first: (round: number) => void, second: (round: number) => void): string {
  const firstTimes: number[] = [];
  const secondTimes: number[] = [];
  for (let round = 0; round < WARMUP + REPETITIONS; round++) {
    let firstTime: number;
    let secondTime: number;
    if (round % 2 === 0) {
      firstTime = timed(first, round);
      secondTime = timed(second, round);
    } else {
      secondTime = timed(second, round);
      firstTime = timed(first, round);
    }
    if (round >= WARMUP) {
      firstTimes.push(firstTime);
      secondTimes.push(secondTime);
    }
  }
  const ratio = median(firstTimes.map((time, index) => time / secondTimes[index]!));
  const cell = (times: number[]) =>
    `${median(times).toFixed(0)} (${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)})`;
  return `${cell(firstTimes)} | ${cell(secondTimes)} | ${ratio.toFixed(2)}×`;
}

/** Times `name`'s Vane step and its loop, interleaved; returns the markdown row. */
function measure(name: string, make: () => GradientTransformation<unknown>, loop: Loop): string {
  const vane = vaneRunner(make, name);
  const loopParams = vane.params().map((leaf) => (leaf.dataSync() as Float32Array).slice());
  const loopGrads = vane.grads().map((leaf) => leaf.dataSync() as Float32Array);
  const loopStates = LEAF_SIZES.map((size) =>
    Array.from({ length: loop.states }, () => new Float32Array(size).fill(loop.initial ?? 0)),
  );
  const cells = interleave(vane.step, (round) =>
    loopParams.forEach((p, leaf) => loop.step(p, loopGrads[leaf]!, loopStates[leaf]!, round + 1)),
  );
  vane.finish();
  return `| ${name} | ${cells} |`;
}

/** The producers with a final kernel, each to be chained with decay and a learning rate. */
const PRODUCERS: [string, () => GradientTransformation<unknown>][] = [
  ['trace (momentum)', () => trace({ decay: 0.9 }) as GradientTransformation<unknown>],
  ['trace (nesterov)', () => trace({ decay: 0.9, nesterov: true }) as GradientTransformation<unknown>],
  ['scaleByRms', () => scaleByRms() as GradientTransformation<unknown>],
  ['scaleByRms (centered)', () => scaleByRms({ centered: true }) as GradientTransformation<unknown>],
  ['scaleByRss', () => scaleByRss() as GradientTransformation<unknown>],
  ['scaleByAdamax', () => scaleByAdamax() as GradientTransformation<unknown>],
  ['scaleByNadam', () => scaleByNadam() as GradientTransformation<unknown>],
  ['scaleByRadam', () => scaleByRadam() as GradientTransformation<unknown>],
  ['scaleByBelief', () => scaleByBelief() as GradientTransformation<unknown>],
  ['scaleBySign', () => scaleBySign() as GradientTransformation<unknown>],
];

/** `producer` without its composition point (`finalKernel`): `chain` runs its kernel, then the decay/learning-rate pass. */
const hidden = (producer: GradientTransformation<unknown>): GradientTransformation<unknown> => ({
  init: producer.init,
  update: producer.update,
});
const withDecayAndRate = (producer: GradientTransformation<unknown>) =>
  chain(producer, addDecayedWeights(0.01), scaleByLearningRate(LR)) as GradientTransformation<unknown>;

const loadBefore = loadavg();
const fusion = process.argv.includes('--fusion');
console.log(
  `${SIZE.toLocaleString('en')} float32 parameters, ${REPETITIONS} timed steps after ${WARMUP} warm-up; load average before: ${loadBefore.map((load) => load.toFixed(2)).join(', ')}`,
);
if (fusion) {
  console.log(
    '\n| chain(producer, addDecayedWeights, scaleByLearningRate) | composed, ms: median (min–max) | hooks hidden, ms | composed / hidden |\n| --- | --- | --- | --- |',
  );
  for (const [name, make] of PRODUCERS) {
    if (ONLY.length > 0 && !ONLY.includes(name)) continue;
    const composed = vaneRunner(() => withDecayAndRate(make()), name);
    const separate = vaneRunner(() => withDecayAndRate(hidden(make())), `${name} (hidden)`);
    console.log(`| ${name} | ${interleave(composed.step, separate.step)} |`);
    // In reverse order of creation: each leak check counts the tensors live when it was made.
    separate.finish();
    composed.finish();
  }
} else {
  console.log(
    '\n| optimizer | vane step, ms: median (min–max) | hand-fused loop, ms | vane / loop (median of per-step ratios) |\n| --- | --- | --- | --- |',
  );
  for (const [name, make] of OPTIMIZERS) {
    if (ONLY.length > 0 && !ONLY.includes(name)) continue;
    const loop = LOOPS[name];
    if (!loop) throw new Error(`optimizer-steps: no hand-fused loop for '${name}'`);
    console.log(measure(name, make, loop));
  }
}
console.log(
  `\nload average after: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(', ')}`,
);
