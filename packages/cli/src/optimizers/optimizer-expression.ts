/**
 * Optimizer expressions on the command line: `adamw`, `sgd(momentum=0)`, `active(adamw)`,
 * `active(sgd,increase=2,decrease=0.5)`, `graft(adam,sgd)`, `trace(adagrad,decay=0.9)`. Parsed into a small tree, then
 * built into an `@vane/optim` transformation once the learning rate and epoch length are known.
 */
import {
  active,
  chain,
  graft,
  OPTIMIZER_NAMES,
  OPTIMIZER_REGISTRY,
  type AnyTransformation,
  type OptimizerRegistryEntry,
  type OptionKind,
  type Schedule,
  trace,
} from '@vane/optim';
import { UsageError } from '../usage-error.js';

/** A parsed optimizer expression: a name, nested expressions and `key=number` options. */
export interface OptimizerExpression {
  name: string;
  operands: OptimizerExpression[];
  options: Record<string, number>;
}

// Option kinds an expression can write as `key=number` (booleans, masks and pairs cannot).
const NUMERIC_KINDS: ReadonlySet<OptionKind> = new Set([
  'learningRate',
  'positive',
  'nonNegative',
  'unitInterval',
  'closedUnitInterval',
]);

/**
 * The base optimizers, by lower-case name (expressions are case-insensitive): every optimizer
 * of `@vane/optim`'s registry, with the options an expression can set, its numeric options
 * plus `beta1`/`beta2` for a `betas` pair.
 */
const BASES: ReadonlyMap<string, { entry: OptimizerRegistryEntry; options: readonly string[] }> = new Map(
  OPTIMIZER_NAMES.map((name) => {
    const entry: OptimizerRegistryEntry = OPTIMIZER_REGISTRY[name];
    const options = Object.entries(entry.options).flatMap(([option, kind]) =>
      kind === 'betas' ? ['beta1', 'beta2'] : NUMERIC_KINDS.has(kind) ? [option] : [],
    );
    return [name.toLowerCase(), { entry, options }];
  }),
);

const WRAPPER_OPTIONS: Record<string, readonly string[]> = {
  active: ['period', 'increase', 'decrease', 'minGain', 'maxGain'],
  graft: [],
  // Heavy-ball momentum on an optimizer's update (its learning rate included), for optimizers
  // without a momentum option of their own (AdaGrad in the grafting grid).
  trace: ['decay'],
};

/** Every name an expression may use, for error messages. */
export const OPTIMIZER_EXPRESSION_NAMES: readonly string[] = [
  ...BASES.keys(),
  'active(<optimizer>)',
  'graft(<magnitude>,<direction>)',
  'trace(<optimizer>,decay=<momentum>)',
];

function invalid(text: string, problem: string): never {
  throw new UsageError(
    `unknown or malformed optimizer '${text}': ${problem} (valid: ${OPTIMIZER_EXPRESSION_NAMES.join(', ')})`,
  );
}

/**
 * Parses an optimizer expression. Throws a one-line {@link UsageError} naming the problem and
 * the valid optimizers.
 *
 * @example
 * parseOptimizerExpression('active(adamw,decrease=0.5)');
 * // { name: 'active', operands: [{ name: 'adamw', operands: [], options: {} }], options: { decrease: 0.5 } }
 */
export function parseOptimizerExpression(text: string): OptimizerExpression {
  const source = text.replace(/\s+/g, '');
  let position = 0;
  const parse = (): OptimizerExpression => {
    const match = /^[a-zA-Z][a-zA-Z0-9]*/.exec(source.slice(position));
    if (!match) invalid(text, `expected an optimizer name at character ${position + 1}`);
    const name = match[0].toLowerCase();
    position += match[0].length;
    const expression: OptimizerExpression = { name, operands: [], options: {} };
    if (source[position] === '(') {
      position++;
      while (source[position] !== ')') {
        const option = /^([a-zA-Z][a-zA-Z0-9]*)=([^,()]+)/.exec(source.slice(position));
        if (option) {
          const value = Number(option[2]);
          if (!Number.isFinite(value)) invalid(text, `option ${option[1]} must be a number, got '${option[2]}'`);
          expression.options[option[1]!] = value;
          position += option[0].length;
        } else expression.operands.push(parse());
        if (source[position] === ',') position++;
        else if (source[position] !== ')')
          invalid(
            text,
            position >= source.length ? 'missing )' : `unexpected '${source[position]}' at character ${position + 1}`,
          );
      }
      position++;
    }
    check(expression);
    return expression;
  };
  const check = (expression: OptimizerExpression) => {
    const { name, operands, options } = expression;
    const allowed = BASES.get(name)?.options ?? WRAPPER_OPTIONS[name];
    if (!allowed) invalid(text, `'${name}' is not an optimizer`);
    for (const key of Object.keys(options)) {
      if (!allowed.includes(key))
        invalid(text, `${name} takes no option '${key}' (its options: ${allowed.join(', ') || 'none'})`);
      if (!(options[key]! >= 0)) invalid(text, `option ${key} of ${name} must not be negative`);
    }
    const arity = name === 'active' || name === 'trace' ? 1 : name === 'graft' ? 2 : 0;
    if (operands.length !== arity)
      invalid(
        text,
        arity === 0
          ? `${name} takes no optimizer inside it`
          : `${name} takes ${arity} optimizer${arity > 1 ? 's' : ''}, got ${operands.length}`,
      );
  };
  if (source === '') invalid(text, 'empty expression');
  const expression = parse();
  if (position !== source.length) invalid(text, `unexpected '${source.slice(position)}' after the expression`);
  return expression;
}

