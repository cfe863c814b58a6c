/**
 * GPU rows: matmul, an elementwise chain and a small training step, each on Vane's `cpu` and
 * `gpu` backends, with the gpu.js kernel class and renderer they really ran on.
 *
 * Standalone: `npx tsx --conditions=@vane/source benchmarks/src/gpu-rows.ts` (under `xvfb-run -a` on a headless Linux
 * machine). From run.ts: `const gpu = await gpuRows(); rows.push(...gpu.rows)` and print
 * `gpu.renderer`. On a software renderer (Mesa llvmpipe, SwiftShader) these numbers say
 * nothing about GPU speed: they are recorded so that the renderer is on record next to them.
 */
import { valueAndGrad } from '@vane/autodiff';
import {
  gpuInfo,
  gpuStats,
  gpuUnavailableReason,
  resetGpuStats,
  webGpuAdapterInfo,
  webGpuDispatchCount,
} from '@vane/gpu';
import {
  add,
  dispose,
  findBackend,
  gather,
  listBackends,
  logSoftmax,
  matmul,
  mean,
  neg,
  randint,
  randn,
  registerBackend,
  relu,
  seed,
  sum,
  tidy,
  type Backend,
  type Tensor,
} from '@vane/tensor';
import { formatTiming, measure, type BenchmarkRow } from './harness.js';

/** What {@link gpuRows} returns. */
export interface GpuRows {
  /** `kernelClass on renderer`, or why the GPU rows were skipped. */
  readonly renderer: string;
  /** True when the renderer is a software rasterizer: no speed claim can be made from the rows. */
  readonly software: boolean;
  readonly rows: BenchmarkRow[];
  /** Per training-step row: primitive ops, and the gpu's dispatches, uploads and readbacks in one step. */
  readonly stepCounts: StepCounts[];
}

/** What one training step asks of the backends (counted, not timed). */
export interface StepCounts {
  readonly name: string;
  /** Primitive backend ops of one step, counted on the cpu backend. */
  readonly primitiveOps: number;
  /** gpu.js kernel runs of one step on the gpu backend (undefined without a GPU path). */
  readonly dispatches?: number;
  readonly uploads?: number;
  /** Textures read back inside the step (the timed runs read the loss after it). */
  readonly readbacks?: number;
  /** Compute dispatches of one step on the `webgpu` backend (undefined where it is not registered). */
  readonly webGpuDispatches?: number;
}

/**
 * One line per training-step row under a GPU table: the step's primitive ops (counted on the
 * cpu backend) and the gpu's dispatches, uploads and readbacks in one steady step, which
 * issue 17's targets are stated in (readbacks 0, dispatches at most twice the ops).
 */
export function stepCountLines(stepCounts: readonly StepCounts[]): string {
  return stepCounts
    .map((counts) => {
      const perOp = counts.dispatches === undefined ? '-' : (counts.dispatches / counts.primitiveOps).toFixed(2);
      const webGpu =
        counts.webGpuDispatches === undefined
          ? ''
          : `; webgpu per step: ${counts.webGpuDispatches} dispatches (${(counts.webGpuDispatches / counts.primitiveOps).toFixed(2)} per op), 0 readbacks`;
      return (
        `${counts.name}: ${counts.primitiveOps} primitive ops; gpu per step: ${counts.dispatches ?? '-'} dispatches ` +
        `(${perOp} per op), ${counts.uploads ?? '-'} uploads, ${counts.readbacks ?? '-'} readbacks${webGpu}`
      );
    })
    .join('\n\n');
}

// Passive backend entries (storage management) are not ops.
const PASSIVE = new Set(['name', 'supportsSyncRead', 'upload', 'read', 'readSync', 'release']);
let primitiveOps = 0;

/** A `cpu-counted` backend: the cpu backend, counting every primitive op it runs. */
function countingCpuBackend(): string {
  if (!listBackends().includes('cpu-counted')) {
    const cpu = findBackend('cpu');
    const counted = Object.fromEntries(
      Object.entries(cpu).map(([key, value]) => [
        key,
        typeof value === 'function' && !PASSIVE.has(key)
          ? (...args: unknown[]) => {
              primitiveOps++;
              return (value as (...parameters: unknown[]) => unknown).apply(cpu, args);
            }
          : value,
      ]),
    );
    registerBackend({ ...counted, name: 'cpu-counted' } as unknown as Backend);
  }
  return 'cpu-counted';
}

/** A timed run: synchronous where the backend reads synchronously, a promise on `webgpu`. */
type Workload = (backend: string) => () => void | Promise<void>;

