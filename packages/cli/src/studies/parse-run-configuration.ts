/**
 * Reads a {@link RunConfiguration} from untrusted JSON: a job taken from the queue, or a task
 * handed to a worker thread. Every key is checked (unknown keys are refused, as flags are), every
 * value against the same limits as the CLI's flags, and the optimizer expression with the
 * CLI's own parser ({@link checkOptimizerExpression}). Only plain data is accepted, so nothing
 * executable can reach a worker through a configuration.
 */
import { checkOptionKeys, describeValue } from '@vane/tensor';
import { DATASET_NAMES } from '../data/task-data.js';
import { MODEL_NAMES } from '../models/build-model.js';
import { checkOptimizerExpression } from '../optimizers/optimizer-expression.js';
import { UsageError } from '../usage-error.js';
import type { SurgeTask } from './surge-measurement.js';
import type { RunSpec } from '../training/run-training.js';
import type { WarmupStepDecay } from '../training/learning-rate-schedule.js';
import type { RunConfiguration } from './run-configuration.js';

const TRAINING_KEYS = [
  'model',
  'dataset',
  'optimizer',
  'lr',
  'batchSize',
  'epochs',
  'seed',
  'trainLimit',
  'dataDirectory',
  'schedule',
] as const;
const SCHEDULE_KEYS = ['warmupEpochs', 'decayEveryEpochs', 'decayRate'] as const;
const SURGE_KEYS = [
  'model',
  'dataset',
  'batchSize',
  'learningRate',
  'seed',
  'targetLoss',
  'betas',
  'maxExamples',
  'evaluationExamples',
  'noiseMicroBatchSize',
  'noiseMicroBatches',
  'noiseMeasurements',
  'trainLimit',
] as const;

