// `--resume` of a study runs only the runs without a record and then writes exactly what an
// uninterrupted study writes (timings aside): results.json, table.md and the plots.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const directory = mkdtempSync(join(tmpdir(), 'vane-resume-'));

/** results.json without its timings (wall-clock seconds differ from one invocation to the next). */
function resultsWithoutTimings(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'), (key, value: unknown) => (key === 'seconds' ? undefined : value));
}

describe.concurrent.each([
  {
    study: 'sweep',
    args: ['--preset', 'test', '--epochs', '2'],
    files: ['table.md', 'accuracy.svg', 'loss.svg'],
    total: 4,
  },
  {
    study: 'surge',
    args: ['--preset', 'test'],
    files: ['table.md', 'surge.svg', 'steps-by-lr.svg', 'tradeoff.svg'],
    total: 4,
  },
])('vane $study --resume', ({ study, args, files, total }) => {
  it('runs only the missing runs and writes the same results as an uninterrupted study', async () => {
    const reference = join(directory, `${study}-reference`);
    const interrupted = join(directory, `${study}-interrupted`);
    const [first, second] = await Promise.all([
      runCli([study, ...args, '--workers', '1', '--out', reference]),
      runCli([study, ...args, '--workers', '1', '--out', interrupted]),
    ]);
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    // Simulate an interruption after the first run: keep one record, drop the rest and every summary file.
    const runs = join(interrupted, 'runs');
    const records = readdirSync(runs).sort();
    expect(records).toHaveLength(total);
    const kept = records[0]!;
    const keptText = readFileSync(join(runs, kept), 'utf8');
    for (const name of records.slice(1)) rmSync(join(runs, name));
    for (const name of ['results.json', ...files]) rmSync(join(interrupted, name));

    const resumed = await runCli([study, ...args, '--workers', '1', '--out', interrupted, '--resume']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`resuming: 1 (of ${total} runs|measurements) already finished`));
    // Only the missing runs ran (one progress line each), and the kept record was not rewritten.
    expect(resumed.stderr.match(/^\[\s*\d+\/\d+ /gm)).toHaveLength(total - 1);
    expect(readFileSync(join(runs, kept), 'utf8')).toBe(keptText);
    expect(readdirSync(runs).sort()).toEqual(records);
    expect(resultsWithoutTimings(join(interrupted, 'results.json'))).toEqual(
      resultsWithoutTimings(join(reference, 'results.json')),
    );
    for (const name of files)
      expect(readFileSync(join(interrupted, name), 'utf8'), name).toBe(readFileSync(join(reference, name), 'utf8'));
    expect(existsSync(join(interrupted, 'study.json'))).toBe(true);
  }, 180_000);
});
