/**
 * An error in what the user typed. The CLI prints its message as one line (no stack trace)
 * and exits with status 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
