// Spawns the `vane` command as a child process, as a user would run it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
/** The installed `vane` bin: it runs the TypeScript entry in-process through tsx. */
export const VANE_BIN = fileURLToPath(new URL('../bin/vane.mjs', import.meta.url));

/** The exit status and output of one `vane` invocation. */
export interface CliOutcome {
  status: number | null;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Whether the process was killed for running past `timeoutMs`. */
  timedOut: boolean;
}

/** Starts `vane ...args` from the cli package directory (or `cwd`) and returns the child. */
export function startCli(args: readonly string[], options: { cwd?: string } = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [VANE_BIN, ...args], { cwd: options.cwd ?? packageDirectory });
}

/** Collects a started child's output and waits for it to exit (killing it after `timeoutMs`). */
export function collectCli(child: ChildProcessWithoutNullStreams, timeoutMs = 55_000): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs `vane ...args` (through bin/vane.mjs) from the cli package directory. */
export function runCli(
  args: readonly string[],
  options: { timeoutMs?: number; cwd?: string } = {},
): Promise<CliOutcome> {
  return collectCli(startCli(args, options), options.timeoutMs);
}
