/**
 * Reading and writing the CLI's JSON files (run.json, log.json, study.json, run records,
 * results.json). Writes are atomic (temporary file, fsync, rename: a killed process leaves the
 * old file or the new one, never a truncated one); reads say which file is damaged and how,
 * in one line, instead of `SyntaxError: Unexpected end of JSON input`.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '@vane/nn/node';
import { parseWithNonFinite, stringifyWithNonFinite } from '../format/json-numbers.js';
import { UsageError } from '../usage-error.js';

/** Writes `text` to `path` atomically. */
export function writeTextAtomic(path: string, text: string): void {
  writeFileAtomic(path, new TextEncoder().encode(text));
}

/** Writes `value` as JSON (non-finite numbers as strings, see json-numbers) to `path` atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeTextAtomic(path, `${stringifyWithNonFinite(value)}\n`);
}

/**
 * Reads the JSON file at `path` (non-finite numbers restored). A missing, unreadable, empty or
 * malformed file throws a one-line {@link UsageError} that starts with `owner` and names the
 * file and the problem.
 *
 * @example
 * const log = readJsonFile('vane report', 'runs/train/log.json');
 */
export function readJsonFile(owner: string, path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${owner}: ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`}`,
    );
  }
  if (text.trim() === '')
    throw new UsageError(`${owner}: ${path} is damaged: the file is empty (${text.length} bytes)`);
  try {
    return parseWithNonFinite(text);
  } catch (error) {
    throw new UsageError(`${owner}: ${path} is damaged: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Whether `value` is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
