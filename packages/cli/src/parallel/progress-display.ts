/**
 * Progress of a study spread over worker threads: on a terminal, one redrawn line per worker
 * plus a total; in logs and pipes, one line per finished run naming its worker.
 */

/** Where progress goes (process.stderr by default). */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * A worker: a thread's index (shown as `worker 1`, `worker 2`, …) or, for `vane worker`
 * processes on the queue, the worker's name (shown as `worker <name>`).
 */
export type WorkerLabel = number | string;

function labelOf(worker: WorkerLabel): string {
  return typeof worker === 'number' ? `worker ${worker + 1}` : `worker ${worker}`;
}

/** Shows what every worker is doing and how many runs are done. */
export class ProgressDisplay {
  // By label, in the order the workers were first seen (threads are all known at the start).
  private readonly workerLines = new Map<string, string>();
  private finished = 0;
  private drawnLines = 0;
  private readonly started = performance.now();

  constructor(
    private readonly total: number,
    workers: number,
    private readonly sink: ProgressSink = process.stderr,
  ) {
    for (let worker = 0; worker < workers; worker++) this.workerLines.set(labelOf(worker), 'starting');
  }

  /** Records a worker's latest progress line (redraws on a terminal). */
  update(worker: WorkerLabel, text: string): void {
    this.workerLines.set(labelOf(worker), text);
    if (this.sink.isTTY) this.redraw();
  }

  /** Records a finished run. */
  complete(worker: WorkerLabel, text: string): void {
    this.finished++;
    if (this.sink.isTTY) {
      this.workerLines.set(labelOf(worker), `done: ${text}`);
      this.redraw();
    } else {
      this.sink.write(
        `[${String(this.finished).padStart(String(this.total).length)}/${this.total} ${this.elapsed()}] ${labelOf(worker)}: ${text}\n`,
      );
    }
  }

  /** Leaves the last drawing in place and moves below it. */
  close(): void {
    if (this.sink.isTTY) this.sink.write('\n');
  }

  private elapsed(): string {
    return `${Math.round((performance.now() - this.started) / 1000)}s`;
  }

  private redraw(): void {
    const lines = [
      `${this.finished}/${this.total} runs done, ${this.elapsed()}`,
      ...[...this.workerLines].map(([label, line]) => `  ${label}: ${line}`),
    ];
    // Move back to the first line drawn last time and clear each line before rewriting it.
    const up = this.drawnLines > 1 ? `\x1b[${this.drawnLines - 1}A` : '';
    this.sink.write(
      `\r${up}${lines.map((line) => `\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`).join('\n')}`,
    );
    this.drawnLines = lines.length;
  }
}
