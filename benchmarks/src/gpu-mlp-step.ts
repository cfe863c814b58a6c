/**
 * One self-contained measurement of the MLP 784-256-256-10 SGD step (batch 128, loss read
 * back) on the cpu and gpu backends: median of 15 steps after 3 warm-ups, the gpu's per-step
 * counts, the renderer and the load average. Besides wall time it reports the process's CPU
 * time per step (`process.cpuUsage`: the main thread, llvmpipe's rasterizer threads and any
 * worker threads), which a software renderer's work shows even when other jobs on the machine
 * stretch the wall time. It imports only APIs that older commits have too,
 * so the same file can run in a checkout of an earlier commit, alternately with this one, for a
 * before/after comparison in one session (docs/gpu.md).
 *
 * Run: `xvfb-run -a npx tsx --conditions=@vane/source benchmarks/src/gpu-mlp-step.ts <label>`.
 */
import { valueAndGrad } from '@vane/autodiff';
import { gpuInfo, gpuStats, resetGpuStats } from '@vane/gpu';
import {
  add,
  dispose,
  gather,
  logSoftmax,
  matmul,
  mean,
  neg,
  randint,
  randn,
  relu,
  seed,
  tidy,
  type Tensor,
} from '@vane/tensor';
import { loadavg } from 'node:os';
const SIZES = [784, 256, 256, 10];
function loss(layers: { weight: Tensor; bias: Tensor }[], x: Tensor, labels: Tensor): Tensor {
  let activation = x;
  layers.forEach((layer, index) => {
    const linear = add(matmul(activation, layer.weight), layer.bias);
    activation = index < layers.length - 1 ? relu(linear) : linear;
  });
  return neg(mean(gather(logSoftmax(activation, -1), 1, labels)));
}
/** Median wall and process CPU milliseconds of one step on `backend`. */
function median(backend: string): { wall: number; cpu: number } {
  const generator = seed(7);
  let layers = SIZES.slice(1).map((size, index) => ({
    weight: randn([SIZES[index]!, size], { generator, std: Math.sqrt(2 / SIZES[index]!), backend }),
    bias: randn([size], { generator, std: 0.01, backend }),
  }));
  const x = randn([128, 784], { generator, backend });
  const labels = randint(0, 10, [128, 1], { generator, backend });
  const lg = valueAndGrad(loss);
  const step = () => {
    const [value, gradients] = lg(layers, x, labels);
    const next = tidy(() =>
      layers.map((layer, index) => ({
        weight: layer.weight.sub(gradients[index]!.weight.mul(0.01)),
        bias: layer.bias.sub(gradients[index]!.bias.mul(0.01)),
      })),
    );
    dispose([layers, gradients]);
    layers = next;
    void value.dataSync();
    value.dispose();
  };
  for (let i = 0; i < 3; i++) step();
  if (backend === 'gpu') {
    resetGpuStats();
    step();
    const s = gpuStats();
    console.log(
      `  gpu per step: ${s.dispatches} dispatches, ${s.uploads} uploads, ${s.readbacks - 1} readbacks inside the step (+1 for the logged loss)`,
    );
  }
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < 15; i++) {
    const cpuBefore = process.cpuUsage();
    const t = performance.now();
    step();
    times.push(performance.now() - t);
    const used = process.cpuUsage(cpuBefore);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  dispose([layers, x, labels]);
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  return { wall: times[7]!, cpu: cpuTimes[7]! };
}
const label = process.argv[2];
const cpu = median('cpu');
const gpu = median('gpu');
const info = gpuInfo();
console.log(
  `${label}: cpu ${cpu.wall.toFixed(1)} ms, gpu ${gpu.wall.toFixed(1)} ms, gpu/cpu ${(gpu.wall / cpu.wall).toFixed(2)}x; process CPU time per step: cpu ${cpu.cpu.toFixed(1)} ms, gpu ${gpu.cpu.toFixed(1)} ms (${(gpu.cpu / cpu.cpu).toFixed(2)}x); ${info.kernelClass} on ${info.renderer}; load ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
