/**
 * Battery page: lazy elementwise fusion on the `webgpu` backend (src/webgpu/webgpu-fusion.ts).
 * Chains of float32 elementwise ops, each checked against the CPU backend: a five-op chain, a
 * matmul's bias add and relu, inputs disposed before a chain runs, a pending value read twice,
 * read by two chains and through transposed and broadcast views, int32 and bool ops in a chain,
 * NaN and infinities, chains past the caps, and fused against unfused results bit for bit. The
 * first case measures an MLP training step (the bench's) with fusion on and off. See battery.ts.
 */
import { valueAndGrad } from '@vane/autodiff';
import {
  add,
  cast,
  dispose,
  gather,
  getBackend,
  logSoftmax,
  matmul,
  mean,
  neg,
  notEqual,
  randint,
  randn,
  relu,
  seed,
  sum,
  tensor,
  tidy,
  transpose,
  where,
  type Tensor,
} from '@vane/tensor';
import { setWebGpuFusion, webGpuDispatchCount, webGpuFusionSourceCount } from '../../src/index.js';

import { reportBattery, seededValues, type BatteryCase } from './battery.js';

const matrix = (rows: number, columns: number, seedValue: number, low = -1, high = 1) =>
  tensor(seededValues(rows * columns, seedValue, low, high)).reshape([rows, columns]);

/** The bench's five-op chain (benchmarks/src/gpu-rows.ts). */
const fiveOps = (x: Tensor) => x.mul(0.5).exp().add(1).log().sigmoid();

/** A longer chain through many kinds of op (transcendental, comparisons inside kernels, parameters). */
const mixedChain = (x: Tensor, y: Tensor) =>
  x.mul(y).tanh().add(x.abs().sqrt()).gelu().sub(y.square()).elu().maximum(y).div(x.exp().add(2)).softplus();

// The bench's MLP (benchmarks/src/gpu-rows.ts mlpTraining): 784-256-256-10, batch 128, SGD 0.01.
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
 * Runs the bench's MLP for `steps` steps and returns the dispatches of step 2 (after a warm-up
 * step) and the fused sources the run added after steps 1, 2 and 5.
 */
function measureMlp(steps: number): { dispatches: number; sources: number[] } {
  const generator = seed(7);
  let layers: Layer[] = MLP_SIZES.slice(1).map((size, index) => ({
    weight: randn([MLP_SIZES[index]!, size], { generator, std: Math.sqrt(2 / MLP_SIZES[index]!) }),
    bias: randn([size], { generator, std: 0.01 }),
  }));
  const x = randn([MLP_BATCH, MLP_SIZES[0]!], { generator });
  const labels = randint(0, MLP_SIZES[MLP_SIZES.length - 1]!, [MLP_BATCH, 1], { generator });
  const lossAndGradients = valueAndGrad(mlpLoss);
  const sourcesBefore = webGpuFusionSourceCount();
  const sources: number[] = [];
  let dispatches = 0;
  for (let step = 1; step <= steps; step++) {
    const before = webGpuDispatchCount();
    const [value, gradients] = lossAndGradients(layers, x, labels);
    const next = tidy(() =>
      layers.map((layer, index) => ({
        weight: layer.weight.sub(gradients[index]!.weight.mul(0.01)),
        bias: layer.bias.sub(gradients[index]!.bias.mul(0.01)),
      })),
    );
    dispose([layers, gradients, value]);
    layers = next;
    if (step === 2) dispatches = webGpuDispatchCount() - before;
    sources.push(webGpuFusionSourceCount() - sourcesBefore);
  }
  dispose([layers, x, labels]);
  return { dispatches, sources: [sources[0]!, sources[1]!, sources[4]!] };
}

