/**
 * Benchmark: the eight matrix products of one MLP training step (784-256-256-10, batch 128):
 * the forward X·W0, H·W1, H·W2 and the backward ∂W = Hᵀ·G and ∂H = G·Wᵀ with their
 * transposed operands as the gradient rules pass them (views, no copies), for this checkout
 * and optionally an older one, in alternating rounds in one process (each round times every
 * product for each build, 15 runs each, the round's median kept). Prints per-product times and
 * GFLOP/s, the old/new ratio (median of the per-round ratios) and the sum over the products.
 *
 * Run: npx tsx --conditions=@vane/source benchmarks/src/mlp-products-speed.ts
 *        [--rounds 7] [--threads 1,2] [--old /tmp/vane-old]
 * `--old` names the root of another checkout whose node_modules/@vane/* point at its own packages.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';

type TensorModule = typeof import('@vane/tensor');
type Product = { name: string; multiplyAdds: number; run: () => { dispose(): void } };

const option = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const ROUNDS = Number(option('rounds') ?? 7);
const THREADS = (option('threads') ?? '1,2').split(',').map(Number);
const OLD_ROOT = option('old');
const RUNS = 15;

/** The step's products on one build's tensors (the same seeded values for every build). */
function products(vane: TensorModule): Product[] {
  const generator = vane.seed(1);
  const x = vane.randn([128, 784], { generator });
  const w0 = vane.randn([784, 256], { generator });
  const h = vane.randn([128, 256], { generator });
  const w1 = vane.randn([256, 256], { generator });
  const w2 = vane.randn([256, 10], { generator });
  const g2 = vane.randn([128, 10], { generator });
  const t = (a: import('@vane/tensor').Tensor) => vane.transpose(a, 0, 1);
  return [
    { name: 'X·W0 128×784·784×256', multiplyAdds: 128 * 784 * 256, run: () => vane.matmul(x, w0) },
    { name: 'H·W1 128×256·256×256', multiplyAdds: 128 * 256 * 256, run: () => vane.matmul(h, w1) },
    { name: 'H·W2 128×256·256×10', multiplyAdds: 128 * 256 * 10, run: () => vane.matmul(h, w2) },
    { name: 'Hᵀ·G 256×128·128×10', multiplyAdds: 256 * 128 * 10, run: () => vane.matmul(t(h), g2) },
    { name: 'G·W2ᵀ 128×10·10×256', multiplyAdds: 128 * 10 * 256, run: () => vane.matmul(g2, t(w2)) },
    { name: 'Hᵀ·G 256×128·128×256', multiplyAdds: 256 * 128 * 256, run: () => vane.matmul(t(h), h) },
    { name: 'G·W1ᵀ 128×256·256×256', multiplyAdds: 128 * 256 * 256, run: () => vane.matmul(h, t(w1)) },
    { name: 'Xᵀ·G 784×128·128×256', multiplyAdds: 784 * 128 * 256, run: () => vane.matmul(t(x), h) },
  ];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const builds: { name: string; vane: TensorModule }[] = [{ name: 'new', vane: await import('@vane/tensor') }];
if (OLD_ROOT)
  builds.push({
    name: 'old',
    vane: (await import(pathToFileURL(`${OLD_ROOT}/packages/tensor/src/index.ts`).href)) as TensorModule,
  });
const cases = builds.map(({ vane }) => products(vane));

console.log(
  `load at start ${os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(', ')}; ${ROUNDS} rounds`,
);
for (const threads of THREADS) {
  for (const { vane } of builds) {
    vane.setThreadCount(threads);
    await vane.kernelThreadsReady();
  }
  const times: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (let index = 0; index < cases[0]!.length; index++) {
      builds.forEach(({ name }, buildIndex) => {
        const { run } = cases[buildIndex]![index]!;
        for (let warmup = 0; warmup < 3; warmup++) run().dispose();
        const runs: number[] = [];
        for (let repetition = 0; repetition < RUNS; repetition++) {
          const start = performance.now();
          run().dispose();
          runs.push(performance.now() - start);
        }
        (times[`${name} ${index}`] ??= []).push(median(runs));
      });
    }
  }
  const totals: Record<string, number> = {};
  for (let index = 0; index < cases[0]!.length; index++) {
    const { name, multiplyAdds } = cases[0]![index]!;
    let line = `${threads} thread(s) ${name.padEnd(24)}`;
    for (const build of builds) {
      const time = median(times[`${build.name} ${index}`]!);
      totals[build.name] = (totals[build.name] ?? 0) + time;
      line += ` ${build.name} ${(time * 1000).toFixed(0).padStart(5)} µs ${((2 * multiplyAdds) / time / 1e6).toFixed(1).padStart(5)} GFLOP/s`;
    }
    if (OLD_ROOT) {
      const ratios = times[`old ${index}`]!.map((time, round) => time / times[`new ${index}`]![round]!);
      line += `  old/new ${median(ratios).toFixed(2)}×`;
    }
    console.log(line);
  }
  console.log(
    `${threads} thread(s) all eight: ${Object.entries(totals)
      .map(([name, total]) => `${name} ${total.toFixed(3)} ms`)
      .join(', ')}; load ${os.loadavg()[0]!.toFixed(2)}`,
  );
}
