/**
 * The Train tab: the form, Stop and Resume, and the live loss, accuracy and gain plots of one
 * run in a worker. `?autorun=1` starts the default run as the page loads and writes the final
 * validation accuracy into `#final-accuracy` (what the browser test waits for).
 */
import { configurationFromQuery, type RunConfiguration } from '../training/run-configuration.js';
import type { EpochRecord } from '../training/training-session.js';
import type { BackendReport, PageMessage, WorkerMessage } from '../training/worker-messages.js';
import { BarChart, LineChart } from './charts.js';
import { element, showError, startWorker } from './dom.js';
import { readIdxFiles } from './idx-files.js';

/** What the page exposes on `window.vanePlayground` for tests and the curious. */
export interface PlaygroundRun {
  configuration: RunConfiguration;
  backend?: BackendReport;
  /** Every batch's loss, in step order. */
  losses: number[];
  records: EpochRecord[];
  state: 'starting' | 'training' | 'paused' | 'done' | 'failed';
  error?: string;
}

const COLORS = { batch: '#4a78c2', train: '#1b3f7a', validation: '#d2691e', gains: '#2e8b57' };

function readForm(): RunConfiguration {
  const number = (id: string) => Number(element(id, HTMLInputElement).value);
  const backend = (document.querySelector('input[name="backend"]:checked') as HTMLInputElement | null)?.value ?? 'cpu';
  const dataset = element('dataset', HTMLSelectElement).value as RunConfiguration['dataset'];
  return {
    dataset,
    model: element('model', HTMLSelectElement).value as RunConfiguration['model'],
    optimizer: element('optimizer', HTMLInputElement).value,
    lr: number('lr'),
    batchSize: number('batch-size'),
    epochs: number('epochs'),
    backend: backend as RunConfiguration['backend'],
    seed: 0,
    ...(dataset === 'fashion-mnist' ? { exampleLimit: number('example-limit') } : {}),
  };
}

function writeForm(configuration: RunConfiguration): void {
  element('dataset', HTMLSelectElement).value = configuration.dataset;
  element('model', HTMLSelectElement).value = configuration.model;
  element('optimizer', HTMLInputElement).value = configuration.optimizer;
  element('lr', HTMLInputElement).value = String(configuration.lr);
  element('batch-size', HTMLInputElement).value = String(configuration.batchSize);
  element('epochs', HTMLInputElement).value = String(configuration.epochs);
  element(`backend-${configuration.backend}`, HTMLInputElement).checked = true;
}

/** True when the focus is on `button` (about to be disabled) or was dropped to the page. */
function focusIsLost(button: HTMLButtonElement): boolean {
  return (
    document.activeElement === button || document.activeElement === document.body || document.activeElement === null
  );
}

