/**
 * The training worker: runs one {@link TrainingSession} at a time off the page's thread and
 * posts its steps and epochs back. Started by the page as a module worker.
 */
import { kernelInfo, setBackend } from '@vane/tensor';
import { digitsTaskData, fashionTaskData } from './training/task-data.js';
import { checkRunConfiguration } from './training/check-run-configuration.js';
import { TrainingSession } from './training/training-session.js';
import type { BackendReport, PageMessage, WorkerMessage } from './training/worker-messages.js';

// The worker's global scope; typed here because the project's DOM lib types `self` as a Window.
const scope = self as unknown as {
  postMessage(message: WorkerMessage): void;
  onmessage: ((event: MessageEvent<PageMessage>) => void) | null;
};

let current: { runId: number; session: TrainingSession } | undefined;

/** Selects the backend a run asks for; the gpu package (gpu.js) is loaded only when needed. */
async function selectBackend(backend: 'cpu' | 'gpu'): Promise<BackendReport> {
  if (backend === 'cpu') {
    setBackend('cpu');
    const info = kernelInfo();
    return {
      backend,
      kernelClass: info.active,
      renderer: info.active === 'simd' ? 'WebAssembly SIMD' : `JavaScript loops (${info.fallbackReason ?? 'SIMD off'})`,
    };
  }
  const gpu = await import('@vane/gpu');
  const reason = gpu.gpuUnavailableReason();
  if (reason !== undefined) throw new Error(`backend gpu is not available in this browser: ${reason.split('\n')[0]}`);
  setBackend('gpu');
  const info = gpu.gpuInfo();
  return { backend, kernelClass: info.kernelClass, renderer: info.renderer ?? 'unknown renderer' };
}

async function start(message: Extract<PageMessage, { type: 'start' }>): Promise<void> {
  const { runId } = message;
  const post = (reply: WorkerMessage) => scope.postMessage(reply);
  let session: TrainingSession;
  try {
    const configuration = checkRunConfiguration(message.configuration);
    const backend = await selectBackend(configuration.backend);
    const flatten = configuration.model === 'mlp';
    const splitSeed = 1;
    let data;
    if (configuration.dataset === 'digits') data = digitsTaskData(flatten, splitSeed, configuration.exampleLimit);
    else if (message.fashion) data = fashionTaskData(message.fashion, flatten, splitSeed, configuration.exampleLimit);
    else throw new Error('Fashion-MNIST needs its images and labels IDX files: pick them first');
    session = new TrainingSession(configuration, data);
    current = { runId, session };
    post({ type: 'started', runId, backend, stepsPerEpoch: session.stepsPerEpoch });
  } catch (error) {
    post({ type: 'error', runId, message: (error as Error).message.split('\n')[0]! });
    return;
  }
  try {
    const records = await session.run({
      onStep: message.reportSteps ? (step, loss) => post({ type: 'step', runId, step, loss }) : undefined,
      onEpoch: (record) => post({ type: 'epoch', runId, record }),
    });
    post({ type: 'done', runId, records });
  } catch (error) {
    post({ type: 'error', runId, message: (error as Error).message.split('\n')[0]! });
  } finally {
    if (current?.session === session) current = undefined;
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'start':
      current?.session.abandon();
      void start(message);
      break;
    case 'pause':
      if (current) {
        current.session.pause();
        scope.postMessage({ type: 'paused', runId: current.runId });
      }
      break;
    case 'resume':
      if (current) {
        current.session.resume();
        scope.postMessage({ type: 'resumed', runId: current.runId });
      }
      break;
    case 'abandon':
      current?.session.abandon();
      break;
  }
};
