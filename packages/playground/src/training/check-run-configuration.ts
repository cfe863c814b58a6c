/**
 * The worker's check of a {@link RunConfiguration} from the page, before it builds anything.
 */
import { checkOptionKeys, describeValue } from '@vane/tensor';
import { BACKEND_NAMES, DATASET_NAMES, MODEL_NAMES, type RunConfiguration } from './run-configuration.js';

const KEYS = ['dataset', 'model', 'optimizer', 'lr', 'batchSize', 'epochs', 'backend', 'seed', 'exampleLimit'];

function oneOf<T extends string>(owner: string, name: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T))
    throw new Error(
      `${owner}: '${name}' must be one of ${choices.map((choice) => `'${choice}'`).join(', ')}, got ${describeValue(value)}`,
    );
  return value as T;
}

function positiveNumber(owner: string, name: string, value: unknown, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(
      `${owner}: '${name}' must be a positive ${integer ? 'integer' : 'finite number'}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Checks a configuration (from the form, the URL or a message) and returns it typed. Every
 * problem is an Error naming `checkRunConfiguration`, the field and the value; an unknown field
 * is refused, not ignored.
 *
 * @example
 * checkRunConfiguration({ ...DEFAULT_RUN_CONFIGURATION, lr: 0.01 });
 * checkRunConfiguration({ ...DEFAULT_RUN_CONFIGURATION, batchsize: 8 }); // throws: unknown option 'batchsize'
 */
export function checkRunConfiguration(configuration: unknown): RunConfiguration {
  const owner = 'checkRunConfiguration';
  if (configuration === null || typeof configuration !== 'object')
    throw new Error(`${owner}: expected an object, got ${describeValue(configuration)}`);
  checkOptionKeys(owner, configuration, KEYS);
  const candidate = configuration as Record<string, unknown>;
  if (typeof candidate.optimizer !== 'string' || candidate.optimizer.trim() === '')
    throw new Error(
      `${owner}: 'optimizer' must be an optimizer expression such as 'active(adamw)', got ${describeValue(candidate.optimizer)}`,
    );
  if (typeof candidate.seed !== 'number' || !Number.isInteger(candidate.seed) || candidate.seed < 0)
    throw new Error(`${owner}: 'seed' must be a non-negative integer, got ${describeValue(candidate.seed)}`);
  return {
    dataset: oneOf(owner, 'dataset', candidate.dataset, DATASET_NAMES),
    model: oneOf(owner, 'model', candidate.model, MODEL_NAMES),
    optimizer: candidate.optimizer,
    lr: positiveNumber(owner, 'lr', candidate.lr, false),
    batchSize: positiveNumber(owner, 'batchSize', candidate.batchSize, true),
    epochs: positiveNumber(owner, 'epochs', candidate.epochs, true),
    backend: oneOf(owner, 'backend', candidate.backend, BACKEND_NAMES),
    seed: candidate.seed,
    ...(candidate.exampleLimit === undefined
      ? {}
      : { exampleLimit: positiveNumber(owner, 'exampleLimit', candidate.exampleLimit, true) }),
  };
}
