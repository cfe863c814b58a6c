/**
 * Benchmark: the cost of `valueAndGrad` relative to the forward pass alone, for an MLP
 * 784-256-256-10 (ReLU, softmax cross-entropy) at batch 128 in float32 on the CPU backend.
 *
 * Multiply-adds: the forward products cost 128·(784·256 + 256·256 + 256·10) ≈ 34.4M; the
 * backward pass needs ∂W = xᵀ·g for every layer (34.4M again) and ∂x = g·Wᵀ for all but the
 * first, whose input is data (8.7M). So the ideal ratio is (34.4 + 34.4 + 8.7)/34.4 ≈ 2.25;
 * the target is ≤ 3.
 *
 * Run: npx tsx --conditions=@vane/source benchmarks/src/autodiff-mlp.ts [--runs 30]
 */
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
import { valueAndGrad } from '@vane/autodiff';

interface Layer {
  weight: Tensor;
  bias: Tensor;
}

const SIZES = [784, 256, 256, 10];
const BATCH = 128;

function initialize(): Layer[] {
  const generator = seed(0);
  return SIZES.slice(1).map((size, index) => ({
    weight: randn([SIZES[index]!, size], { generator, std: Math.sqrt(2 / SIZES[index]!) }),
    bias: randn([size], { generator, std: 0.01 }),
  }));
}

function loss(layers: Layer[], x: Tensor, labels: Tensor): Tensor {
  let activation = x;
  layers.forEach((layer, index) => {
    const linear = add(matmul(activation, layer.weight), layer.bias);
    activation = index < layers.length - 1 ? relu(linear) : linear;
  });
  return neg(mean(gather(logSoftmax(activation, -1), 1, labels)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function time(fn: () => void, runs: number): number[] {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

function main(): void {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : 30;
  const layers = initialize();
  const generator = seed(1);
  const x = randn([BATCH, SIZES[0]!], { generator });
  const labels = randint(0, SIZES[SIZES.length - 1]!, [BATCH, 1], { generator });
  const step = valueAndGrad(loss);

  const forward = () => tidy(() => loss(layers, x, labels).item());
  const forwardAndBackward = () => {
    const [value, gradients] = step(layers, x, labels);
    value.item();
    dispose([value, gradients]);
  };
  // Warm-up (JIT, packing buffers), then interleaved measurement so that machine noise
  // affects both alike.
  time(forward, 5);
  time(forwardAndBackward, 5);
  const forwardSamples: number[] = [];
  const gradientSamples: number[] = [];
  for (let round = 0; round < runs; round++) {
    forwardSamples.push(...time(forward, 1));
    gradientSamples.push(...time(forwardAndBackward, 1));
  }
  const forwardMedian = median(forwardSamples);
  const gradientMedian = median(gradientSamples);
  console.log(`MLP ${SIZES.join('-')}, batch ${BATCH}, float32, ${runs} runs each (medians)`);
  console.log(`forward:        ${forwardMedian.toFixed(2)} ms`);
  console.log(`valueAndGrad:   ${gradientMedian.toFixed(2)} ms`);
  console.log(`ratio:          ${(gradientMedian / forwardMedian).toFixed(2)} (target ≤ 3)`);
  dispose([layers, x, labels]);
}

main();
