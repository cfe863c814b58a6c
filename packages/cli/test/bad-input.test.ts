import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe.concurrent('bad input gives one clear line and exit status 2', () => {
  // Concurrent: each case is a separate process, mostly waiting for tsx to start.
  it.each([
    [
      ['train', '--optimizer', 'adamx'],
      /unknown or malformed optimizer 'adamx'.*\(valid: sgd, adam, adamw.*active\(<optimizer>\)/,
    ],
    [['sweep', '--optimizers', 'adamw,active(nope)'], /'nope' is not an optimizer \(valid: /],
    [['train', '--model', 'rnn'], /unknown model 'rnn' \(valid: mlp, cnn, transformer, lstm\)/],
    [
      ['train', '--dataset', 'imagenet'],
      /unknown dataset 'imagenet' \(valid: digits, spirals, text, fashion-mnist, cifar10\)/,
    ],
    [['train', '--lr', '-0.1'], /--lr must be greater than 0, got -0.1/],
    [['sweep', '--lrs', '1e-3,-1'], /--lrs must be greater than 0, got -1/],
    [['sweep', '--batch-sizes', '32,0'], /--batch-sizes must be greater than 0, got 0/],
    [['sweep', '--batch-sizes', '32,1.5'], /--batch-sizes must be an integer, got 1\.5/],
    [['sweep', '--batch-sizes', '32,32'], /vane sweep: --batch-sizes lists 32 twice/],
    [
      ['sweep', '--batch-size', '32', '--batch-sizes', '64'],
      /vane sweep: give --batch-size or --batch-sizes, not both/,
    ],
    [['graft', '--train-limit', '0'], /--train-limit must be at least 1, got 0/],
    [
      ['train', '--dataset', 'fashion-mnist', '--data-dir', '/nonexistent/fashion'],
      /dataset fashion-mnist is not available: .*\/nonexistent\/fashion.*use an embedded dataset: digits, spirals, text/,
    ],
    [['train', '--model', 'cnn', '--dataset', 'spirals'], /model cnn needs an image dataset/],
    [['train', '--epochs', '2.5'], /--epochs must be an integer/],
    [['train', '--optimzer', 'adam'], /unknown flag --optimzer \(valid: --model/],
    [['frobnicate'], /unknown command 'frobnicate' \(valid: demo, train, sweep, graft, surge, worker, report, tour\)/],
    [['surge', '--betas', '0.9'], /--betas must be two numbers in \[0, 1\)/],
    [['report', '/nonexistent/run'], /'\/nonexistent\/run' is not a directory/],
  ])('vane %j', async (args, message) => {
    const { status, stdout, stderr } = await runCli(args);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
  });
});
