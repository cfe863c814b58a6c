/**
 * The cost of ActiveLR on top of its base: one `active(adamw)` optimizer step against one
 * `adamw` step on 10M float32 parameters (update + applyUpdates + freeing the old tensors).
 *
 * Run: `npx tsx --conditions=@vane/source benchmarks/src/active-overhead.ts` (optional: STEPS=<timed steps per optimizer>,
 * PERIOD=<active period>, ONE_CALL=1 to time `updateAndApply` instead of update + applyUpdates,
 * OLD_OPTIM=<another tree's packages/optim/src/index.ts> to time that tree's `active(adamw)` alongside,
 * in the same alternation: a before/after of two code versions in one process).
 *
 * Method: both optimizers are warmed up past ActiveLR's first gain change (t > 2K, so the gains
 * really multiply), then timed in alternating blocks of steps so that machine noise hits both
 * alike. Each step is timed alone; the report gives the median and the interquartile range per
 * optimizer, the ratio of medians (a typical step) and the ratio of means (which includes the
 * extra work at each period end, once every K steps).
 */
import { memory, randn, seed } from '@vane/tensor';
import * as optim from '@vane/optim';
import {
  active,
  adamw,
  applyUpdates,
  disposeReplaced,
  updateAndApply,
  type GradientTransformation,
  type TensorTree,
} from '@vane/optim';

const PARAMETER_SHAPES: [number, number][] = [
  [4000, 2000],
  [2000, 1000],
]; // 8M + 2M = 10M parameters
const TIMED_STEPS = Number(process.env.STEPS ?? 60);
const PERIOD = Number(process.env.PERIOD ?? 20);
const BLOCK = 5;
const ONE_CALL = process.env.ONE_CALL === '1';
const OLD_OPTIM = process.env.OLD_OPTIM;

interface Runner {
  name: string;
  optimizer: GradientTransformation<unknown>;
  params: TensorTree;
  state: unknown;
  times: number[];
  cpuTimes: number[];
  /** The `updateAndApply` of the tree the optimizer comes from (ONE_CALL). */
  apply: typeof updateAndApply;
}

function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

function summary(times: number[]): { median: number; q1: number; q3: number; mean: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
  };
}

function step(runner: Runner, grads: TensorTree): [number, number] {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let nextParams: TensorTree;
  let next: unknown;
  if (ONE_CALL) {
    [nextParams, next] = runner.apply(runner.optimizer, grads, runner.state, runner.params);
    disposeReplaced([runner.params, runner.state], [nextParams, next, grads]);
  } else {
    let updates: TensorTree;
    [updates, next] = runner.optimizer.update(grads, runner.state, runner.params);
    nextParams = applyUpdates(runner.params, updates);
    disposeReplaced([runner.params, runner.state, updates], [nextParams, next, grads]);
  }
  const cpu = process.cpuUsage(cpuStart);
  const elapsed = performance.now() - start;
  runner.params = nextParams;
  runner.state = next;
  return [elapsed, (cpu.user + cpu.system) / 1000];
}

/** `base` with its composition point (`finalKernel`) hidden, so wrappers take their unfused path. */
function withoutFusion(base: GradientTransformation<unknown>): GradientTransformation<unknown> {
  return {
    init: (params) => base.init(params),
    update: (updates, state, params, extras) => base.update(updates, state, params, extras),
  };
}

