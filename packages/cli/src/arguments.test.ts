import { describe, expect, it } from 'vitest';
import { parseFlags, splitTopLevel } from './arguments.js';

const specs = {
  model: { kind: 'string', choices: ['mlp', 'cnn'], default: 'mlp', description: 'model' },
  lr: { kind: 'number', exclusiveMinimum: 0, description: 'learning rate' },
  epochs: { kind: 'number', integer: true, minimum: 1, default: 5, description: 'epochs' },
  seeds: { kind: 'numbers', integer: true, description: 'seeds' },
  optimizers: { kind: 'strings', description: 'optimizers' },
  resume: { kind: 'boolean', default: false, description: 'resume' },
} as const;

describe('parseFlags', () => {
  it('reads every kind of flag, in both --a b and --a=b forms, with defaults', () => {
    const flags = parseFlags(
      'train',
      ['--lr=0.01', '--seeds', '1,2,3', '--optimizers', 'active(adamw),graft(adam,sgd)', '--resume'],
      specs,
    );
    expect(flags).toEqual({
      model: 'mlp',
      lr: 0.01,
      epochs: 5,
      seeds: [1, 2, 3],
      optimizers: ['active(adamw)', 'graft(adam,sgd)'],
      resume: true,
    });
  });

  it.each([
    [['--lr', '-0.1'], 'vane train: --lr must be greater than 0, got -0.1'],
    [['--lr', 'fast'], "vane train: --lr must be a number, got 'fast'"],
    [['--model', 'rnn'], "vane train: unknown model 'rnn' (valid: mlp, cnn)"],
    [['--epochs', '1.5'], 'vane train: --epochs must be an integer, got 1.5'],
    [
      ['--optimiser', 'sgd'],
      'vane train: unknown flag --optimiser (valid: --model, --lr, --epochs, --seeds, --optimizers, --resume)',
    ],
    [['--lr'], 'vane train: --lr needs a value'],
  ])('rejects %j with one clear line', (argv, message) => {
    expect(() => parseFlags('train', argv, specs)).toThrow(message);
  });

  it('splits on top-level commas only', () => {
    expect(splitTopLevel('a, b(c,d) ,e')).toEqual(['a', 'b(c,d)', 'e']);
  });
});
