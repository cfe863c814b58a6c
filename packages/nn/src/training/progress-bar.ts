/**
 * The progress display of `fit`: a redrawn bar on a terminal, plain lines otherwise (logs,
 * CI, pipes), so that captured output stays readable.
 *
 * Source: `packages/nn/src/training/progress-bar.ts`.
 */

/** Where progress goes: anything with `write`, and `isTTY` when it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Formats seconds as `12s`, `3m04s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/** Formats a log value with 4 significant digits. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(3);
  return value.toPrecision(4);
}

/**
 * One epoch's progress: `epoch 2/10 [=======>.....] 12/23 41.2 steps/s loss 0.2345 ETA 3s`.
 *
 * On a TTY the line is redrawn in place at most every `minimumInterval` ms; otherwise
 * nothing is written until {@link ProgressBar.finish}, which prints one plain line.
 *
 * @example
 * const bar = new ProgressBar(process.stdout, 'epoch 1/3', 23);
 * bar.update(1, { loss: 2.3 });
 * bar.finish({ loss: 0.5, validationLoss: 0.6 });
 */
export class ProgressBar {
  private readonly started = performance.now();
  private lastDrawn = 0;
  private steps = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly minimumInterval = 100,
  ) {}

  /** Records that `steps` steps are done, with the running `logs`. */
  update(steps: number, logs: Record<string, number>): void {
    this.steps = steps;
    if (!this.stream.isTTY) return;
    const now = performance.now();
    if (now - this.lastDrawn < this.minimumInterval && steps !== this.total) return;
    this.lastDrawn = now;
    this.stream.write(`\r\u001b[2K${this.line(logs, false)}`);
  }

  /** Ends the epoch with its final logs (one plain line, or the completed bar on a TTY). */
  finish(logs: Record<string, number>): void {
    const text = this.line(logs, true);
    this.stream.write(this.stream.isTTY ? `\r\u001b[2K${text}\n` : `${text}\n`);
  }

  private line(logs: Record<string, number>, done: boolean): string {
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.steps / elapsed : 0;
    const parts = [this.label];
    if (this.total !== undefined && this.stream.isTTY) {
      const width = 20;
      const filled = Math.min(width, Math.floor((this.steps / this.total) * width));
      parts.push(
        `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (filled === width ? '=' : '>') : ''}${'.'.repeat(width - filled)}]`,
      );
    }
    parts.push(this.total !== undefined ? `${this.steps}/${this.total}` : `${this.steps}`);
    parts.push(`${rate.toFixed(1)} steps/s`);
    for (const [name, value] of Object.entries(logs)) parts.push(`${name} ${formatValue(value)}`);
    if (done) parts.push(`${formatDuration(elapsed)}`);
    else if (this.total !== undefined && rate > 0)
      parts.push(`ETA ${formatDuration((this.total - this.steps) / rate)}`);
    return parts.join(' ');
  }
}
