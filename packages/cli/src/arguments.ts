/**
 * Command-line flag parsing with validation that says what is wrong and what is valid.
 */
import { UsageError } from './usage-error.js';

/** How one flag is read. */
export type FlagSpec =
  | { kind: 'string'; default?: string; choices?: readonly string[]; description: string }
  | {
      kind: 'number';
      default?: number;
      minimum?: number;
      exclusiveMinimum?: number;
      integer?: boolean;
      description: string;
    }
  | { kind: 'numbers'; default?: number[]; exclusiveMinimum?: number; integer?: boolean; description: string }
  | { kind: 'strings'; default?: string[]; description: string }
  | { kind: 'boolean'; default?: boolean; description: string };

/** The value type a spec produces. */
type ValueOf<S extends FlagSpec> = S extends { kind: 'string' }
  ? string
  : S extends { kind: 'number' }
    ? number
    : S extends { kind: 'numbers' }
      ? number[]
      : S extends { kind: 'strings' }
        ? string[]
        : boolean;

/** Parsed flags, typed by their specs. */
export type Flags<T extends Record<string, FlagSpec>> = { [K in keyof T]: ValueOf<T[K]> | undefined };

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function parseNumber(
  command: string,
  flag: string,
  text: string,
  spec: { exclusiveMinimum?: number; minimum?: number; integer?: boolean },
): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`vane ${command}: --${flag} must be a number, got '${text}'`);
  if (spec.integer && !Number.isInteger(value))
    throw new UsageError(`vane ${command}: --${flag} must be an integer, got ${text}`);
  if (spec.exclusiveMinimum !== undefined && !(value > spec.exclusiveMinimum)) {
    throw new UsageError(`vane ${command}: --${flag} must be greater than ${spec.exclusiveMinimum}, got ${text}`);
  }
  if (spec.minimum !== undefined && value < spec.minimum) {
    throw new UsageError(`vane ${command}: --${flag} must be at least ${spec.minimum}, got ${text}`);
  }
  return value;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags against `specs` (camelCase
 * names, written kebab-case on the command line). Unknown flags, missing values, bad numbers
 * and values outside `choices` throw a {@link UsageError} naming the flag and what is valid.
 *
 * @example
 * parseFlags('train', ['--lr', '0.01'], { lr: { kind: 'number', exclusiveMinimum: 0, description: 'learning rate' } })
 */
export function parseFlags<T extends Record<string, FlagSpec>>(
  command: string,
  argv: readonly string[],
  specs: T,
): Flags<T> {
  const byFlag = new Map(Object.keys(specs).map((name) => [kebab(name), name]));
  const result: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) result[name] = spec.default;
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]!;
    if (!token.startsWith('--')) {
      throw new UsageError(
        `vane ${command}: unexpected argument '${token}' (flags start with --; valid: ${[...byFlag.keys()].map((f) => `--${f}`).join(', ')})`,
      );
    }
    const [flag, inline] = token.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const name = byFlag.get(flag);
    if (!name)
      throw new UsageError(
        `vane ${command}: unknown flag --${flag} (valid: ${[...byFlag.keys()].map((f) => `--${f}`).join(', ')})`,
      );
    const spec = specs[name]!;
    if (spec.kind === 'boolean') {
      result[name] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const text = inline ?? argv[++index];
    if (text === undefined || (inline === undefined && text.startsWith('--')))
      throw new UsageError(`vane ${command}: --${flag} needs a value`);
    switch (spec.kind) {
      case 'string':
        if (spec.choices && !spec.choices.includes(text)) {
          throw new UsageError(`vane ${command}: unknown ${flag} '${text}' (valid: ${spec.choices.join(', ')})`);
        }
        result[name] = text;
        break;
      case 'number':
        result[name] = parseNumber(command, flag, text, spec);
        break;
      case 'numbers':
        result[name] = text.split(',').map((part) => parseNumber(command, flag, part, spec));
        break;
      case 'strings':
        result[name] = splitTopLevel(text);
        break;
    }
  }
  return result as Flags<T>;
}

/** Splits on commas that are not inside parentheses: `active(adamw),graft(adam,sgd)`. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of text) {
    if (character === '(') depth++;
    if (character === ')') depth--;
    if (character === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += character;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** A help text listing each flag with its description and default. */
export function describeFlags(specs: Record<string, FlagSpec>): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const fallback =
        spec.default === undefined
          ? ''
          : ` (default ${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)})`;
      const choices = 'choices' in spec && spec.choices ? ` [${spec.choices.join('|')}]` : '';
      return `  --${kebab(name).padEnd(16)} ${spec.description}${choices}${fallback}`;
    })
    .join('\n');
}