/** Wires the Train tab; returns nothing, the page keeps it alive. */
export function setUpTrainTab(query: URLSearchParams): void {
  const form = element('train-form', HTMLFormElement);
  const trainButton = element('train-button', HTMLButtonElement);
  const stopButton = element('stop-button', HTMLButtonElement);
  const resumeButton = element('resume-button', HTMLButtonElement);
  const status = element('train-status', HTMLElement);
  const errorBox = element('train-error', HTMLElement);
  const datasetSelect = element('dataset', HTMLSelectElement);
  const fashionFiles = element('fashion-files', HTMLElement);
  const filesInput = element('idx-files', HTMLInputElement);
  const gainsFigure = element('gains-figure', HTMLElement);

  const lossChart = new LineChart(element('loss-chart', HTMLElement), {
    xLabel: 'step',
    yLabel: 'cross-entropy',
    series: [
      { label: 'batch loss', color: COLORS.batch },
      { label: 'validation loss', color: COLORS.validation, pointsOnly: true },
    ],
  });
  const accuracyChart = new LineChart(element('accuracy-chart', HTMLElement), {
    xLabel: 'epoch',
    yLabel: 'accuracy',
    yRange: [0, 1],
    series: [
      { label: 'training', color: COLORS.train },
      { label: 'validation', color: COLORS.validation },
    ],
  });
  let gainsChart: BarChart | undefined;

  let worker: Worker | undefined;
  let runId = 0;
  let run: PlaygroundRun | undefined;
  let drawScheduled = false;
  const scheduleDraw = () => {
    if (drawScheduled) return;
    drawScheduled = true;
    // One redraw per frame however many steps arrived: the page stays smooth on a fast backend.
    requestAnimationFrame(() => {
      drawScheduled = false;
      lossChart.draw();
      accuracyChart.draw();
    });
  };

  const setState = (state: PlaygroundRun['state'], text: string) => {
    if (run) run.state = state;
    status.textContent = text;
    trainButton.disabled = state === 'starting';
    stopButton.disabled = state !== 'training';
    resumeButton.disabled = state !== 'paused';
  };

  const onMessage = (event: MessageEvent<WorkerMessage>) => {
    const message = event.data;
    if (message.runId !== runId || !run) return; // a message about an abandoned run
    switch (message.type) {
      case 'started':
        run.backend = message.backend;
        element('kernel-class', HTMLElement).textContent = message.backend.kernelClass;
        element('renderer', HTMLElement).textContent = message.backend.renderer;
        setState(
          'training',
          `Training on ${message.backend.backend.toUpperCase()} (${message.backend.kernelClass}), ${message.stepsPerEpoch} steps per epoch…`,
        );
        break;
      case 'step':
        run.losses.push(message.loss);
        lossChart.add(message.step, [message.loss, null]);
        scheduleDraw();
        break;
      case 'epoch': {
        const { record } = message;
        run.records.push(record);
        lossChart.add(record.step, [null, record.validationLoss]);
        accuracyChart.add(record.epoch, [record.accuracy, record.validationAccuracy]);
        scheduleDraw();
        if (record.gains) {
          gainsFigure.hidden = false;
          gainsChart ??= new BarChart(element('gains-chart', HTMLElement), {
            xLabel: 'log₂ gain',
            yLabel: 'parameters',
            color: COLORS.gains,
          });
          const { edges, counts } = record.gains;
          gainsChart.show(
            counts.map((_, index) => (Math.log2(edges[index]!) + Math.log2(edges[index + 1]!)) / 2),
            counts,
          );
        }
        if (run.state === 'training') {
          status.textContent = `Epoch ${record.epoch}/${run.configuration.epochs}: loss ${record.loss.toFixed(4)}, validation accuracy ${record.validationAccuracy.toFixed(3)} (${record.seconds.toFixed(1)} s)`;
        }
        break;
      }
      case 'paused':
        setState(
          'paused',
          `Stopped after step ${run.losses.length}. Resume continues with the same model and optimizer state.`,
        );
        // The disabled Stop button drops the keyboard focus; hand it to the button that now works.
        if (focusIsLost(stopButton)) resumeButton.focus();
        break;
      case 'resumed':
        setState('training', 'Training…');
        if (focusIsLost(resumeButton)) stopButton.focus();
        break;
      case 'done': {
        const last = message.records.at(-1);
        const accuracy = last === undefined ? NaN : Number.isFinite(last.loss) ? last.validationAccuracy : 0.1;
        element('final-accuracy', HTMLElement).textContent = Number.isFinite(accuracy) ? accuracy.toFixed(4) : '–';
        setState(
          'done',
          last
            ? `Done: ${last.epoch} epochs in ${last.seconds.toFixed(1)} s, validation accuracy ${accuracy.toFixed(3)}.`
            : 'Stopped.',
        );
        document.body.dataset.runState = 'done';
        break;
      }
      case 'error':
        run.error = message.message;
        showError(errorBox, message.message);
        setState('failed', 'The run failed (see the message).');
        document.body.dataset.runState = 'failed';
        break;
    }
  };

  const start = async (configuration: RunConfiguration) => {
    showError(errorBox, undefined);
    runId += 1;
    const thisRun = runId;
    run = { configuration, losses: [], records: [], state: 'starting' };
    (globalThis as { vanePlayground?: PlaygroundRun }).vanePlayground = run;
    document.body.dataset.runState = 'running';
    element('final-accuracy', HTMLElement).textContent = '–';
    lossChart.clear();
    accuracyChart.clear();
    gainsFigure.hidden = true;
    setState('starting', 'Starting…');
    let fashion;
    try {
      if (configuration.dataset === 'fashion-mnist') {
        if (!filesInput.files || filesInput.files.length === 0)
          throw new Error('Fashion-MNIST: pick its images and labels IDX files first');
        fashion = await readIdxFiles(filesInput.files);
      }
    } catch (error) {
      showError(errorBox, (error as Error).message);
      setState('failed', 'The run did not start.');
      return;
    }
    if (thisRun !== runId) return;
    if (!worker) {
      worker = startWorker();
      worker.onmessage = onMessage;
      worker.onerror = (event) => {
        showError(errorBox, `The training worker failed: ${event.message}`);
        setState('failed', 'The run failed.');
      };
    }
    const message: PageMessage = {
      type: 'start',
      runId: thisRun,
      configuration,
      reportSteps: true,
      ...(fashion ? { fashion } : {}),
    };
    worker.postMessage(message);
  };

  datasetSelect.addEventListener('change', () => (fashionFiles.hidden = datasetSelect.value !== 'fashion-mnist'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void start(readForm());
  });
  stopButton.addEventListener('click', () => worker?.postMessage({ type: 'pause' } satisfies PageMessage));
  resumeButton.addEventListener('click', () => worker?.postMessage({ type: 'resume' } satisfies PageMessage));

  const configuration = configurationFromQuery(query);
  writeForm(configuration);
  if (query.get('autorun') === '1') void start(configuration);
}
