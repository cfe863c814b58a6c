// Spawns the `vane` command as a child process, as a user would run it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const entry = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

/** The exit status and output of one `vane` invocation. */
export interface CliOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `vane ...args` (through tsx) from the cli package directory. */
export function runCli(args: readonly string[]): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: packageDirectory });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