/** The limits of one number, as in the CLI's flag specs. */
interface NumberRule {
  integer?: boolean;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  below?: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Reads one configuration field, naming the owner and the field's path on error. */
class FieldReader {
  constructor(
    private readonly owner: string,
    private readonly path: string,
    private readonly value: Record<string, unknown>,
    keys: readonly string[],
  ) {
    try {
      checkOptionKeys(`${owner}: ${path}`, value, keys);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }

  private fail(key: string, expected: string): never {
    throw new UsageError(
      `${this.owner}: ${this.path}.${key} must be ${expected}, got ${describeValue(this.value[key])}`,
    );
  }

  choice(key: string, choices: readonly string[]): string {
    const value = this.value[key];
    if (typeof value !== 'string' || !choices.includes(value)) this.fail(key, `one of ${choices.join(', ')}`);
    return value;
  }

  text(key: string): string {
    const value = this.value[key];
    if (typeof value !== 'string' || value.length === 0) this.fail(key, 'a non-empty string');
    return value;
  }

  number(key: string, rule: NumberRule, value: unknown = this.value[key], label = key): number {
    const describe = [
      rule.integer ? 'an integer' : 'a finite number',
      rule.minimum !== undefined ? `at least ${rule.minimum}` : '',
      rule.exclusiveMinimum !== undefined ? `greater than ${rule.exclusiveMinimum}` : '',
      rule.maximum !== undefined ? `at most ${rule.maximum}` : '',
      rule.below !== undefined ? `below ${rule.below}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const valid =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!rule.integer || Number.isInteger(value)) &&
      (rule.minimum === undefined || value >= rule.minimum) &&
      (rule.exclusiveMinimum === undefined || value > rule.exclusiveMinimum) &&
      (rule.maximum === undefined || value <= rule.maximum) &&
      (rule.below === undefined || value < rule.below);
    if (!valid)
      throw new UsageError(`${this.owner}: ${this.path}.${label} must be ${describe}, got ${describeValue(value)}`);
    return value;
  }

  numbers(key: string, rule: NumberRule, length?: number): number[] {
    const value = this.value[key];
    if (!Array.isArray(value) || value.length === 0 || (length !== undefined && value.length !== length)) {
      this.fail(key, length === undefined ? 'a non-empty array of numbers' : `an array of ${length} numbers`);
    }
    return value.map((item, index) => this.number(key, rule, item, `${key}[${index}]`));
  }

  optional<T>(key: string, read: (key: string) => T): T | undefined {
    return this.value[key] === undefined ? undefined : read(key);
  }

  /** A nested object's fields, read with their path (`spec.schedule.decayRate`). */
  object(key: string, keys: readonly string[]): FieldReader {
    const value = this.value[key];
    if (!isPlainObject(value)) this.fail(key, 'an object');
    return new FieldReader(this.owner, `${this.path}.${key}`, value, keys);
  }
}

function readSchedule(fields: FieldReader, key: string): WarmupStepDecay {
  const schedule = fields.object(key, SCHEDULE_KEYS);
  return {
    warmupEpochs: schedule.number('warmupEpochs', { minimum: 0 }),
    decayEveryEpochs: schedule.number('decayEveryEpochs', { exclusiveMinimum: 0 }),
    decayRate: schedule.number('decayRate', { exclusiveMinimum: 0, maximum: 1 }),
  };
}

function readTrainingSpec(owner: string, value: Record<string, unknown>): RunSpec {
  const fields = new FieldReader(owner, 'spec', value, TRAINING_KEYS);
  const spec: RunSpec = {
    model: fields.choice('model', MODEL_NAMES),
    dataset: fields.choice('dataset', DATASET_NAMES),
    optimizer: fields.text('optimizer'),
    lr: fields.number('lr', { exclusiveMinimum: 0 }),
    batchSize: fields.number('batchSize', { integer: true, minimum: 1 }),
    epochs: fields.number('epochs', { integer: true, minimum: 1 }),
    seed: fields.number('seed', { integer: true, minimum: 0 }),
    trainLimit: fields.optional('trainLimit', (key) => fields.number(key, { integer: true, minimum: 1 })),
    dataDirectory: fields.optional('dataDirectory', (key) => fields.text(key)),
    schedule: fields.optional('schedule', (key) => readSchedule(fields, key)),
  };
  try {
    checkOptimizerExpression(spec.optimizer, spec.lr);
  } catch (error) {
    throw new UsageError(`${owner}: spec.optimizer: ${(error as Error).message}`);
  }
  return spec;
}

function readSurgeTask(owner: string, value: Record<string, unknown>): SurgeTask {
  const fields = new FieldReader(owner, 'task', value, SURGE_KEYS);
  const betas = fields.numbers('betas', { minimum: 0, below: 1 }, 2);
  return {
    model: fields.choice('model', MODEL_NAMES),
    dataset: fields.choice('dataset', DATASET_NAMES),
    batchSize: fields.number('batchSize', { integer: true, minimum: 1 }),
    learningRate: fields.number('learningRate', { exclusiveMinimum: 0 }),
    seed: fields.number('seed', { integer: true, minimum: 0 }),
    targetLoss: fields.number('targetLoss', { exclusiveMinimum: 0 }),
    betas: [betas[0]!, betas[1]!],
    maxExamples: fields.number('maxExamples', { integer: true, minimum: 1 }),
    evaluationExamples: fields.number('evaluationExamples', { integer: true, minimum: 1 }),
    noiseMicroBatchSize: fields.number('noiseMicroBatchSize', { integer: true, minimum: 1 }),
    noiseMicroBatches: fields.number('noiseMicroBatches', { integer: true, minimum: 2 }),
    noiseMeasurements: fields.number('noiseMeasurements', { integer: true, minimum: 1 }),
    trainLimit: fields.optional('trainLimit', (key) => fields.number(key, { integer: true, minimum: 1 })),
  };
}

/**
 * Returns `value` as a run configuration, or throws a one-line {@link UsageError} that starts
 * with `owner` and names the field that is wrong and the value found. The result is a fresh
 * object built from the checked fields only (undefined optional fields are left out of the
 * JSON, so {@link runId} of the result equals that of the original).
 *
 * @example
 * const configuration = parseRunConfiguration('vane worker: job training-3f9a…', job.data.configuration);
 */
export function parseRunConfiguration(owner: string, value: unknown): RunConfiguration {
  if (!isPlainObject(value))
    throw new UsageError(
      `${owner}: a run configuration must be an object { kind, spec } or { kind, task }, got ${describeValue(value)}`,
    );
  if (value.kind === 'training') {
    new FieldReader(owner, 'configuration', value, ['kind', 'spec']);
    if (!isPlainObject(value.spec))
      throw new UsageError(`${owner}: configuration.spec must be an object, got ${describeValue(value.spec)}`);
    return { kind: 'training', spec: readTrainingSpec(owner, value.spec) };
  }
  if (value.kind === 'surge') {
    new FieldReader(owner, 'configuration', value, ['kind', 'task']);
    if (!isPlainObject(value.task))
      throw new UsageError(`${owner}: configuration.task must be an object, got ${describeValue(value.task)}`);
    return { kind: 'surge', task: readSurgeTask(owner, value.task) };
  }
  throw new UsageError(`${owner}: configuration.kind must be 'training' or 'surge', got ${describeValue(value.kind)}`);
}
