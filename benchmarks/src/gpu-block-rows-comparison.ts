/**
 * The MLP 784-256-256-10 SGD step (batch 128, loss read back) on the gpu backend with 8×4 and
 * with 4×4 product blocks, alternating in one process (or page): rounds of a few steps each
 * way, so that both see the same load. The machine this runs on is shared, and between separate
 * processes its load moved the step by more than the few milliseconds compared here. Used by
 * gpu-block-rows.ts (headless-gl) and gpu-browser-block-rows.ts (WebGL2 in Chromium).
 */
import { eightRowBlocksAvailable, overrideEightRowBlocks } from '@vane/gpu';
import { mlpTraining } from './gpu-rows.js';

/** Per-step times of one block height: wall, and process CPU where `cpuNow` was given. */
export interface BlockRowTimes {
  readonly wall: number[];
  readonly cpu: number[];
}

/** What {@link compareBlockRows} measured. */
export interface BlockRowComparison {
  /** Whether the device itself takes 8×4 blocks (eightRowBlocksAvailable). */
  readonly available: boolean;
  /** Whether the 8×4 column ran 8×4 blocks (forced where the device does not take them). */
  readonly eightRowsRan: boolean;
  readonly rounds: number;
  readonly stepsPerRound: number;
  readonly times: Record<'8x4' | '4x4', BlockRowTimes>;
}

/**
 * Alternates `rounds` rounds of `stepsPerRound` timed steps with each block height (after a
 * warm-up that compiles every kernel instance of both). With `force`, the 8×4 column runs 8×4
 * blocks even where the device does not take them (WebGL2), to measure what they would give.
 */
export function compareBlockRows(
  rounds: number,
  stepsPerRound: number,
  force: boolean,
  cpuNow?: () => number,
): BlockRowComparison {
  const available = eightRowBlocksAvailable();
  const eightRows = available || force;
  const training = mlpTraining('gpu');
  const step = () => {
    const value = training.step();
    void value.dataSync();
    value.dispose();
  };
  const times = {
    '8x4': { wall: [] as number[], cpu: [] as number[] },
    '4x4': { wall: [] as number[], cpu: [] as number[] },
  };
  const variants = ['8x4', '4x4'] as const;
  try {
    // Warm-up: per-size kernel instances and their second copies compile until step 5.
    for (const variant of variants) {
      overrideEightRowBlocks(variant === '8x4' ? eightRows : false);
      for (let index = 0; index < 7; index++) step();
    }
    for (let round = 0; round < rounds; round++) {
      for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
        overrideEightRowBlocks(variant === '8x4' ? eightRows : false);
        // The first step after a switch finishes results of the other height: not timed.
        step();
        for (let index = 0; index < stepsPerRound; index++) {
          const cpuBefore = cpuNow?.() ?? 0;
          const start = performance.now();
          step();
          times[variant].wall.push(performance.now() - start);
          times[variant].cpu.push((cpuNow?.() ?? 0) - cpuBefore);
        }
      }
    }
  } finally {
    overrideEightRowBlocks(undefined);
    training.dispose();
  }
  return { available, eightRowsRan: eightRows, rounds, stepsPerRound, times };
}

/** One line per block height: median and lowest wall (and process CPU with `withCpu`) per step. */
export function comparisonLines(comparison: BlockRowComparison, withCpu: boolean): string[] {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  return (['8x4', '4x4'] as const).map((variant) => {
    const { wall, cpu } = comparison.times[variant];
    const cpuText = withCpu
      ? `; process CPU median ${median(cpu).toFixed(1)} ms, lowest ${Math.min(...cpu).toFixed(1)} ms`
      : '';
    return `${variant}: wall median ${median(wall).toFixed(1)} ms, lowest ${Math.min(...wall).toFixed(1)} ms${cpuText}`;
  });
}
