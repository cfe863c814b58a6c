// The CLI's bad-input battery: every case runs `vane` as a subprocess, as a user would, and
// must end in one line on stderr, exit status 2, no stack trace, nothing on stdout (no run
// header) and nothing created or changed on disk (its working directory is compared before and
// after). A case that runs past its timeout is killed and counts as unclear, never as a hung test.
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBadInputBattery, type BadInputCase } from '@vane/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliOutcome } from './run-cli.js';

/** Milliseconds a bad input may take before it counts as a hang. */
const CASE_TIMEOUT_MS = 30_000;
/** Subprocesses at a time: each mostly waits for tsx to start. */
const CONCURRENCY = 3;

const root = mkdtempSync(join(tmpdir(), 'vane-battery-'));
/** Templates copied into a case's working directory by its setup. */
const templates = join(root, 'templates');

interface CliCase {
  args: string[];
  message: RegExp;
  /** Prepares the case's working directory (fixtures the arguments refer to). */
  setup?: (directory: string) => void;
}

/** Every file under `directory` with its size and modification time, to detect any write. */
function snapshot(directory: string): string[] {
  const entries: string[] = [];
  const walk = (path: string, name: string) => {
    const stats = statSync(path);
    entries.push(`${name} ${stats.isDirectory() ? 'dir' : `${stats.size} ${stats.mtimeMs}`}`);
    if (stats.isDirectory()) for (const child of readdirSync(path).sort()) walk(join(path, child), `${name}/${child}`);
  };
  walk(directory, '.');
  return entries;
}

const copy =
  (template: string, name = template) =>
  (directory: string) =>
    cpSync(join(templates, template), join(directory, name), { recursive: true });
const withFile = (path: string, content: string, template?: string) => (directory: string) => {
  if (template) copy(template, path.split('/')[0])(directory);
  mkdirSync(join(directory, path, '..'), { recursive: true });
  writeFileSync(join(directory, path), content);
};

const TRAIN_RUN = ['train', '--epochs', '2', '--train-limit', '64', '--out', 'run', '--resume'];
const SWEEP_RUN = ['sweep', '--preset', 'test', '--out', 'study', '--resume'];

