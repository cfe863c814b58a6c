// Distributed studies end to end, against real redis-server processes started by this file on
// ports of their own: `vane worker` processes and a `vane sweep --queue` coordinator, with the
// faults of docs/distributed.md (a worker killed with -9 mid-run, the coordinator killed with
// -9, Redis restarted mid-sweep), a password, TLS, and a worker of another version. Every
// process is started in its own process group and killed in afterAll.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemRequirement } from '@vane/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runOnQueue } from '../src/distributed/queue-coordinator.js';
import { parseQueueUrl } from '../src/distributed/queue-url.js';
import { startQueueWorker } from '../src/distributed/queue-worker.js';
import { RunFailedError } from '../src/distributed/run-failed-error.js';
import { VANE_VERSION } from '../src/distributed/vane-version.js';
import { sweepPlan, SWEEP_PRESETS } from '../src/studies/learning-rate-sweep.js';
import { ProcessGroup, probeRedisServer, type TestProcess } from './processes.js';
import { startRedisServer } from './redis-server.js';

const redis = systemRequirement('redis-server (Debian redis-server)', 'VANE_REDIS_REQUIRED', probeRedisServer);
const processes = new ProcessGroup();
const directory = mkdtempSync(join(tmpdir(), 'vane-distributed-'));

afterAll(async () => {
  await processes.stopAll();
  rmSync(directory, { recursive: true, force: true });
}, 30_000);

/** Runs of about 1.5 s each (a CNN on 1400 digits, 8 epochs): long enough to be killed mid-run. */
const SLOW_RUNS = ['--preset', 'test', '--model', 'cnn', '--epochs', '8', '--train-limit', '1400'];
/** Short locks, so that a dead worker's run comes back within seconds. */
const FAST_STALL = ['--lock-seconds', '3', '--stalled-seconds', '1'];

function startWorker(name: string, url: string, env?: NodeJS.ProcessEnv): TestProcess {
  return processes.startVane(`worker ${name}`, ['worker', '--queue', url, '--name', name, ...FAST_STALL], { env });
}