/**
 * Reads `tensor` back and disposes it: `dataSync` on backends that read synchronously (the
 * cpu and gpu rows time exactly what they always did), `await data()` on the others (`webgpu`).
 */
function readAndDispose(backend: string, tensor: Tensor): void | Promise<void> {
  if (findBackend(backend).supportsSyncRead) {
    void tensor.dataSync();
    tensor.dispose();
    return;
  }
  return tensor.data().then(() => tensor.dispose());
}

// Each run reads the result back, so the timing includes the GPU work and not just its queueing.
const matmulWorkload =
  (size: number): Workload =>
  (backend) => {
    const a = randn([size, size], { generator: seed(1), backend });
    const b = randn([size, size], { generator: seed(2), backend });
    return () =>
      readAndDispose(
        backend,
        tidy(() => matmul(a, b)),
      );
  };

const elementwiseWorkload =
  (size: number): Workload =>
  (backend) => {
    const x = randn([size], { generator: seed(3), backend });
    return () =>
      readAndDispose(
        backend,
        tidy(() => x.mul(0.5).exp().add(1).log().sigmoid()),
      );
  };

const trainingStepWorkload: Workload = (backend) => {
  const inputs = randn([64, 32], { generator: seed(4), backend });
  const target = randn([64, 1], { generator: seed(5), backend });
  let weights: Tensor = randn([32, 1], { generator: seed(6), backend });
  return () => {
    const [loss, next] = tidy(() => {
      const error = matmul(inputs, weights).sub(target);
      const gradient = matmul(inputs.transpose(), error).mul(2 / 64);
      return [sum(error.square()), weights.sub(gradient.mul(0.01))];
    });
    weights.dispose();
    weights = next;
    return readAndDispose(backend, loss);
  };
};

const MLP_SIZES = [784, 256, 256, 10];
const MLP_BATCH = 128;

interface Layer {
  weight: Tensor;
  bias: Tensor;
}

function mlpLoss(layers: Layer[], x: Tensor, labels: Tensor): Tensor {
  let activation = x;
  layers.forEach((layer, index) => {
    const linear = add(matmul(activation, layer.weight), layer.bias);
    activation = index < layers.length - 1 ? relu(linear) : linear;
  });
  return neg(mean(gather(logSoftmax(activation, -1), 1, labels)));
}

/**
 * One SGD step of an MLP 784-256-256-10 (ReLU, softmax cross-entropy) at batch 128: forward,
 * valueAndGrad's backward and the parameter update, all on `backend`. `step()` reads nothing
 * back; the timed run reads the loss afterwards (what a training loop that logs does).
 */
export function mlpTraining(backend: string): { step: () => Tensor; dispose: () => void } {
  const generator = seed(7);
  let layers: Layer[] = MLP_SIZES.slice(1).map((size, index) => ({
    weight: randn([MLP_SIZES[index]!, size], { generator, std: Math.sqrt(2 / MLP_SIZES[index]!), backend }),
    bias: randn([size], { generator, std: 0.01, backend }),
  }));
  const x = randn([MLP_BATCH, MLP_SIZES[0]!], { generator, backend });
  const labels = randint(0, MLP_SIZES[MLP_SIZES.length - 1]!, [MLP_BATCH, 1], { generator, backend });
  const lossAndGradients = valueAndGrad(mlpLoss);
  return {
    step: () => {
      const [value, gradients] = lossAndGradients(layers, x, labels);
      const next = tidy(() =>
        layers.map((layer, index) => ({
          weight: layer.weight.sub(gradients[index]!.weight.mul(0.01)),
          bias: layer.bias.sub(gradients[index]!.bias.mul(0.01)),
        })),
      );
      dispose([layers, gradients]);
      layers = next;
      return value;
    },
    dispose: () => dispose([layers, x, labels]),
  };
}

const mlpWorkload: Workload = (backend) => {
  const training = mlpTraining(backend);
  return () => readAndDispose(backend, training.step());
};