const CASES: CliCase[] = [
  // Commands and flags.
  { args: ['frobnicate'], message: /^vane: unknown command 'frobnicate' \(valid: demo, train/ },
  { args: ['train', '--optimzer', 'adam'], message: /^vane train: unknown flag --optimzer \(valid: --model/ },
  { args: ['train', 'extra'], message: /^vane train: unexpected argument 'extra'/ },
  { args: ['train', '--lr'], message: /^vane train: --lr needs a value/ },
  { args: ['train', '--lr', 'abc'], message: /^vane train: --lr must be a number, got 'abc'/ },
  { args: ['train', '--lr', '0'], message: /^vane train: --lr must be greater than 0, got 0/ },
  { args: ['train', '--epochs', '0'], message: /^vane train: --epochs must be at least 1, got 0/ },
  { args: ['train', '--batch-size', '2.5'], message: /^vane train: --batch-size must be an integer, got 2.5/ },
  { args: ['train', '--seed', '-1'], message: /^vane train: --seed must be at least 0, got -1/ },
  { args: ['train', '--backend', 'tpu'], message: /^vane train: unknown backend 'tpu' \(valid: cpu, gpu\)/ },
  { args: ['train', '--model', 'rnn'], message: /^vane train: unknown model 'rnn' \(valid: mlp, cnn/ },
  { args: ['train', '--dataset', 'imagenet'], message: /^vane train: unknown dataset 'imagenet'/ },
  { args: ['train', '--model', 'cnn', '--dataset', 'spirals'], message: /^vane: .*model cnn needs an image dataset/ },
  { args: ['sweep', '--seeds', '0'], message: /^vane sweep: --seeds must be at least 1, got 0/ },
  { args: ['sweep', '--workers', '0'], message: /^vane sweep: --workers must be at least 1, got 0/ },
  { args: ['sweep', '--lrs', '1e-3,x'], message: /^vane sweep: --lrs must be a number, got 'x'/ },
  {
    args: ['graft', '--preset', 'huge'],
    message: /^vane graft: unknown preset 'huge' \(valid: quick, full, paper, test\)/,
  },
  { args: ['surge', '--batch-sizes', '8,0'], message: /^vane surge: --batch-sizes must be greater than 0, got 0/ },
  { args: ['surge', '--betas', '1,1'], message: /^vane surge: --betas must be two numbers in \[0, 1\)/ },
  { args: ['report'], message: /^vane report: expected one run directory/ },
  { args: ['report', 'a', 'b'], message: /^vane report: expected one run directory/ },
  // Optimizer expressions and their options: checked by building the optimizer before the header.
  {
    args: ['train', '--optimizer', 'adam(beta1=1.5)'],
    message: /^vane: invalid optimizer 'adam\(beta1=1.5\)': adam: 'betas\[0\]' must be in \[0, 1\), got 1.5/,
  },
  {
    args: ['train', '--optimizer', 'adamw(eps=0)'],
    message: /^vane: invalid optimizer 'adamw\(eps=0\)': adamw: 'eps' must be/,
  },
  {
    args: ['train', '--optimizer', 'rmsprop(alpha=3)'],
    message: /^vane: invalid optimizer 'rmsprop\(alpha=3\)': rmsprop: 'alpha' must be in \[0, 1\)/,
  },
  {
    args: ['train', '--optimizer', 'adam(foo=1)'],
    message: /^vane: unknown or malformed optimizer 'adam\(foo=1\)': adam takes no option 'foo'/,
  },
  {
    args: ['train', '--optimizer', 'active(adam'],
    message: /^vane: unknown or malformed optimizer 'active\(adam': missing \)/,
  },
  {
    args: ['train', '--optimizer', 'graft(adam)'],
    message: /^vane: unknown or malformed optimizer 'graft\(adam\)': graft takes 2 optimizers, got 1/,
  },
  { args: ['train', '--optimizer', ''], message: /^vane: unknown or malformed optimizer '': empty expression/ },
  {
    args: ['sweep', '--optimizers', 'adamw,lion(beta2=1)'],
    message: /^vane: invalid optimizer 'lion\(beta2=1\)': lion: 'betas\[1\]' must be in \[0, 1\)/,
  },
  // Output directories that cannot be written: checked before any work, for every command.
  {
    args: ['train', '--out', '/proc/vane-out'],
    message: /^vane train: --out '\/proc\/vane-out' cannot be used: '\/proc' is on the kernel's proc file system/,
  },
  {
    args: ['sweep', '--preset', 'test', '--out', '/proc/vane-out'],
    message: /^vane sweep: --out '\/proc\/vane-out' cannot be used: .*proc file system/,
  },
  {
    args: ['graft', '--preset', 'test', '--out', '/proc/1/vane'],
    message: /^vane graft: --out '\/proc\/1\/vane' cannot be used: .*proc file system/,
  },
  {
    args: ['surge', '--preset', 'test', '--out', '/sys/vane-out'],
    message: /^vane surge: --out '\/sys\/vane-out' cannot be used: .*sysfs file system/,
  },
  {
    args: ['train', '--out', '/etc/hostname/sub'],
    message: /^vane train: --out '\/etc\/hostname\/sub' cannot be used: '\/etc\/hostname' is not a directory/,
  },
  {
    args: ['sweep', '--out', 'a-file/sub/dir'],
    message: /^vane sweep: --out 'a-file\/sub\/dir' cannot be used: '.*a-file' is not a directory/,
    setup: withFile('a-file', 'not a directory'),
  },
  {
    args: ['graft', '--out', 'a-file'],
    message: /^vane graft: --out 'a-file' cannot be used: it exists and is not a directory/,
    setup: withFile('a-file', 'x'),
  },
  { args: ['train', '--out', ''], message: /^vane train: --out '' cannot be used: the path is empty/ },
  { args: ['report', '/proc'], message: /^vane report: the directory '\/proc' cannot be used: .*proc file system/ },
  // --resume: what it continues must exist and have the same settings.
  {
    args: ['train', '--resume', '--out', 'nothing-here'],
    message: /^vane train: --resume needs nothing-here\/checkpoint.safetensors, which does not exist/,
  },
  {
    args: [...TRAIN_RUN, '--lr', '0.01'],
    message: /^vane train: --resume with a different --lr: the run in run used 0.001, this command gives 0.01/,
    setup: copy('train-run', 'run'),
  },
  {
    args: [...TRAIN_RUN, '--batch-size', '32'],
    message: /^vane train: --resume with a different --batch-size: the run in run used 64, this command gives 32/,
    setup: copy('train-run', 'run'),
  },
  {
    args: [...TRAIN_RUN, '--seed', '3'],
    message: /^vane train: --resume with a different --seed: the run in run used 0, this command gives 3/,
    setup: copy('train-run', 'run'),
  },
  {
    args: [...TRAIN_RUN.filter((arg) => arg !== '64' && arg !== '--train-limit')],
    message:
      /^vane train: --resume with a different --train-limit: the run in run used 64, this command gives \(not set\)/,
    setup: copy('train-run', 'run'),
  },
  {
    args: [...TRAIN_RUN, '--model', 'cnn'],
    message: /^vane train: --resume with a different --model: the run in run used mlp, this command gives cnn/,
    setup: copy('train-run', 'run'),
  },
  {
    args: [...TRAIN_RUN, '--optimizer', 'adamw'],
    message:
      /^vane train: --resume with a different --optimizer: the run in run used active\(adamw\), this command gives adamw/,
    setup: copy('train-run', 'run'),
  },
  {
    args: [...TRAIN_RUN, '--dataset', 'spirals'],
    message: /^vane train: --resume with a different --dataset: the run in run used digits, this command gives spirals/,
    setup: copy('train-run', 'run'),
  },
  {
    args: ['train', '--epochs', '2', '--train-limit', '64', '--out', 'run'],
    message: /^vane train: run already holds a run \(run\/checkpoint.safetensors\); continue it with --resume/,
    setup: copy('train-run', 'run'),
  },
  {
    args: TRAIN_RUN,
    message:
      /^vane train: cannot check that --resume continues the same run: run\/run.json is damaged: the file is empty \(0 bytes\)/,
    setup: withFile('run/run.json', '', 'train-run'),
  },
  {
    args: TRAIN_RUN,
    message: /^vane train: cannot check that --resume continues the same run: run\/run.json does not exist/,
    setup: (directory) => {
      copy('train-run', 'run')(directory);
      rmSync(join(directory, 'run/run.json'));
    },
  },
  {
    args: TRAIN_RUN,
    message: /^vane train: cannot resume from run\/checkpoint.safetensors: /,
    setup: withFile('run/checkpoint.safetensors', '', 'train-run'),
  },
  // Distributed studies: the queue URL is parsed and the queue reached before any work starts.
  {
    args: ['sweep', '--preset', 'test', '--queue', 'redis.lab:6379'],
    message: /^vane sweep: --queue must start with redis:\/\/ or rediss:\/\/ \(TLS\)/,
  },
  {
    args: ['sweep', '--preset', 'test', '--queue', 'not a url'],
    message: /^vane sweep: --queue must be a URL such as redis:\/\/127\.0\.0\.1:6379/,
  },
  {
    args: ['graft', '--preset', 'test', '--queue', 'redis://127.0.0.1:1/queue'],
    message: /^vane graft: --queue's path must be a database number such as \/0, got '\/queue'/,
  },
  {
    args: ['sweep', '--preset', 'test', '--out', 'study', '--queue', 'redis://:secret@127.0.0.1:1'],
    message: /^vane sweep: cannot use the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:1: connect ECONNREFUSED/,
  },
  {
    args: ['surge', '--preset', 'test', '--queue', 'rediss://127.0.0.1:1'],
    message: /^vane surge: cannot use the queue at rediss:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/,
  },
  {
    args: ['sweep', '--preset', 'test', '--workers', '2', '--queue', 'redis://127.0.0.1:1'],
    message: /^vane sweep: --workers sets local threads and cannot be combined with --queue/,
  },
  { args: ['worker'], message: /^vane worker: --queue is required, e\.g\. --queue redis:\/\/127\.0\.0\.1:6379/ },
  {
    args: ['worker', '--queue', 'redis://127.0.0.1:1'],
    message: /^vane worker: cannot use the queue at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/,
  },
  {
    args: ['worker', '--queue', 'redis://127.0.0.1:1', '--lock-seconds', '0'],
    message: /^vane worker: --lock-seconds must be greater than 0, got 0/,
  },
  {
    args: ['worker', '--queue', 'redis://127.0.0.1:1', '--name', 'a b'],
    message: /^vane worker: --name may hold letters, digits and \. _ - @ \/ \(up to 100\), got 'a b'/,
  },
  {
    args: ['worker', '--queue', 'redis://127.0.0.1:1', '--threads', '2'],
    message: /^vane worker: unknown flag --threads \(valid: --queue, --name/,
  },
  {
    args: ['sweep', '--preset', 'test', '--resume', '--out', 'nothing-here'],
    message: /^vane sweep: --resume needs nothing-here\/study.json, which does not exist/,
  },
  {
    args: [...SWEEP_RUN, '--lrs', '1e-3'],
    message:
      /^vane sweep: --resume with a different --lrs: the study in study used \[0.0001,0.01\], this command gives \[0.001\]/,
    setup: copy('sweep-study', 'study'),
  },
  {
    args: [...SWEEP_RUN, '--epochs', '2'],
    message: /^vane sweep: --resume with a different --epochs: the study in study used 1, this command gives 2/,
    setup: copy('sweep-study', 'study'),
  },
  {
    args: ['graft', '--preset', 'test', '--out', 'study', '--resume'],
    message: /^vane graft: study holds a sweep study, not a graft study/,
    setup: copy('sweep-study', 'study'),
  },
  {
    args: ['sweep', '--preset', 'test', '--out', 'study'],
    message: /^vane sweep: study already holds a study \(study.json, results.json, runs\); continue it with --resume/,
    setup: copy('sweep-study', 'study'),
  },
  {
    args: SWEEP_RUN,
    message: /^vane sweep: study\/study.json is damaged: not valid JSON/,
    setup: withFile('study/study.json', '{"study": "sw', 'sweep-study'),
  },
  {
    args: SWEEP_RUN,
    message: /^vane sweep: study\/runs\/training-[0-9a-f]{16}\.json is damaged: the file is empty/,
    setup: (directory) => {
      copy('sweep-study', 'study')(directory);
      const record = readdirSync(join(directory, 'study/runs'))[0]!;
      truncateSync(join(directory, 'study/runs', record));
    },
  },
  // Damaged run directories given to report.
  {
    args: ['report', 'run'],
    message: /^vane report: run\/log.json is damaged: the file is empty \(0 bytes\)/,
    setup: withFile('run/log.json', '', 'train-run'),
  },
  {
    args: ['report', 'run'],
    message: /^vane report: run\/log.json is damaged: not valid JSON/,
    setup: withFile('run/log.json', '{"spec": {"model"', 'train-run'),
  },
  {
    args: ['report', 'run'],
    message: /^vane report: run\/log.json is damaged: expected an object with spec, backend and epochs/,
    setup: withFile('run/log.json', '[null, null]', 'train-run'),
  },
  {
    args: ['report', 'run'],
    message: /^vane report: run\/log.json is damaged: 'spec.model' is missing or not a string/,
    setup: withFile('run/log.json', '{"spec": {}, "epochs": []}', 'train-run'),
  },
  {
    args: ['report', 'run'],
    message: /^vane report: run\/log.json is damaged: 'epochs\[1\]' is null/,
    setup: withFile(
      'run/log.json',
      JSON.stringify({
        spec: { model: 'mlp', dataset: 'digits', optimizer: 'adamw', lr: 1, batchSize: 1, seed: 0 },
        epochs: [{ epoch: 1, loss: 1 }, null],
      }),
      'train-run',
    ),
  },
  {
    args: ['report', 'study'],
    message: /^vane report: study\/results.json is damaged: not valid JSON/,
    setup: withFile('study/results.json', '{"study":', 'sweep-study'),
  },
  {
    args: ['report', 'study'],
    message: /^vane report: study\/results.json is damaged: 'study' is "other"/,
    setup: withFile('study/results.json', '{"study": "other", "config": {}}', 'sweep-study'),
  },
  {
    args: ['report', 'study'],
    message: /^vane report: study\/table.md is damaged: the file is empty/,
    setup: withFile('study/table.md', '', 'sweep-study'),
  },
  {
    args: ['report', 'study'],
    message: /^vane report: study\/table.md is damaged: there is no results.json next to it/,
    setup: withFile('study/table.md', '# a table\n'),
  },
  {
    args: ['report', 'holder'],
    message: /^vane report: holder\/study\/results.json is damaged: 'config' is missing/,
    setup: withFile('holder/study/results.json', '{"study": "sweep"}'),
  },
  { args: ['report', 'a-file'], message: /^vane report: 'a-file' is not a directory/, setup: withFile('a-file', 'x') },
  {
    args: ['report', 'empty'],
    message: /^vane report: no results in 'empty'/,
    setup: (directory) => mkdirSync(join(directory, 'empty')),
  },
];

/** Runs one case in a fresh working directory and turns its outcome into what the battery classifies. */
async function tryCase(cliCase: CliCase): Promise<CliOutcome & { changed: string[] }> {
  const directory = mkdtempSync(join(root, 'case-'));
  cliCase.setup?.(directory);
  const before = snapshot(directory);
  const outcome = await runCli(cliCase.args, { cwd: directory, timeoutMs: CASE_TIMEOUT_MS });
  const after = snapshot(directory);
  const changed = [
    ...after.filter((entry) => !before.includes(entry)),
    ...before.filter((entry) => !after.includes(entry)).map((entry) => `removed ${entry}`),
  ];
  return { ...outcome, changed };
}

function judge(outcome: CliOutcome & { changed: string[] }): never | CliOutcome {
  if (outcome.timedOut) throw new Error(`NOT CLEAR: no exit within ${CASE_TIMEOUT_MS} ms (hang)`);
  if (outcome.status === 0) return outcome; // accepted: the battery counts it as silent
  const lines = outcome.stderr.trim().split('\n');
  const problems = [
    outcome.status !== 2 && `exit status ${outcome.status ?? outcome.signal}`,
    lines.length !== 1 && `${lines.length} lines on stderr`,
    /\n\s+at /.test(outcome.stderr) && 'a stack trace',
    outcome.stdout !== '' && `stdout ${JSON.stringify(outcome.stdout.slice(0, 120))}`,
    outcome.changed.length > 0 && `changed on disk: ${outcome.changed.slice(0, 3).join('; ')}`,
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`NOT CLEAR (${problems.join(', ')}): ${outcome.stderr.slice(0, 400)}`);
  throw new Error(lines[0]);
}

describe('vane bad-input battery', () => {
  beforeAll(async () => {
    // A finished one-epoch training run and a finished test-preset sweep, copied into the cases that damage or resume them.
    mkdirSync(templates);
    const [train, sweep] = await Promise.all([
      runCli(['train', '--epochs', '1', '--train-limit', '64', '--out', join(templates, 'train-run')]),
      runCli(['sweep', '--preset', 'test', '--workers', '1', '--out', join(templates, 'sweep-study')]),
    ]);
    expect(train.status, train.stderr).toBe(0);
    expect(sweep.status, sweep.stderr).toBe(0);
    expect(readFileSync(join(templates, 'train-run', 'run.json'), 'utf8')).toMatch(/"lr": 0.001/);
  }, 120_000);

  it('every bad input prints one line, exits with 2, and creates nothing', async () => {
    // Start the subprocesses a few at a time; the battery then classifies them in order.
    const outcomes: Promise<CliOutcome & { changed: string[] }>[] = [];
    const slots: Promise<unknown>[] = [];
    for (const cliCase of CASES) {
      if (slots.length >= CONCURRENCY) await Promise.race(slots);
      const outcome = tryCase(cliCase);
      outcomes.push(outcome);
      const slot: Promise<unknown> = outcome.finally(() => slots.splice(slots.indexOf(slot), 1));
      slots.push(slot);
    }
    const cases: BadInputCase[] = CASES.map((cliCase, index) => ({
      name: `vane ${cliCase.args.map((arg) => (arg === '' || /\s|\(/.test(arg) ? `'${arg}'` : arg)).join(' ')}`,
      run: async () => judge(await outcomes[index]!),
      message: cliCase.message,
    }));
    const report = await runBadInputBattery('cli', cases);
    console.log(report.summary);
    expect(report.failures).toEqual([]);
    expect(report.tried).toBe(CASES.length);
  }, 600_000);
});