async function main(): Promise<void> {
  const generator = seed(1);
  const makeParams = (): TensorTree => ({
    layers: PARAMETER_SHAPES.map((shape) => randn(shape, { generator, std: 0.02 })),
  });
  // A few fixed gradient trees reused in turn: different signs from step to step, so gains both
  // grow and shrink; creating fresh random gradients would dominate the timing.
  const gradients: TensorTree[] = Array.from({ length: 3 }, () => ({
    layers: PARAMETER_SHAPES.map((shape) => randn(shape, { generator })),
  }));
  const parameterCount = PARAMETER_SHAPES.reduce((total, [rows, columns]) => total + rows * columns, 0);

  const runners: Runner[] = [
    {
      name: 'adamw',
      optimizer: adamw({ lr: 1e-3 }) as GradientTransformation<unknown>,
      params: makeParams(),
      state: undefined,
      times: [],
      cpuTimes: [],
      apply: updateAndApply,
    },
    {
      name: `active(adamw), period ${PERIOD}`,
      optimizer: active(adamw({ lr: 1e-3 }), { period: PERIOD }) as GradientTransformation<unknown>,
      params: makeParams(),
      state: undefined,
      times: [],
      cpuTimes: [],
      apply: updateAndApply,
    },
    // The same optimizer with the base's composition point (`finalKernel`) hidden: the gain takes its own pass, as
    // before the gain was folded into AdamW's last kernel. Timed alongside for a fair before/after.
    {
      name: 'active(adamw), gain unfused',
      optimizer: active(withoutFusion(adamw({ lr: 1e-3 })), { period: PERIOD }),
      params: makeParams(),
      state: undefined,
      times: [],
      cpuTimes: [],
      apply: updateAndApply,
    },
  ];
  if (OLD_OPTIM !== undefined) {
    // Loaded by file path, so its own files are that tree's; `@vane/tensor` is the one this process uses.
    const old = (await import(OLD_OPTIM)) as typeof optim;
    runners.push({
      name: 'active(adamw), old tree',
      optimizer: old.active(old.adamw({ lr: 1e-3 }), { period: PERIOD }) as GradientTransformation<unknown>,
      params: makeParams(),
      state: undefined,
      times: [],
      cpuTimes: [],
      apply: old.updateAndApply,
    });
  }
  for (const runner of runners) runner.state = runner.optimizer.init(runner.params);

  let gradientIndex = 0;
  const nextGradients = () => gradients[gradientIndex++ % gradients.length]!;
  // Warm-up: past t = 2K for active (gains in use), and the JIT for both.
  const warmup = 2 * PERIOD + 3;
  for (let index = 0; index < warmup; index++) {
    const grads = nextGradients();
    for (const runner of runners) step(runner, grads);
  }
  const before = memory().numTensors;
  for (let done = 0; done < TIMED_STEPS; done += BLOCK) {
    for (const runner of runners) {
      for (let index = 0; index < BLOCK; index++) {
        const [wall, cpu] = step(runner, gradients[(done + index) % gradients.length]!);
        runner.times.push(wall);
        runner.cpuTimes.push(cpu);
      }
    }
  }
  const leaked = memory().numTensors - before;

  console.log(
    `active overhead: ${parameterCount.toLocaleString('en-US')} float32 parameters, ${TIMED_STEPS} timed steps each (alternating blocks of ${BLOCK}), ${ONE_CALL ? 'updateAndApply' : 'update + applyUpdates'}, Node ${process.version}`,
  );
  for (const [label, pick] of [
    ['wall-clock', (runner: Runner) => runner.times],
    ['CPU time of this process (less sensitive to other jobs on the machine)', (runner: Runner) => runner.cpuTimes],
  ] as const) {
    console.log(` ${label}:`);
    const stats = runners.map((runner) => ({ name: runner.name, ...summary(pick(runner)) }));
    for (const stat of stats) {
      console.log(
        `  ${stat.name.padEnd(28)} median ${stat.median.toFixed(1)} ms (IQR ${stat.q1.toFixed(1)}–${stat.q3.toFixed(1)}), mean ${stat.mean.toFixed(1)} ms`,
      );
    }
    const base = stats[0]!;
    for (const wrapped of stats.slice(1)) {
      const spread = (wrapped.q3 - wrapped.q1) / wrapped.median + (base.q3 - base.q1) / base.median;
      console.log(
        `  ${wrapped.name} / adamw: ratio of medians ${(wrapped.median / base.median).toFixed(3)}× (±${((spread / 2) * (wrapped.median / base.median)).toFixed(3)} from the IQRs), ratio of means (period ends included) ${(wrapped.mean / base.mean).toFixed(3)}×`,
      );
    }
  }
  console.log(`  live tensors after vs before the timed steps: ${leaked >= 0 ? '+' : ''}${leaked}`);
  for (const runner of runners) disposeReplaced([runner.params, runner.state], []);
  disposeReplaced(gradients, []);
}

await main();