const cases: BatteryCase[] = [
  {
    // Not a comparison: on webgpu it reports [step dispatches fused, unfused, fused sources
    // after steps 1, 2, 5] (the Node half asserts on them), on the CPU zeros; any value passes.
    name: 'MLP step: dispatches and fused sources',
    tolerance: { absolute: Infinity },
    run: () => {
      if (getBackend() !== 'webgpu') return tensor([0, 0, 0, 0, 0]);
      const fused = measureMlp(5);
      setWebGpuFusion(false);
      try {
        const unfused = measureMlp(2);
        return tensor([fused.dispatches, unfused.dispatches, ...fused.sources]);
      } finally {
        setWebGpuFusion(true);
      }
    },
  },
  { name: 'five-op chain', run: () => fiveOps(matrix(64, 33, 1)) },
  {
    name: 'bias add and relu after a matmul',
    run: () => relu(add(matmul(matrix(17, 40, 2), matrix(40, 24, 3)), tensor(seededValues(24, 4)))),
  },
  {
    name: 'chain inputs disposed before the chain is read',
    run: () => {
      const x = matrix(32, 32, 5);
      const y = matrix(32, 32, 6);
      const first = x.mul(2).add(y);
      const middle = first.exp();
      const last = middle.sub(y).mul(x);
      // Release every tensor the chain reads, and its intermediates, before anything runs it.
      x.dispose();
      y.dispose();
      first.dispose();
      middle.dispose();
      // New tensors of the same size take pooled buffers (uploads write them at once, kernels
      // overwrite them): a released input buffer reused here would change `last`.
      const others = [matrix(32, 32, 7), matrix(32, 32, 8), matrix(32, 32, 9)];
      const reused = others.map((other) => sum(other.mul(3).add(other), 1));
      return [last, ...reused];
    },
  },
  {
    name: 'a chain released before it ran dispatches nothing',
    run: () => {
      const x = matrix(8, 8, 30);
      const unused = x.mul(2).exp().add(x);
      unused.dispose();
      return x.add(1);
    },
  },
  {
    name: 'a pending value read twice by one op and by two chains, then by a matmul',
    run: () => {
      const shared = matrix(12, 12, 10).mul(2).add(0.5);
      const squared = shared.mul(shared);
      const both = shared.exp().add(shared.neg().sigmoid()).sub(squared);
      const product = matmul(shared, matrix(12, 5, 11));
      return [squared, both, product, shared];
    },
  },
  {
    name: 'pending values read through transposed and broadcast views',
    run: () => {
      const pending = matrix(6, 9, 12).mul(3).tanh();
      const row = tensor(seededValues(9, 13)).mul(2).exp();
      const column = matrix(6, 1, 14).add(1);
      return [
        transpose(pending)
          .add(matrix(9, 6, 15))
          .relu(),
        pending.add(row).mul(column),
        pending.reshape([54]).add(1),
      ];
    },
  },
  {
    name: 'a chain mixing int32 and bool ops',
    run: () => {
      const integers = tensor([3, -7, 12, 0, 5, -1, 8, 2], { dtype: 'int32' });
      const doubled = integers.add(integers).mul(integers);
      const float = tensor(seededValues(8, 16)).mul(4);
      const mixed = float.add(cast(doubled, 'float32')).sub(1).abs();
      const positive = float.greater(0);
      const chosen = where(positive, mixed.sqrt(), mixed.neg());
      return [doubled, mixed, chosen.mul(2).add(cast(positive, 'float32')), cast(mixed.mul(0.5), 'int32')];
    },
  },
  {
    name: 'NaN and infinities through a chain',
    run: () => {
      const special = tensor([NaN, Infinity, -Infinity, 0, -0, 1, -1, 3e38, -3e38, 1e-30, 88, 89]);
      const other = tensor([1, NaN, 2, -Infinity, 0, Infinity, NaN, 2, -2, 0, 1, -1]);
      return [
        special.mul(2).exp().sub(1).log().neg(),
        special.maximum(other).minimum(special.add(other)).div(other),
        special.sigmoid().mul(other).add(special.abs().sqrt()),
      ];
    },
  },
  {
    name: 'a chain longer than the step cap',
    run: () => {
      let x = matrix(20, 30, 17, 0.5, 1.5);
      for (let index = 0; index < 40; index++) x = index % 2 === 0 ? x.mul(1.01) : x.add(-0.01).abs();
      return x;
    },
  },
  {
    name: 'a chain wider than the input cap',
    run: () => {
      const inputs = Array.from({ length: 12 }, (_, index) => matrix(10, 11, 20 + index));
      return inputs.reduce((total, input) => total.add(input.mul(0.5)));
    },
  },
  {
    name: 'fused equals unfused bit for bit',
    run: () => {
      const x = matrix(40, 50, 40, -2, 2);
      const y = matrix(40, 50, 41, 0.1, 3);
      const fused = [fiveOps(x), mixedChain(x, y)];
      const previous = setWebGpuFusion(false);
      let unfused: Tensor[];
      try {
        unfused = [fiveOps(x), mixedChain(x, y)];
      } finally {
        setWebGpuFusion(previous);
      }
      // Elements that differ: 0 on the CPU (where fusion does not exist) and, when the fused
      // kernels compute the same f32 operations in the same order, on webgpu too.
      return fused.map((value, index) => sum(cast(notEqual(value, unfused[index]!), 'float32')));
    },
  },
];

void reportBattery(cases);
