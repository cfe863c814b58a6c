/**
 * GPU rows: matmul, an elementwise chain and a small training step, each on Vane's `cpu` and
 * `gpu` backends, with the gpu.js kernel class and renderer they really ran on.
 *
 * Standalone: `npx tsx benchmarks/src/gpu-rows.ts` (under `xvfb-run -a` on a headless Linux
 * machine). From run.ts: `const gpu = await gpuRows(); rows.push(...gpu.rows)` and print
 * `gpu.renderer`. On a software renderer (Mesa llvmpipe, SwiftShader) these numbers say
 * nothing about GPU speed: they are recorded so that the renderer is on record next to them.
 */
import { gpuInfo, gpuUnavailableReason } from '@vane/gpu';
import { matmul, randn, seed, sum, tidy, type Tensor } from '@vane/tensor';
import { formatTiming, measure, type BenchmarkRow } from './harness';

/** What {@link gpuRows} returns. */
export interface GpuRows {
  /** `kernelClass on renderer`, or why the GPU rows were skipped. */
  readonly renderer: string;
  /** True when the renderer is a software rasterizer: no speed claim can be made from the rows. */
  readonly software: boolean;
  readonly rows: BenchmarkRow[];
}

type Workload = (backend: string) => () => void;

// Each run reads the result back, so the timing includes the GPU work and not just its queueing.
const matmulWorkload =
  (size: number): Workload =>
  (backend) => {
    const a = randn([size, size], { generator: seed(1), backend });
    const b = randn([size, size], { generator: seed(2), backend });
    return () => tidy(() => void matmul(a, b).dataSync());
  };

const elementwiseWorkload =
  (size: number): Workload =>
  (backend) => {
    const x = randn([size], { generator: seed(3), backend });
    return () => tidy(() => void x.mul(0.5).exp().add(1).log().sigmoid().dataSync());
  };

const trainingStepWorkload: Workload = (backend) => {
  const inputs = randn([64, 32], { generator: seed(4), backend });
  const target = randn([64, 1], { generator: seed(5), backend });
  let weights: Tensor = randn([32, 1], { generator: seed(6), backend });
  return () => {
    const next = tidy(() => {
      const error = matmul(inputs, weights).sub(target);
      const gradient = matmul(inputs.transpose(), error).mul(2 / 64);
      void sum(error.square()).dataSync();
      return weights.sub(gradient.mul(0.01));
    });
    weights.dispose();
    weights = next;
  };
};

const WORKLOADS: { name: string; work?: BenchmarkRow['work']; workload: Workload }[] = [
  { name: 'matmul 256×256 (with readback)', work: { amount: 2 * 256 ** 3, unit: 'FLOP' }, workload: matmulWorkload(256) },
  { name: 'elementwise chain of 5 ops, 2^18 floats (with readback)', workload: elementwiseWorkload(1 << 18) },
  { name: 'training step: linear regression 64×32, loss read back', workload: trainingStepWorkload },
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
    results['vane gpu'] = info ? await measure(workload('gpu'), { warmup: 2, minimumRuns: 5, maximumRuns: 50 }) : { skipped: reason ?? 'no GPU' };
    rows.push({ group, name, ...(work ? { work } : {}), results });
  }
  return { renderer, software, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { renderer, software, rows } = await gpuRows();
  console.log(`renderer: ${renderer}${software ? ' (software: these rows claim no GPU speed)' : ''}`);
  for (const row of rows) {
    const cells = Object.entries(row.results).map(([column, result]) => `${column}: ${'median' in result ? formatTiming(result) : `skipped (${result.skipped})`}`);
    console.log(`${row.name}\n  ${cells.join('\n  ')}`);
  }
}
