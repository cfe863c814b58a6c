// Child processes of the distributed tests: each in its own process group (so that a kill
// reaches the worker threads and anything it started), with its output collected, waitable
// for a line, and stopped for sure when the test file ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { VANE_BIN } from './run-cli.js';

/** A started process. */
export interface TestProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (rejects after `timeoutMs` or when the process exits first). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit status (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` to the process group. */
  kill(signal: NodeJS.Signals): void;
}

/** Every process started through {@link ProcessGroup}, for {@link ProcessGroup.stopAll}. */
export class ProcessGroup {
  private readonly started: TestProcess[] = [];

  /** Starts `command args` in a process group of its own. */
  start(
    name: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ): TestProcess {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const listeners = new Set<() => void>();
    const append = (chunk: Buffer) => {
      text += chunk.toString();
      for (const listener of listeners) listener();
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    let done = false;
    const exited = new Promise<number | string>((resolve) => {
      child.on('close', (status, signal) => {
        done = true;
        for (const listener of listeners) listener();
        resolve(status ?? signal ?? 'unknown');
      });
    });
    const started: TestProcess = {
      name,
      child,
      output: () => text,
      exited,
      kill(signal) {
        if (done || child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      },
      waitFor(pattern, timeoutMs) {
        return new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => finish(new Error(`${name}: no ${pattern} within ${timeoutMs} ms; output:\n${text.slice(-3000)}`)),
            timeoutMs,
          );
          const check = () => {
            const match = text.match(pattern);
            if (match) finish(undefined, match);
            else if (done) finish(new Error(`${name} exited before ${pattern}; output:\n${text.slice(-3000)}`));
          };
          const finish = (error?: Error, match?: RegExpMatchArray) => {
            clearTimeout(timer);
            listeners.delete(check);
            if (error) reject(error);
            else resolve(match!);
          };
          listeners.add(check);
          check();
        });
      },
    };
    this.started.push(started);
    return started;
  }

  /** Starts `vane ...args` (bin/vane.mjs) in the cli package directory. */
  startVane(name: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): TestProcess {
    return this.start(name, process.execPath, [VANE_BIN, ...args], {
      cwd: new URL('..', import.meta.url).pathname,
      env: options.env,
    });
  }

  /** Kills every process group still running (SIGKILL) and waits for the processes to exit. */
  async stopAll(): Promise<void> {
    for (const started of this.started) started.kill('SIGKILL');
    await Promise.all(this.started.map((started) => started.exited));
  }
}

/** Whether Debian's redis-server is installed: true, or why not. */
export function probeRedisServer(): true | string {
  return existsSync('/usr/bin/redis-server') ? true : '/usr/bin/redis-server does not exist';
}
