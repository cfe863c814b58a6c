/**
 * The page side of webgpu-matmul-timing.ts: times matmul shapes on the `webgpu` backend (one
 * row per tiling of webgpu-matmul.ts), the gpu.js `gpu` backend (WebGL2) and the `cpu` backend,
 * in one page, and leaves the medians on `globalThis.vaneWebGpuMatmulTiming`.
 *
 * Every timed run ends by reading the product back (`await data()` on webgpu, `dataSync()` on
 * the others), so it measures the whole product and not only its queueing.
 */
import { initWebGpu, overrideMatmulTiling, type MatmulTiling } from '@vane/gpu';
import { matmul, randn, seed, setBackend, tidy, transpose, type Tensor } from '@vane/tensor';

/** One product to time: `a` [m, k] (or its transpose, stored [k, m]) times `b` [k, n]. */
interface Shape {
  readonly name: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** `a` is the transposed view of a [k, m] tensor, as the backward pass's xᵀ. */
  readonly transposedA?: boolean;
  readonly repetitions: number;
}

const SHAPES: readonly Shape[] = [
  { name: '8×8 · 8×8 (fixed cost)', m: 8, k: 8, n: 8, repetitions: 15 },
  { name: '256×256 · 256×256', m: 256, k: 256, n: 256, repetitions: 9 },
  { name: '512×512 · 512×512', m: 512, k: 512, n: 512, repetitions: 7 },
  { name: '1024×1024 · 1024×1024', m: 1024, k: 1024, n: 1024, repetitions: 3 },
  { name: 'MLP x·w1 128×784 · 784×256', m: 128, k: 784, n: 256, repetitions: 9 },
  { name: 'MLP h·w2 128×256 · 256×256', m: 128, k: 256, n: 256, repetitions: 9 },
  { name: 'MLP xᵀ·dz (128×784)ᵀ · 128×256', m: 784, k: 128, n: 256, transposedA: true, repetitions: 9 },
];

const TILINGS: readonly MatmulTiling[] = [
  { tileM: 64, tileN: 64, tileK: 16, blockM: 4, blockN: 4 },
  { tileM: 64, tileN: 64, tileK: 16, blockM: 8, blockN: 8 },
  { tileM: 64, tileN: 64, tileK: 0, blockM: 4, blockN: 4, workgroupMemory: false },
  { tileM: 64, tileN: 64, tileK: 0, blockM: 8, blockN: 8, workgroupMemory: false },
  { tileM: 32, tileN: 32, tileK: 0, blockM: 8, blockN: 8, workgroupMemory: false },
  { tileM: 128, tileN: 128, tileK: 0, blockM: 8, blockN: 8, workgroupMemory: false },
];

const tilingName = (tiling: MatmulTiling) =>
  tiling.workgroupMemory === false
    ? `webgpu direct ${tiling.tileM}×${tiling.tileN} ${tiling.blockM}×${tiling.blockN}`
    : `webgpu ${tiling.tileM}×${tiling.tileN} k${tiling.tileK} ${tiling.blockM}×${tiling.blockN}`;

async function median(repetitions: number, run: () => Promise<void> | void): Promise<number> {
  await run(); // compile and warm caches
  const times: number[] = [];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((left, right) => left - right);
  return times[Math.floor(times.length / 2)]!;
}

function operands(shape: Shape, backend: string): [Tensor, Tensor] {
  setBackend(backend);
  const stored = shape.transposedA ? [shape.k, shape.m] : [shape.m, shape.k];
  const a = randn(stored, { generator: seed(1) });
  const b = randn([shape.k, shape.n], { generator: seed(2) });
  return [shape.transposedA ? transpose(a) : a, b];
}

async function timeAll(): Promise<Record<string, Record<string, number>>> {
  const found = await initWebGpu();
  if (!found.available) throw new Error(`no WebGPU adapter: ${found.reason}`);
  const results: Record<string, Record<string, number>> = {};
  for (const shape of SHAPES) {
    const row: Record<string, number> = {};
    for (const backend of ['cpu', 'gpu']) {
      const [a, b] = operands(shape, backend);
      row[`vane ${backend}`] = await median(shape.repetitions, () => tidy(() => void matmul(a, b).dataSync()));
    }
    const [a, b] = operands(shape, 'webgpu');
    const timeWebGpu = () =>
      median(shape.repetitions, async () => {
        const out = matmul(a, b);
        await out.data();
        out.dispose();
      });
    for (const tiling of TILINGS) {
      overrideMatmulTiling(tiling);
      row[tilingName(tiling)] = await timeWebGpu();
    }
    // The tiling chosen for this adapter, as a user gets it.
    overrideMatmulTiling(undefined);
    row['webgpu matmul()'] = await timeWebGpu();
    results[shape.name] = row;
    setBackend('cpu');
  }
  results['100 queued 8×8 products, one read'] = await queuedProducts();
  return results;
}

/**
 * 100 small products queued before one read: with the 8×8 row's single round trip, what one
 * dispatch costs beyond reading back (kernel, bind group, the per-call `dims` buffer, submit).
 */
async function queuedProducts(): Promise<Record<string, number>> {
  const row: Record<string, number> = {};
  const shape: Shape = { name: 'queued', m: 8, k: 8, n: 8, repetitions: 7 };
  for (const backend of ['cpu', 'gpu', 'webgpu']) {
    const [a, b] = operands(shape, backend);
    const name = backend === 'webgpu' ? 'webgpu matmul()' : `vane ${backend}`;
    row[name] = await median(shape.repetitions, async () => {
      const products = Array.from({ length: 100 }, () => matmul(a, b));
      if (backend === 'webgpu') await products[99]!.data();
      else products[99]!.dataSync();
      products.forEach((product) => product.dispose());
    });
  }
  setBackend('cpu');
  return row;
}

const host = globalThis as { vaneWebGpuMatmulTiming?: unknown };
timeAll().then(
  (rows) => {
    host.vaneWebGpuMatmulTiming = { ok: true, rows };
  },
  (error: unknown) => {
    host.vaneWebGpuMatmulTiming = { ok: false, error: String((error as Error)?.stack ?? error) };
  },
);
