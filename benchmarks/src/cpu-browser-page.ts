/**
 * The page side of cpu-browser-rows.ts: Vane's CPU kernels inside a cross-origin isolated
 * Chromium page, each row on one thread and then on two (Web Workers), right after each other.
 * Leaves the rows and kernelInfo() on `globalThis.vaneCpuBrowserRows`.
 */
import {
  defineKernel,
  dispose,
  expression as e,
  fusedMap,
  kernelInfo,
  kernelThreadsReady,
  matmul,
  randn,
  seed,
  setThreadCount,
} from '@vane/tensor';
import { measure, type BenchmarkRow, type Timing } from './harness.js';
import { mlpTraining } from './gpu-rows.js';

/** The thread counts of the two columns; the second is at most the page's cores. */
const THREADS = [1, Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1))];

/** A row's workload: set up, then return the timed function and its clean-up. */
type Workload = () => { run: () => void; dispose: () => void };

const matmulWorkload =
  (size: number): Workload =>
  () => {
    const generator = seed(1);
    const a = randn([size, size], { generator });
    const b = randn([size, size], { generator });
    return {
      run: () => {
        const c = matmul(a, b);
        void c.dataSync();
        c.dispose();
      },
      dispose: () => dispose([a, b]),
    };
  };

/** An Adam-like parameter update: p − lr·(β·m + (1−β)·g) / (√|v| + ε), one kernel over four inputs. */
const ADAM_LIKE = defineKernel('bench.adamLike', { inputs: ['p', 'g', 'm', 'v'], scalars: [] }, ({ p, g, m, v }) =>
  e.sub(p, e.mul(1e-3, e.div(e.add(e.mul(0.9, m), e.mul(0.1, g)), e.add(e.sqrt(e.abs(v)), 1e-8)))),
);

/** A memory-bound kernel the size of a large optimizer step: one fusedMap over 4 inputs of 2^22 float32 values. */
const fusedMapWorkload: Workload = () => {
  const generator = seed(2);
  const inputs = [0, 1, 2, 3].map(() => randn([1 << 22], { generator }));
  return {
    run: () => {
      const out = fusedMap(ADAM_LIKE, inputs);
      void out.dataSync();
      out.dispose();
    },
    dispose: () => dispose(inputs),
  };
};

const mlpWorkload: Workload = () => {
  const training = mlpTraining('cpu');
  return {
    run: () => {
      const value = training.step();
      void value.dataSync();
      value.dispose();
    },
    dispose: training.dispose,
  };
};

const WORKLOADS: { name: string; work?: BenchmarkRow['work']; workload: Workload }[] = [
  { name: 'matmul 512×512', work: { amount: 2 * 512 ** 3, unit: 'FLOP' }, workload: matmulWorkload(512) },
  { name: 'matmul 1024×1024', work: { amount: 2 * 1024 ** 3, unit: 'FLOP' }, workload: matmulWorkload(1024) },
  { name: 'fusedMap of 4 inputs, 2^22 floats', workload: fusedMapWorkload },
  { name: 'training step: MLP 784-256-256-10, batch 128, SGD, loss read back', workload: mlpWorkload },
];

/** The column name of a thread count. */
export const threadColumn = (threads: number): string => `vane, ${threads} thread${threads === 1 ? '' : 's'}`;

async function cpuBrowserRows(): Promise<{ rows: BenchmarkRow[]; threadsActive: number; kernels: string }> {
  const rows: BenchmarkRow[] = WORKLOADS.map(({ name, work }) => ({ group: 'browser cpu', name, work, results: {} }));
  let threadsActive = 1;
  for (const [index, { workload }] of WORKLOADS.entries()) {
    for (const threads of THREADS) {
      setThreadCount(threads);
      threadsActive = Math.max(threadsActive, (await kernelThreadsReady()).active);
      const { run, dispose: release } = workload();
      const timing: Timing = await measure(run, { maximumRuns: 30, minimumMilliseconds: 1000 });
      release();
      rows[index]!.results[threadColumn(threads)] = timing;
    }
  }
  const info = kernelInfo();
  return {
    rows,
    threadsActive,
    kernels: `${info.active}${info.threads.reason ? `; threads: ${info.threads.reason}` : ''}`,
  };
}

const host = globalThis as { vaneCpuBrowserRows?: unknown };
cpuBrowserRows().then(
  (result) => {
    host.vaneCpuBrowserRows = { ok: true, ...result };
  },
  (error: unknown) => {
    host.vaneCpuBrowserRows = { ok: false, error: String((error as Error)?.stack ?? error) };
  },
);