/** Writes an expression back in canonical form (lower case, no spaces). */
export function formatOptimizerExpression(expression: OptimizerExpression): string {
  const parts = [
    ...expression.operands.map(formatOptimizerExpression),
    ...Object.entries(expression.options).map(([key, value]) => `${key}=${value}`),
  ];
  return parts.length === 0 ? expression.name : `${expression.name}(${parts.join(',')})`;
}

/** What an optimizer needs besides its expression. */
export interface BuildContext {
  /** The learning rate of the outermost optimizer (an `lr=` option inside the expression wins). */
  lr: number;
  /** Optimizer steps per epoch: the default ActiveLR period, as in the authors' benchmarks. */
  stepsPerEpoch: number;
  /**
   * A learning-rate schedule as a scale: every base optimizer's rate (the context's or its own
   * `lr=`) is multiplied by `learningRateScale(step)`. Absent: constant rates.
   */
  learningRateScale?: Schedule;
}

function betas(options: { beta1?: number; beta2?: number }): { betas?: [number, number] } {
  if (options.beta1 === undefined && options.beta2 === undefined) return {};
  return { betas: [options.beta1 ?? 0.9, options.beta2 ?? 0.999] };
}

/**
 * Builds the transformation an expression names. Defaults are the core optimizers' except
 * SGD, which uses momentum 0.9 (the grafting paper and the ActiveLR authors' SGD runs do).
 *
 * @example
 * buildOptimizer(parseOptimizerExpression('active(adamw)'), { lr: 1e-3, stepsPerEpoch: 23 });
 */
export function buildOptimizer(expression: OptimizerExpression, context: BuildContext): AnyTransformation {
  const { name, options, operands } = expression;
  if (name === 'active') {
    return active(buildOptimizer(operands[0]!, context), {
      period: options.period ?? context.stepsPerEpoch,
      increase: options.increase,
      decrease: options.decrease,
      minGain: options.minGain,
      maxGain: options.maxGain,
    }) as AnyTransformation;
  }
  if (name === 'trace')
    return chain(buildOptimizer(operands[0]!, context), trace({ decay: options.decay })) as AnyTransformation;
  if (name === 'graft')
    return graft({
      magnitude: buildOptimizer(operands[0]!, context),
      direction: buildOptimizer(operands[1]!, context),
    }) as AnyTransformation;
  const base = BASES.get(name);
  if (base === undefined) return invalid(name, `'${name}' is not an optimizer`);
  const { beta1, beta2, ...rest } = options;
  const peak = options.lr ?? context.lr;
  const scale = context.learningRateScale;
  const lr = scale === undefined ? peak : (step: number) => peak * scale(step);
  const factoryOptions: Record<string, unknown> = { ...rest, lr, ...betas({ beta1, beta2 }) };
  if (name === 'sgd') factoryOptions.momentum = options.momentum ?? 0.9;
  return base.entry.factory(factoryOptions);
}

/**
 * Parses and builds `text` once with learning rate `lr`, so that an option out of range
 * (`adam(beta1=1.5)`, `adamw(eps=0)`) is a one-line {@link UsageError} before any work starts
 * rather than a stack trace in the middle of a run.
 *
 * @example
 * checkOptimizerExpression('adam(beta1=1.5)', 1e-3); // throws: ... adam: 'betas[0]' must be in [0, 1), got 1.5
 */
export function checkOptimizerExpression(text: string, lr: number): void {
  const expression = parseOptimizerExpression(text);
  try {
    buildOptimizer(expression, { lr, stepsPerEpoch: 1 });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`invalid optimizer '${text}': ${(error as Error).message.split('\n')[0]}`);
  }
}
