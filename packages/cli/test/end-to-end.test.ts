import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const directory = mkdtempSync(join(tmpdir(), 'vane-cli-'));

function expectFiles(folder: string, names: string[]): void {
  for (const name of names) expect(existsSync(join(folder, name)), `${folder}/${name}`).toBe(true);
}

// Each study at its `test` preset: seconds, on two workers, checking what it prints and writes.
describe.concurrent('vane end to end (test presets)', () => {
  it('sweep prints the table and writes results, table and plots', async () => {
    const out = join(directory, 'sweep');
    const { status, stdout, stderr } = await runCli(['sweep', '--preset', 'test', '--workers', '2', '--out', out]);
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/active\(adamw\)\s+\d\.\d{3} \(/);
    expect(stdout).toMatch(/accuracy spread across learning rates/);
    // Runs go to whichever worker is free: on a loaded machine worker 1 may finish all four tiny
    // runs before worker 2 has started, so only the worker numbers are checked here.
    const workers = [...stderr.matchAll(/worker (\d+): /g)].map((match) => Number(match[1]));
    expect(workers).toHaveLength(4);
    expect(workers.every((worker) => worker === 1 || worker === 2)).toBe(true);
    expectFiles(out, ['results.json', 'table.md', 'accuracy.svg', 'loss.svg']);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.runs).toHaveLength(4);
    expect(results.summary.map((row: { optimizer: string }) => row.optimizer)).toEqual(['adamw', 'active(adamw)']);
    expect(readFileSync(join(out, 'accuracy.svg'), 'utf8')).toMatch(/^<svg[\s\S]*active\(adamw\)[\s\S]*<\/svg>$/);
  });

  it('sweep over batch sizes adds the batch-size table and plots', async () => {
    const out = join(directory, 'sweep-batch-sizes');
    const { status, stdout, stderr } = await runCli([
      'sweep',
      '--preset',
      'test',
      '--batch-sizes',
      '16,128',
      '--lrs',
      '1e-2',
      '--out',
      out,
    ]);
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/× 2 batch sizes \(16, 128\) × 1 seed\(s\) = 4 runs/);
    expect(stdout).toMatch(/active\(adamw\)\s+1e-2\s+\d\.\d{3} ± \d\.\d{3} \(/);
    expect(stdout).toMatch(
      /active\(adamw\) at lr 1e-2: drop -?\d+\.\d points vs adamw -?\d+\.\d, accuracy at batch 128 \d\.\d{3} vs \d\.\d{3} — /,
    );
    expectFiles(out, [
      'results.json',
      'table.md',
      'accuracy-by-batch-size-lr-1e-2.svg',
      'loss-by-batch-size-lr-1e-2.svg',
    ]);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.runs.map((run: { spec: { batchSize: number } }) => run.spec.batchSize).sort()).toEqual([
      128, 128, 16, 16,
    ]);
    expect(readFileSync(join(out, 'table.md'), 'utf8')).toMatch(/## By batch size[\s\S]*\| B 16 \| B 128 \|/);
  });

  it('graft prints the M#D grid with the variance shares', async () => {
    const out = join(directory, 'graft');
    const { status, stdout, stderr } = await runCli(['graft', '--preset', 'test', '--out', out]);
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/rows \(M\) explain \d+% of the variance, columns \(D\) \d+%/);
    expectFiles(out, ['results.json', 'table.md', 'grid.svg']);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).accuracy).toHaveLength(2);
  });

  it('surge measures optima per batch size and writes the plot', async () => {
    const out = join(directory, 'surge');
    const { status, stdout, stderr } = await runCli(['surge', '--preset', 'test', '--out', out]);
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/batch size\s+optimal lr\s+interpolated\s+steps to target/);
    expectFiles(out, ['results.json', 'table.md', 'surge.svg']);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).points).toHaveLength(2);
  });

  it('train writes a checkpoint and a log, resumes, and report summarises it', async () => {
    const out = join(directory, 'train');
    const first = await runCli(['train', '--epochs', '1', '--train-limit', '256', '--out', out]);
    expect(first.status, first.stderr).toBe(0);
    expectFiles(out, ['checkpoint.safetensors', 'log.json', 'run.json']);
    // A log left empty (by a full disk, say) is rebuilt from the checkpoint, which holds every epoch's entry.
    writeFileSync(join(out, 'log.json'), '');
    const resumed = await runCli(['train', '--epochs', '2', '--train-limit', '256', '--out', out, '--resume']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resuming after epoch 1/);
    const log = JSON.parse(readFileSync(join(out, 'log.json'), 'utf8'));
    expect(log.epochs.map((entry: { epoch: number }) => entry.epoch)).toEqual([1, 2]);
    expect(
      log.epochs.every((entry: Record<string, unknown>) =>
        Object.values(entry).every((value) => typeof value === 'number'),
      ),
    ).toBe(true);
    const report = await runCli(['report', out]);
    expect(report.status, report.stderr).toBe(0);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/training-curve\.svg/);
  });
});
