import { kernelThreadsReady, setThreadCount } from '@vane/tensor';

/**
 * Timing harness for the side-by-side benchmarks: warm-up runs, then repeated timed runs,
 * reported as the median with the interquartile spread. Compare ratios measured in the same
 * run only: this machine is shared and noisy.
 */

/** A timing summary in milliseconds. */
export interface Timing {
  median: number;
  /** 25th and 75th percentiles. */
  q1: number;
  q3: number;
  runs: number;
}

/** One row of results: a named workload measured for several implementations. */
export interface BenchmarkRow {
  group: string;
  name: string;
  /** Work per run, to turn time into throughput (e.g. FLOPs), if meaningful. */
  work?: { amount: number; unit: string };
  results: Record<string, Timing | { skipped: string }>;
}

function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** How {@link measure} warms up and repeats. */
export interface MeasureOptions {
  /** Untimed runs first (default 3). */
  warmup?: number;
  /** Keep warming up until this much time has passed too (default 0). */
  warmupMilliseconds?: number;
  /** Timed runs at least (default 5). */
  minimumRuns?: number;
  /** Timed runs at most (default 200). */
  maximumRuns?: number;
  /** Keep timing until this much time has passed, up to `maximumRuns` (default 300). */
  minimumMilliseconds?: number;
}

/**
 * The timing of every contender's training step (Vane, tfjs, jax-js): a second and a half of
 * untimed steps first, then up to 100 timed ones. A training loop runs thousands of steps, so
 * the steady state is what counts. Three warm-up steps left Vane's MLP step about 25% above its
 * steady state (5.7 ms for steps 4–33 against 4.5 ms for steps 100–300); half a second still
 * did on two threads: for its first 0.9 s the step's median was 5.2–5.6 ms, 4.1–4.4 ms after
 * (50-step windows, 2026-12-05 05:15, load 0.6; one thread settles within 0.4 s), because V8
 * compiles the hot functions on background threads meanwhile, on the core the kernel worker
 * uses. With 0.5 s the bench measured Vane 5.39 ms ±1.43 and jax-js 9.10 ms; with 1.5 s, 4.43
 * ms ±0.37 and 7.40 ms (same minute). Warming up by time treats a fast and a slow contender alike.
 */
export const TRAINING_STEP_TIMING: MeasureOptions = {
  warmupMilliseconds: 1500,
  maximumRuns: 100,
  minimumMilliseconds: 1000,
};

/**
 * The timing of every contender's conv2d forward row: a second of untimed calls first, then up
 * to 30 timed ones. With three warm-up calls Vane's two-thread conv2d was timed while V8 was
 * still compiling on both threads: in a fresh process its first 0.3–0.9 s of calls took up to
 * about 5 ms against a steady 1.9–2.0 ms, and the row's median swung between 2.5 and 3.0 ms
 * (±0.6–1.7 ms) from run to run (2026-12-05, Node 20, quiet machine: three warm-up calls gave
 * 2.24 ±0.51 and 2.83 ±1.07 ms in two fresh processes, a second of warm-up 1.96 ±0.06 and 1.91
 * ±0.04 ms). Warming up by time treats every contender alike.
 */
export const CONV2D_TIMING: MeasureOptions = {
  warmupMilliseconds: 1000,
  maximumRuns: 30,
};

/**
 * Times `fn` after `warmup` untimed runs (and at least `warmupMilliseconds` of them), repeating
 * until `minimumRuns` runs and at least `minimumMilliseconds` have elapsed (capped at
 * `maximumRuns`).
 */
export async function measure(fn: () => unknown | Promise<unknown>, options: MeasureOptions = {}): Promise<Timing> {
  const { warmup = 3, warmupMilliseconds = 0, minimumRuns = 5, maximumRuns = 200, minimumMilliseconds = 300 } = options;
  const warmupStart = performance.now();
  for (let index = 0; index < warmup || performance.now() - warmupStart < warmupMilliseconds; index++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (
    times.length < maximumRuns &&
    (times.length < minimumRuns || performance.now() - start < minimumMilliseconds)
  ) {
    const before = performance.now();
    await fn();
    times.push(performance.now() - before);
  }
  times.sort((a, b) => a - b);
  return { median: quantile(times, 0.5), q1: quantile(times, 0.25), q3: quantile(times, 0.75), runs: times.length };
}

/** Formats a timing as "12.3 ms ±0.4" (half the interquartile range). */
export function formatTiming(timing: Timing): string {
  const digits = timing.median < 1 ? 3 : timing.median < 100 ? 2 : 0;
  return `${timing.median.toFixed(digits)} ms ±${((timing.q3 - timing.q1) / 2).toFixed(digits)}`;
}

/** The column of Vane's one-thread timing, measured right after the `vane` cell of each row. */
export const ONE_THREAD_COLUMN = 'vane, 1 thread';

/**
 * The thread count of the main pass. When above 1 (run.ts sets it once the kernel workers are
 * ready), every row's `vane` runner is measured a second time on one thread right after the
 * first, so the scaling ratio compares two adjacent measurements rather than two passes
 * minutes apart under a changing load.
 */
export const threadScaling = { threads: 1 };

/** A named implementation measured in a row: `run` returns its timing. */
export interface Runner {
  name: string;
  run: () => Promise<Timing>;
}

/**
 * Measures one row: every runner in turn, a runner that throws becoming a `skipped` cell with
 * its message. With `BENCH_FILTER=<substring>` set, rows whose name lacks the substring are
 * not run and say so in every cell.
 *
 * @example
 * const result = await measureRow('matmul', 'matmul 64x64', { amount: 2 * 64 ** 3, unit: 'FLOP' }, runners);
 */
export async function measureRow(
  group: string,
  name: string,
  work: BenchmarkRow['work'],
  runners: readonly Runner[],
): Promise<BenchmarkRow> {
  const results: BenchmarkRow['results'] = {};
  const filter = process.env.BENCH_FILTER;
  for (const runner of runners) {
    if (filter && !name.includes(filter)) {
      results[runner.name] = { skipped: `filtered out by BENCH_FILTER=${filter}` };
      continue;
    }
    try {
      results[runner.name] = await runner.run();
    } catch (error) {
      results[runner.name] = { skipped: (error as Error).message };
    }
    if (runner.name === 'vane' && threadScaling.threads > 1) {
      setThreadCount(1);
      try {
        results[ONE_THREAD_COLUMN] = await runner.run();
      } catch (error) {
        results[ONE_THREAD_COLUMN] = { skipped: (error as Error).message };
      } finally {
        setThreadCount(threadScaling.threads);
        await kernelThreadsReady();
      }
    }
  }
  return work ? { group, name, work, results } : { group, name, results };
}
