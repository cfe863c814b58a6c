/**
 * Typed access to `packages/optim/fixtures/torch-schedules.json` for the schedule tests.
 *
 * The fixture holds learning rates produced by PyTorch's `torch.optim.lr_scheduler`; see
 * `packages/optim/fixtures/README.md` for how it was generated and what each field means.
 */
import { readFileSync } from 'node:fs';

/** One scheduler run: `lrs[k]` is the learning rate in effect for optimizer step k. */
export interface TorchScheduleCase {
  name: string;
  scheduler: string;
  kwargs: Record<string, number | string | boolean>;
  lrs: number[];
}

/** One ReduceLROnPlateau run: `lrs[k]` is the learning rate right after `step(metrics[k])`. */
export interface TorchPlateauCase extends TorchScheduleCase {
  metrics: number[];
}

/** The whole fixture file. */
export interface TorchScheduleFixtures {
  torchVersion: string;
  baseLr: number;
  steps: number;
  cases: TorchScheduleCase[];
  plateauBaseLr: number;
  plateauCases: TorchPlateauCase[];
}

/**
 * Reads and parses the fixture file.
 *
 * Math: none.
 *
 * Reference: PyTorch 1.13 `torch.optim.lr_scheduler`, via fixtures/generate_torch_fixtures.py.
 *
 * @example
 * const fixtures = loadTorchScheduleFixtures();
 * fixtures.baseLr; // 0.1
 */
export function loadTorchScheduleFixtures(): TorchScheduleFixtures {
  const url = new URL('../../../fixtures/torch-schedules.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as TorchScheduleFixtures;
}

/**
 * Returns the fixture case called `name`, throwing if it is missing (so a renamed case fails
 * loudly rather than silently skipping its comparison).
 *
 * Math: none.
 *
 * Reference: none.
 *
 * @example
 * const stepLr = torchCase(loadTorchScheduleFixtures().cases, 'step-lr');
 */
export function torchCase<T extends TorchScheduleCase>(cases: readonly T[], name: string): T {
  const found = cases.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`torch-schedules.json has no case '${name}'`);
  return found;
}

/**
 * Relative difference |actual − expected| / max(|actual|, |expected|); 0 when both are 0.
 *
 * Math: r(a, e) = |a − e| / max(|a|, |e|).
 *
 * Reference: none; the standard relative error.
 *
 * @example
 * relativeError(1.1, 1); // ≈ 0.0909
 */
export function relativeError(actual: number, expected: number): number {
  const scale = Math.max(Math.abs(actual), Math.abs(expected));
  return scale === 0 ? 0 : Math.abs(actual - expected) / scale;
}

/**
 * The largest relative error between `schedule(k)` and `expected[k]` over the given steps,
 * with the step where it occurs, so a failing assertion points at the step.
 *
 * Math: max_k r(schedule(k), expected[k]).
 *
 * Reference: none.
 *
 * @example
 * worstRelativeError((step) => 0.1, [0.1, 0.1], [0, 1]); // { error: 0, step: 0 }
 */
export function worstRelativeError(
  schedule: (step: number) => number,
  expected: readonly number[],
  steps: readonly number[] = expected.map((_, step) => step),
): { error: number; step: number } {
  let worst = { error: 0, step: steps[0] ?? 0 };
  for (const step of steps) {
    const error = relativeError(schedule(step), expected[step]);
    if (error > worst.error) worst = { error, step };
  }
  return worst;
}