/** Counts one MLP step's primitive ops on the cpu and its dispatches/readbacks on the gpu. */
function countMlpStep(gpu: boolean): StepCounts {
  const cpu = mlpTraining(countingCpuBackend());
  cpu.step().dispose(); // warm-up: the first step may differ (lazy tapes, caches)
  primitiveOps = 0;
  cpu.step().dispose();
  const ops = primitiveOps;
  cpu.dispose();
  const name = `training step: MLP ${MLP_SIZES.join('-')}, batch ${MLP_BATCH}`;
  const webGpuDispatches = listBackends().includes('webgpu') ? countWebGpuDispatches() : undefined;
  if (!gpu) return { name, primitiveOps: ops, ...(webGpuDispatches === undefined ? {} : { webGpuDispatches }) };
  const training = mlpTraining('gpu');
  training.step().dispose();
  resetGpuStats();
  training.step().dispose();
  const stats = gpuStats();
  training.dispose();
  return {
    name,
    primitiveOps: ops,
    dispatches: stats.dispatches,
    uploads: stats.uploads,
    readbacks: stats.readbacks,
    ...(webGpuDispatches === undefined ? {} : { webGpuDispatches }),
  };
}

/** Dispatches of one MLP step (after a warm-up step) on the `webgpu` backend; it reads nothing back inside a step. */
function countWebGpuDispatches(): number {
  const training = mlpTraining('webgpu');
  training.step().dispose();
  const before = webGpuDispatchCount();
  training.step().dispose();
  const dispatches = webGpuDispatchCount() - before;
  training.dispose();
  return dispatches;
}

const WORKLOADS: { name: string; work?: BenchmarkRow['work']; workload: Workload }[] = [
  {
    name: 'matmul 256×256 (with readback)',
    work: { amount: 2 * 256 ** 3, unit: 'FLOP' },
    workload: matmulWorkload(256),
  },
  {
    name: 'matmul 512×512 (with readback)',
    work: { amount: 2 * 512 ** 3, unit: 'FLOP' },
    workload: matmulWorkload(512),
  },
  { name: 'elementwise chain of 5 ops, 2^18 floats (with readback)', workload: elementwiseWorkload(1 << 18) },
  { name: 'training step: linear regression 64×32, loss read back', workload: trainingStepWorkload },
  { name: `training step: MLP ${MLP_SIZES.join('-')}, batch ${MLP_BATCH}, SGD, loss read back`, workload: mlpWorkload },
];

/** Measures every GPU row on `cpu` and `gpu`; rows say `skipped` where there is no GPU path. */
export async function gpuRows(): Promise<GpuRows> {
  const reason = gpuUnavailableReason();
  const info = reason === undefined ? gpuInfo() : undefined;
  const renderer = info ? `${info.kernelClass} on ${info.renderer}` : `no GPU path: ${reason}`;
  const software = info === undefined || /llvmpipe|softpipe|swrast|swiftshader/i.test(info.renderer);
  const group = `gpu (${renderer}${software ? '; software renderer, no speed claim' : ''})`;
  const rows: BenchmarkRow[] = [];
  for (const { name, work, workload } of WORKLOADS) {
    const results: BenchmarkRow['results'] = {};
    results['vane cpu'] = await measure(workload('cpu'), { warmup: 2, minimumRuns: 5, maximumRuns: 50 });
    // Six warm-ups: the gpu backend compiles a kernel instance for a size the second time it
    // meets it and a second copy where the previous output is still alive (kernel-runner.ts),
    // so a training step stops compiling only from its fifth or sixth run
    // (test/texture-allocation.test.ts); with two, the median of the five timed steps held
    // compilations (on SwiftShader, ANGLE's shader compiles doubled the MLP step).
    results['vane gpu'] = info
      ? await measure(workload('gpu'), { warmup: 6, minimumRuns: 5, maximumRuns: 50 })
      : { skipped: reason ?? 'no GPU' };
    // The webgpu backend where the page found a device (initWebGpu: a browser with WebGPU).
    if (listBackends().includes('webgpu'))
      results['vane webgpu'] = await measure(workload('webgpu'), { warmup: 3, minimumRuns: 5, maximumRuns: 50 });
    rows.push({ group, name, ...(work ? { work } : {}), results });
  }
  const webGpu = webGpuAdapterInfo();
  return {
    renderer: webGpu?.available ? `${renderer}; webgpu on ${webGpu.adapter}` : renderer,
    software,
    rows,
    stepCounts: [countMlpStep(info !== undefined)],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { renderer, software, rows, stepCounts } = await gpuRows();
  console.log(`renderer: ${renderer}${software ? ' (software: these rows claim no GPU speed)' : ''}`);
  for (const row of rows) {
    const cells = Object.entries(row.results).map(
      ([column, result]) => `${column}: ${'median' in result ? formatTiming(result) : `skipped (${result.skipped})`}`,
    );
    console.log(`${row.name}\n  ${cells.join('\n  ')}`);
  }
  console.log(stepCountLines(stepCounts));
}
