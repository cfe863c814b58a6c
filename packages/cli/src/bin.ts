/**
 * The `vane` command's entry point: dispatches to a command and turns usage errors into one
 * line on stderr and exit status 2, and an interruption by a signal into one line and exit
 * status 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
 */
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { graftCommand, GRAFT_USAGE } from './commands/graft-command.js';
import { reportCommand } from './commands/report-command.js';
import { surgeCommand, SURGE_USAGE } from './commands/surge-command.js';
import { sweepCommand, SWEEP_USAGE } from './commands/sweep-command.js';
import { trainCommand, TRAIN_USAGE } from './commands/train-command.js';
import { workerCommand, WORKER_USAGE } from './commands/worker-command.js';
import { RunFailedError } from './distributed/run-failed-error.js';
import { tensorTour } from './tensor-tour.js';
import { InterruptedError } from './interrupted-error.js';
import { UsageError } from './usage-error.js';

/** The directory of `vane demo`. */
const DEMO_OUT = 'runs/quick-sweep';

/**
 * `vane demo`: the quick sweep into runs/quick-sweep. Once that directory holds the study, the
 * demo continues it (`--resume`), so running the demo again finishes an interrupted demo or
 * reprints a finished one instead of refusing the existing directory.
 */
function demoCommand(argv: readonly string[]): Promise<string> {
  const resume =
    !argv.some((flag) => flag === '--out' || flag.startsWith('--out=') || flag === '--resume') &&
    existsSync(join(DEMO_OUT, 'study.json'));
  return sweepCommand(['--preset', 'quick', ...(resume ? ['--resume'] : []), ...argv], DEMO_OUT);
}

/** Every command with its one-line description. */
const COMMANDS: Record<string, { summary: string; run: (argv: readonly string[]) => Promise<unknown> | unknown }> = {
  demo: {
    summary: 'the main job: `vane sweep --preset quick --out runs/quick-sweep` (continued with --resume once started)',
    run: demoCommand,
  },
  train: { summary: 'train one model (progress, checkpoints, JSON log, --resume)', run: trainCommand },
  sweep: { summary: 'learning-rate robustness study (optimizers × learning rates × seeds)', run: sweepCommand },
  graft: {
    summary: 'M#D grafting grid: how much the magnitude (rows) vs the direction (columns) matters',
    run: graftCommand,
  },
  surge: {
    summary: 'optimal learning rate vs batch size, fitted B_noise and ε_max (Surge protocol)',
    run: surgeCommand,
  },
  worker: {
    summary: 'execute the runs of studies started with --queue redis://… (docs/distributed.md)',
    run: workerCommand,
  },
  report: {
    summary: 'markdown report (tables and plots) of the runs in a directory: vane report runs/<dir>',
    run: reportCommand,
  },
  tour: { summary: 'a short tour of the tensor core', run: () => tensorTour() },
};

function usage(): string {
  return `usage: vane <command> [flags]\n\ncommands:\n${Object.entries(COMMANDS)
    .map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`)
    .join('\n')}\n\n${TRAIN_USAGE}\n\n${SWEEP_USAGE}\n\n${GRAFT_USAGE}\n\n${SURGE_USAGE}\n\n${WORKER_USAGE}`;
}

async function main(argv: readonly string[]): Promise<void> {
  const [name = 'demo', ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`vane: unknown command '${name}' (valid: ${Object.keys(COMMANDS).join(', ')})`);
  await command.run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    const message = error.message.startsWith('vane') ? error.message : `vane: ${error.message}`;
    console.error(message);
    process.exit(2);
  }
  if (error instanceof RunFailedError) {
    console.error(`vane: ${error.message}`);
    process.exit(1);
  }
  if (error instanceof InterruptedError) {
    console.error(`vane: ${error.message}`);
    process.exit(128 + (constants.signals[error.signal] ?? 0));
  }
  console.error(error);
  process.exit(1);
});
