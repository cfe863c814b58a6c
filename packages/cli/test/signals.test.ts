// Signals reach the work: `vane` runs in one process (bin/vane.mjs imports the TypeScript entry
// in-process), so SIGTERM or SIGINT ends it and its worker threads at once, leaves no orphan
// process behind, and nothing is written afterwards; a sweep keeps every run finished before.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectCli, startCli } from './run-cli.js';

const directory = mkdtempSync(join(tmpdir(), 'vane-signals-'));

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Processes (other than ps itself) whose command line mentions `text`: a leftover worker would. */
function processesMentioning(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

const listing = (path: string) => (existsSync(path) ? readdirSync(path).sort() : []);

describe.concurrent('signals', () => {
  it('SIGTERM stops a sweep at once, keeps its finished runs, leaves no process, writes nothing later', async () => {
    const out = join(directory, 'sweep');
    const runs = join(out, 'runs');
    const child = startCli(['sweep', '--preset', 'test', '--epochs', '150', '--workers', '1', '--out', out]);
    const exited = collectCli(child, 120_000);
    await waitFor(() => listing(runs).length >= 1, 100_000, 'the first finished run record');
    const killedAt = Date.now();
    child.kill('SIGTERM');
    const outcome = await exited;
    const seconds = (Date.now() - killedAt) / 1000;
    expect(seconds, 'seconds from SIGTERM to exit').toBeLessThan(5);
    expect(outcome.status).toBe(143);
    expect(outcome.stderr).toMatch(
      /vane: interrupted by SIGTERM; [1-4] of 4 runs are finished and kept in .*runs; continue with --resume\n$/,
    );
    expect(processesMentioning(out)).toEqual([]);
    const kept = listing(runs);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    for (const name of kept) expect(JSON.parse(readFileSync(join(runs, name), 'utf8')).result.spec.epochs).toBe(150);
    // Nothing appears afterwards: no orphan finishes a run or writes the results.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(listing(runs)).toEqual(kept);
    expect(existsSync(join(out, 'results.json'))).toBe(false);
  }, 150_000);

  it('SIGINT stops vane train at once; --resume continues from its checkpoint with a consistent log', async () => {
    const out = join(directory, 'train');
    const child = startCli(['train', '--epochs', '400', '--train-limit', '256', '--out', out]);
    const exited = collectCli(child, 120_000);
    await waitFor(() => existsSync(join(out, 'log.json')), 100_000, 'the first epoch');
    const killedAt = Date.now();
    child.kill('SIGINT');
    const outcome = await exited;
    expect((Date.now() - killedAt) / 1000, 'seconds from SIGINT to exit').toBeLessThan(5);
    expect(outcome.signal ?? outcome.status).not.toBe(0);
    expect(processesMentioning(out)).toEqual([]);
    const before = readFileSync(join(out, 'log.json'), 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(readFileSync(join(out, 'log.json'), 'utf8')).toBe(before);
    const completed = JSON.parse(before).epochs.length as number;
    expect(completed).toBeGreaterThanOrEqual(1);
    const resumed = await collectCli(
      startCli(['train', '--epochs', String(completed + 1), '--train-limit', '256', '--out', out, '--resume']),
    );
    expect(resumed.status, resumed.stderr).toBe(0);
    // The checkpoint holds at least the logged epochs (the log is written after it, from it).
    const after = JSON.parse(readFileSync(join(out, 'log.json'), 'utf8'));
    const resumedFrom = Number(/resuming after epoch (\d+)/.exec(resumed.stdout)?.[1]);
    expect(resumedFrom).toBeGreaterThanOrEqual(completed);
    expect(after.epochs.map((entry: { epoch: number }) => entry.epoch)).toEqual(
      Array.from({ length: Math.max(resumedFrom, completed + 1) }, (_, index) => index + 1),
    );
  }, 150_000);
});