/** Resolves with the process's exit status, or fails the test after `timeoutMs`. */
async function exitOf(started: TestProcess, timeoutMs: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`${started.name} still running after ${timeoutMs} ms; output:\n${started.output().slice(-3000)}`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([started.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The run ids a worker reports as finished (`finished <run-id> in 1.2 s`), in order. */
function finishedRuns(...workers: TestProcess[]): string[] {
  return workers.flatMap((worker) => [...worker.output().matchAll(/ finished (\S+) in /g)].map((match) => match[1]!));
}

/** JSON without timings (wall-clock seconds differ from one invocation to the next). */
function withoutTimings(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'), (key, value: unknown) => (key === 'seconds' ? undefined : value));
}

/** Asserts that two study directories hold the same records and files, timings aside. */
function expectSameStudy(actual: string, expected: string, files: readonly string[]): void {
  const records = readdirSync(join(expected, 'runs')).sort();
  expect(readdirSync(join(actual, 'runs')).sort()).toEqual(records);
  for (const name of records)
    expect(withoutTimings(join(actual, 'runs', name)), name).toEqual(withoutTimings(join(expected, 'runs', name)));
  expect(withoutTimings(join(actual, 'results.json'))).toEqual(withoutTimings(join(expected, 'results.json')));
  for (const name of files)
    expect(readFileSync(join(actual, name), 'utf8'), name).toBe(readFileSync(join(expected, name), 'utf8'));
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe('vane sweep --queue with vane worker processes', () => {
  let url = '';
  let survivors: TestProcess[] = [];

  it('gives the local results when a worker is killed with -9 mid-run and a fresh one started, running no run twice', async (context) => {
    redis.skipUnlessAvailable(context);
    const server = await startRedisServer(processes, { parent: directory });
    url = `redis://127.0.0.1:${server.port}`;
    const args = [...SLOW_RUNS, '--lrs', '1e-3,1e-2,1e-1'];
    const reference = processes.startVane('local sweep', [
      'sweep',
      ...args,
      '--workers',
      '1',
      '--out',
      join(directory, 'local'),
    ]);
    const first = startWorker('a', url);
    const second = startWorker('b', url);
    await Promise.all([first.waitFor(/takes runs/, 30_000), second.waitFor(/takes runs/, 30_000)]);
    const sweep = processes.startVane('queued sweep', [
      'sweep',
      ...args,
      '--queue',
      url,
      '--out',
      join(directory, 'queued'),
    ]);

    const [, killedRun] = await first.waitFor(/ running (\S+) /, 30_000);
    await sleep(300);
    first.kill('SIGKILL');
    await first.exited;
    // The kill came mid-run: worker a never finished that run.
    expect(finishedRuns(first)).not.toContain(killedRun);
    const fresh = startWorker('c', url);

    expect(await exitOf(sweep, 75_000), sweep.output()).toBe(0);
    expect(await exitOf(reference, 30_000), reference.output()).toBe(0);
    expectSameStudy(join(directory, 'queued'), join(directory, 'local'), ['table.md', 'accuracy.svg', 'loss.svg']);

    // Six runs, each finished exactly once; the killed one by a surviving or the fresh worker.
    const finished = finishedRuns(first, second, fresh);
    expect(finished.slice().sort()).toEqual(
      readdirSync(join(directory, 'local', 'runs'))
        .map((name) => name.replace(/\.json$/, ''))
        .sort(),
    );
    expect(finishedRuns(second, fresh)).toContain(killedRun);
    // The progress says which worker ran what.
    expect(sweep.output()).toMatch(/\[\s*6\/6 \d+s\] worker [bc]: /);
    survivors = [second, fresh];
  }, 120_000);

  it('collects what finished and enqueues nothing twice when the coordinator was killed with -9', async (context) => {
    redis.skipUnlessAvailable(context);
    expect(url, 'needs the first test').not.toBe('');
    const out = join(directory, 'coordinator-killed');
    const args = [...SLOW_RUNS, '--lrs', '3e-3,3e-2', '--queue', url, '--out', out];
    const before = finishedRuns(...survivors).length;
    const coordinator = processes.startVane('coordinator', ['sweep', ...args]);
    await coordinator.waitFor(/\[1\/4 /, 60_000);
    coordinator.kill('SIGKILL');
    await coordinator.exited;
    // The workers go on with the queued runs while no coordinator is there.
    for (let waited = 0; finishedRuns(...survivors).length < before + 4; waited += 200) {
      if (waited > 60_000)
        throw new Error(
          `the workers did not finish the 4 queued runs: ${survivors.map((worker) => worker.output()).join('\n')}`,
        );
      await sleep(200);
    }
    const lengths = survivors.map((worker) => worker.output().length);
    const rerun = processes.startVane('coordinator again', ['sweep', ...args, '--resume']);
    expect(await exitOf(rerun, 60_000), rerun.output()).toBe(0);
    const kept = Number(/resuming: (\d) of 4 runs already finished/.exec(rerun.output())?.[1]);
    expect(kept, rerun.output()).toBeGreaterThanOrEqual(1);
    if (kept < 4) expect(rerun.output()).toContain(`collected ${4 - kept} run(s) already finished on the queue`);
    // Nothing ran again: no worker started a run after the coordinator came back.
    survivors.forEach((worker, index) => expect(worker.output().slice(lengths[index])).not.toMatch(/ running /));
    expect(readdirSync(join(out, 'runs'))).toHaveLength(4);
    const all = finishedRuns(...survivors);
    expect(new Set(all).size).toBe(all.length);
  }, 120_000);

  it('reconnects the workers and the coordinator when Redis restarts mid-sweep', async (context) => {
    redis.skipUnlessAvailable(context);
    const server = await startRedisServer(processes, { persistent: true, parent: directory });
    const restartUrl = `redis://127.0.0.1:${server.port}`;
    const worker = startWorker('r', restartUrl);
    await worker.waitFor(/takes runs/, 30_000);
    const out = join(directory, 'redis-restarted');
    const sweep = processes.startVane('sweep across a restart', [
      'sweep',
      ...SLOW_RUNS,
      '--lrs',
      '2e-3,2e-2',
      '--queue',
      restartUrl,
      '--out',
      out,
    ]);
    await sweep.waitFor(/\[1\/4 /, 60_000);
    // Down long enough for the clients to notice (a reconnection attempt fails) before it is back.
    await server.restart(1500);
    expect(await exitOf(sweep, 90_000), sweep.output()).toBe(0);
    expect(readdirSync(join(out, 'runs'))).toHaveLength(4);
    expect(worker.output()).toMatch(/connected again/);
    const finished = finishedRuns(worker);
    expect(new Set(finished).size).toBe(4);
    worker.kill('SIGKILL');
  }, 120_000);

  it('takes a Redis password from the URL and never prints it', async (context) => {
    redis.skipUnlessAvailable(context);
    const server = await startRedisServer(processes, { password: 's3cret-pass', parent: directory });
    const wrongOut = join(directory, 'wrong-password');
    const wrong = processes.startVane('wrong password', [
      'sweep',
      '--preset',
      'test',
      '--queue',
      `redis://:not-it@127.0.0.1:${server.port}`,
      '--out',
      wrongOut,
    ]);
    expect(await exitOf(wrong, 30_000)).toBe(2);
    expect(wrong.output().trim().split('\n')).toHaveLength(1);
    expect(wrong.output()).toMatch(/cannot use the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS/);
    expect(wrong.output()).not.toContain('not-it');
    expect(existsSync(wrongOut)).toBe(false);

    const passwordUrl = `redis://:s3cret-pass@127.0.0.1:${server.port}`;
    const worker = startWorker('p', passwordUrl);
    const sweep = processes.startVane('password sweep', [
      'sweep',
      '--preset',
      'test',
      '--queue',
      passwordUrl,
      '--out',
      join(directory, 'password'),
    ]);
    expect(await exitOf(sweep, 60_000), sweep.output()).toBe(0);
    expect(finishedRuns(worker)).toHaveLength(4);
    expect(sweep.output() + worker.output()).not.toContain('s3cret-pass');
    worker.kill('SIGKILL');
  }, 90_000);

  it('speaks TLS with rediss:// (the server certificate checked against NODE_EXTRA_CA_CERTS)', async (context) => {
    redis.skipUnlessAvailable(context);
    const server = await startRedisServer(processes, { tls: true, parent: directory });
    const tlsUrl = `rediss://127.0.0.1:${server.port}`;
    const untrusted = processes.startVane('untrusted certificate', [
      'sweep',
      '--preset',
      'test',
      '--queue',
      tlsUrl,
      '--out',
      join(directory, 'untrusted'),
    ]);
    expect(await exitOf(untrusted, 30_000)).toBe(2);
    expect(untrusted.output()).toMatch(/cannot use the queue at rediss:\/\/127\.0\.0\.1:\d+: .*certificate/i);

    const env = { NODE_EXTRA_CA_CERTS: server.caFile };
    const worker = startWorker('t', tlsUrl, env);
    const sweep = processes.startVane(
      'TLS sweep',
      ['sweep', '--preset', 'test', '--queue', tlsUrl, '--out', join(directory, 'tls')],
      { env },
    );
    expect(await exitOf(sweep, 60_000), sweep.output()).toBe(0);
    expect(finishedRuns(worker)).toHaveLength(4);
    worker.kill('SIGKILL');
  }, 90_000);

  it('a worker of another Vane version refuses the job and says why; the sweep fails naming both versions', async (context) => {
    redis.skipUnlessAvailable(context);
    const server = await startRedisServer(processes, { parent: directory });
    const address = parseQueueUrl('test', '--queue', `redis://127.0.0.1:${server.port}`);
    const lines: string[] = [];
    const worker = await startQueueWorker({
      address,
      name: 'old',
      version: '0.0.1-injected',
      lockMilliseconds: 3000,
      stalledIntervalMilliseconds: 1000,
      maxStalledCount: 1,
      log: (line) => lines.push(line),
    });
    try {
      const plan = sweepPlan({ ...SWEEP_PRESETS.test!, optimizers: ['adamw'], learningRates: [1e-3] });
      const records: unknown[] = [];
      const outcome = runOnQueue({ address, version: VANE_VERSION }, plan, {
        onProgress: () => {},
        onRecord: (record) => records.push(record),
        onNotice: () => {},
      });
      await expect(outcome).rejects.toThrow(RunFailedError);
      await expect(outcome).rejects.toThrow(
        new RegExp(
          `planned by vane "${VANE_VERSION.replaceAll('.', '\\.')}" and this worker runs vane 0\\.0\\.1-injected`,
        ),
      );
      expect(records).toEqual([]);
      expect(lines.join('\n')).toMatch(
        /refused job training-\S+ was planned by vane "[^"]+" and this worker runs vane 0\.0\.1-injected/,
      );
      expect(lines.join('\n')).not.toMatch(/ running /);
    } finally {
      await worker.close();
    }
  }, 60_000);
});
