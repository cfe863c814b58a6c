/**
 * The Sweep tab: AdamW against active(AdamW) over a learning-rate grid, the runs spread over
 * several workers, final accuracy against learning rate plotted as each run finishes.
 */
import {
  meanAccuracy,
  sweepPlan,
  SWEEP_LEARNING_RATES,
  SWEEP_OPTIMIZERS,
  type SweepResult,
} from '../training/sweep-plan.js';
import type { PageMessage, WorkerMessage } from '../training/worker-messages.js';
import { LineChart } from './charts.js';
import { element, showError, startWorker } from './dom.js';

/** Workers by default: one per core but one (the page's), at most 4, at least 1. */
export function defaultWorkerCount(cores: number | undefined): number {
  return Math.max(1, Math.min(4, (cores ?? 2) - 1));
}

/** Wires the Sweep tab. */
export function setUpSweepTab(): void {
  const form = element('sweep-form', HTMLFormElement);
  const runButton = element('sweep-button', HTMLButtonElement);
  const stopButton = element('sweep-stop-button', HTMLButtonElement);
  const status = element('sweep-status', HTMLElement);
  const errorBox = element('sweep-error', HTMLElement);
  const rows = element('sweep-rows', HTMLElement);
  const workersInput = element('sweep-workers', HTMLInputElement);
  workersInput.value = String(defaultWorkerCount(navigator.hardwareConcurrency));
  let chart: LineChart | undefined;
  let workers: Worker[] = [];

  const stop = (text: string) => {
    for (const worker of workers) worker.terminate();
    workers = [];
    runButton.disabled = false;
    stopButton.disabled = true;
    status.textContent = text;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    showError(errorBox, undefined);
    const epochs = Number(element('sweep-epochs', HTMLInputElement).value);
    const seeds = Number(element('sweep-seeds', HTMLInputElement).value);
    const workerCount = Number(workersInput.value);
    if (![epochs, seeds, workerCount].every((value) => Number.isInteger(value) && value >= 1)) {
      showError(
        errorBox,
        `Sweep: epochs, seeds and workers must be positive integers, got ${epochs}, ${seeds} and ${workerCount}`,
      );
      return;
    }
    // The tab is visible now, so the chart gets its real width.
    chart ??= new LineChart(element('sweep-chart', HTMLElement), {
      xLabel: 'learning rate',
      yLabel: 'final validation accuracy',
      logX: true,
      yRange: [0, 1],
      series: SWEEP_OPTIMIZERS.map((optimizer, index) => ({
        label: optimizer,
        color: index === 0 ? '#4a78c2' : '#d2691e',
      })),
    });
    chart.clear();
    rows.replaceChildren();
    const plan = sweepPlan({ epochs, seeds });
    const results: SweepResult[] = [];
    let next = 0;
    runButton.disabled = true;
    stopButton.disabled = false;
    status.textContent = `Running ${plan.length} runs on ${Math.min(workerCount, plan.length)} workers…`;
    const started = performance.now();

    const finish = (result: SweepResult) => {
      results.push(result);
      for (const lr of SWEEP_LEARNING_RATES)
        chart!.add(
          lr,
          SWEEP_OPTIMIZERS.map((optimizer) => meanAccuracy(results, optimizer, lr)),
        );
      chart!.draw();
      const row = document.createElement('tr');
      for (const text of [
        result.optimizer,
        String(result.lr),
        String(result.seed),
        Number.isNaN(result.accuracy) ? 'failed' : result.accuracy.toFixed(3),
      ]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      rows.append(row);
      status.textContent = `${results.length}/${plan.length} runs finished…`;
      if (results.length === plan.length)
        stop(`Done: ${plan.length} runs in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    };

    const assign = (worker: Worker) => {
      if (next >= plan.length) return;
      const runId = next++;
      const configuration = plan[runId]!;
      worker.onmessage = (message: MessageEvent<WorkerMessage>) => {
        const data = message.data;
        if (data.runId !== runId) return;
        if (data.type === 'done') {
          const last = data.records.at(-1);
          finish({
            optimizer: configuration.optimizer,
            lr: configuration.lr,
            seed: configuration.seed,
            accuracy: last && Number.isFinite(last.loss) ? last.validationAccuracy : 0.1,
          });
          assign(worker);
        } else if (data.type === 'error') {
          showError(errorBox, `Run ${configuration.optimizer} lr=${configuration.lr}: ${data.message}`);
          finish({ optimizer: configuration.optimizer, lr: configuration.lr, seed: configuration.seed, accuracy: NaN });
          assign(worker);
        }
      };
      worker.postMessage({ type: 'start', runId, configuration, reportSteps: false } satisfies PageMessage);
    };
    workers = Array.from({ length: Math.min(workerCount, plan.length) }, () => startWorker());
    workers.forEach(assign);
  });
  stopButton.addEventListener('click', () => stop('Sweep stopped; the finished runs stay plotted.'));
}
