/**
 * The one resume rule of every command: `--resume` continues a run (or a study) only with the
 * settings it was started with. A changed learning rate, batch size, seed, model, optimizer,
 * grid, … would silently mix two experiments in one directory (or fail deep inside the
 * optimizer), so it is refused with the setting's flag and both values.
 */
import { UsageError } from '../usage-error.js';

/** Flags whose name is not the kebab-case of the setting's key. */
const FLAG_OF_SETTING: Record<string, string> = {
  learningRates: '--lrs',
  dataDirectory: '--data-dir',
  optimizers: '--optimizers',
};

function flagOf(key: string): string {
  return FLAG_OF_SETTING[key] ?? `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '(not set)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Throws a one-line {@link UsageError} if `current` differs from `stored` in any key (compared
 * as JSON; a missing key equals undefined and null), naming the first such setting, its flag
 * and both values.
 *
 * @param command - `train`, `sweep`, …, for the message.
 * @param subject - what is resumed, for the message: `the run in runs/train`, `the study in runs/x`.
 * @example
 * checkSameSettings('train', 'the run in runs/train', { lr: 0.001 }, { lr: 0.01 });
 * // vane train: --resume with a different --lr: the run in runs/train used 0.001, this command gives 0.01 (...)
 */
export function checkSameSettings(
  command: string,
  subject: string,
  stored: Record<string, unknown>,
  current: Record<string, unknown>,
): void {
  const keys = [...new Set([...Object.keys(current), ...Object.keys(stored)])];
  for (const key of keys) {
    const before = stored[key] ?? null;
    const now = current[key] ?? null;
    if (JSON.stringify(before) !== JSON.stringify(now)) {
      throw new UsageError(
        `vane ${command}: --resume with a different ${flagOf(key)}: ${subject} used ${show(before)}, this command gives ${show(now)} (resume with the same settings, or start anew with another --out)`,
      );
    }
  }
}
