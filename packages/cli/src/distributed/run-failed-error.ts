/**
 * A run of a distributed study failed on a worker, or was refused by one. The CLI prints the
 * message as one line and exits with status 1; the finished runs are kept and the study is
 * continued with `--resume`.
 */
export class RunFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFailedError';
  }
}
