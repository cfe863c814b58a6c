/**
 * The work was stopped by a signal (Ctrl-C is SIGINT; `kill` sends SIGTERM). The CLI prints
 * its message as one line and exits with 128 + the signal number, as a shell expects.
 */
export class InterruptedError extends Error {
  constructor(
    /** The signal that stopped the work. */
    readonly signal: NodeJS.Signals,
    /** What was kept, for the message (`3 of 8 runs kept in runs/x/runs; continue with --resume`). */
    detail?: string,
  ) {
    super(`interrupted by ${signal}${detail ? `; ${detail}` : ''}`);
    this.name = 'InterruptedError';
  }
}
