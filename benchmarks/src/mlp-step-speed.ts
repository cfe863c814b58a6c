/**
 * Benchmark: the MLP training step of the bench's training rows (784-256-256-10, batch 128,
 * ReLU, softmax cross-entropy through logSoftmax; Adam) for Vane and jax-js, and optionally an
 * older Vane checkout, interleaved step by step in one process (each contestant runs one step,
 * then the next contestant, and so on, so that a change in machine load hits all alike), on 1
 * and 2 kernel threads. Contestants: per Vane build, `valueAndGrad` alone and the whole step
 * (valueAndGrad, adamw, applyUpdates); jax-js's step (one jitted function doing the same). The
 * tables give each contestant's median step time and ratios as the median of the per-step
 * ratios (step i of one against step i of the other).
 *
 * Run: npx tsx --conditions=@vane/source benchmarks/src/mlp-step-speed.ts
 *        [--steps 80] [--threads 1,2] [--old /tmp/vane-old] [--no-jax]
 * `--old` names the root of another checkout of this repository (a `git worktree` of an older
 * commit) whose node_modules/@vane/* point at its own packages; its Vane is loaded beside this one.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { jaxTrainingStepper, loadJax, type JaxStepDefinition } from './jax-peer.js';

type TensorModule = typeof import('@vane/tensor');
type Tensor = import('@vane/tensor').Tensor;
type TensorMap = Record<string, Tensor>;
interface VaneBuild {
  name: string;
  tensor: TensorModule;
  autodiff: typeof import('@vane/autodiff');
  optim: typeof import('@vane/optim');
}

const option = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const STEPS = Number(option('steps') ?? 80);
const WARMUP_STEPS = 5;
const THREADS = (option('threads') ?? '1,2').split(',').map(Number);
const OLD_ROOT = option('old');
const WITH_JAX = !process.argv.includes('--no-jax');
const BATCH = 128;
const LAYER_SIZES = [784, 256, 256, 10];

async function loadBuild(name: string, root?: string): Promise<VaneBuild> {
  const load = (pkg: string, specifier: string) =>
    root ? import(pathToFileURL(`${root}/packages/${pkg}/src/index.ts`).href) : import(specifier);
  const [tensor, autodiff, optim] = await Promise.all([
    load('tensor', '@vane/tensor'),
    load('autodiff', '@vane/autodiff'),
    load('optim', '@vane/optim'),
  ]);
  return { name, tensor, autodiff, optim } as VaneBuild;
}

/** The initial values every contestant starts from (drawn once, by the current build). */
interface InitialValues {
  images: Float32Array;
  targets: Float32Array;
  layers: { weight: Float32Array; weightShape: number[]; bias: Float32Array }[];
}

function initialValues(vane: TensorModule): InitialValues {
  const generator = vane.seed(7);
  const images = vane.randn([BATCH, 784], { generator });
  const labels = vane.randint(0, 10, [BATCH], { generator });
  const targets = vane.oneHot(labels, 10, { dtype: 'float32' });
  return {
    images: images.dataSync() as Float32Array,
    targets: targets.dataSync() as Float32Array,
    layers: LAYER_SIZES.slice(1).map((size, index) => ({
      weight: vane
        .randn([LAYER_SIZES[index]!, size], { generator, std: Math.sqrt(2 / LAYER_SIZES[index]!) })
        .dataSync() as Float32Array,
      weightShape: [LAYER_SIZES[index]!, size],
      bias: new Float32Array(size),
    })),
  };
}

/** The loss of training-steps.ts's MLP row, on one build's tensors. */
function mlpLoss(build: VaneBuild, values: InitialValues) {
  const vane = build.tensor;
  const images = vane.tensor(values.images, { shape: [BATCH, 784] });
  const targets = vane.tensor(values.targets, { shape: [BATCH, 10] });
  const params = (): TensorMap =>
    Object.fromEntries(
      values.layers.flatMap((layer, index) => [
        [`w${index}`, vane.tensor(layer.weight, { shape: layer.weightShape })],
        [`b${index}`, vane.tensor(layer.bias, { shape: [layer.bias.length] })],
      ]),
    );
  const loss = (p: TensorMap): Tensor => {
    let hidden = images;
    for (let index = 0; index < 3; index++) {
      hidden = vane.add(vane.matmul(hidden, p[`w${index}`]!), p[`b${index}`]!);
      if (index < 2) hidden = vane.relu(hidden);
    }
    return vane.neg(vane.mean(vane.sum(vane.mul(targets, vane.logSoftmax(hidden, -1)), -1)));
  };
  return { params, loss };
}

/** One contestant: runs one step (reading its loss back) per call. */
interface Stepper {
  name: string;
  step(): void;
  dispose(): void;
}

function valueAndGradStepper(build: VaneBuild, values: InitialValues): Stepper {
  const { params, loss } = mlpLoss(build, values);
  const p = params();
  const run = build.autodiff.valueAndGrad(loss);
  return {
    name: `${build.name} valueAndGrad`,
    step: () => {
      const [value, grads] = run(p);
      value.dataSync();
      build.tensor.dispose([value, ...Object.values(grads)]);
    },
    dispose: () => build.tensor.dispose(Object.values(p)),
  };
}

function trainingStepper(build: VaneBuild, values: InitialValues): Stepper {
  const { params, loss } = mlpLoss(build, values);
  const { adamw, applyUpdates, disposeReplaced } = build.optim;
  let p = params();
  const optimizer = adamw({ lr: 1e-3 });
  let state = optimizer.init(p);
  const run = build.autodiff.valueAndGrad(loss);
  return {
    name: `${build.name} step`,
    step: () => {
      const [value, grads] = run(p);
      const [updates, nextState] = optimizer.update(grads, state, p);
      const next = applyUpdates(p, updates) as TensorMap;
      value.dataSync();
      disposeReplaced(state, nextState);
      build.tensor.dispose([
        value,
        ...Object.values(grads),
        ...Object.values(updates as TensorMap),
        ...Object.values(p),
      ]);
      p = next;
      state = nextState;
    },
    dispose: () => build.tensor.dispose(Object.values(p)),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const loadText = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');

const builds = [await loadBuild('vane')];
if (OLD_ROOT) builds.push(await loadBuild('vane (old)', OLD_ROOT));
const values = initialValues(builds[0]!.tensor);
const jax = WITH_JAX ? await loadJax() : undefined;
const reference = mlpLoss(builds[0]!, values);
const initialLoss = builds[0]!.tensor.tidy(() => reference.loss(reference.params()).item());
const jaxDefinition: JaxStepDefinition = {
  parameters: values.layers.flatMap((layer) => [
    { values: layer.weight, shape: layer.weightShape },
    { values: layer.bias, shape: [layer.bias.length] },
  ]),
  batch: [
    { values: values.images, shape: [BATCH, 784] },
    { values: values.targets, shape: [BATCH, 10] },
  ],
  expectedInitialLoss: initialLoss,
  loss: (jaxModule, parameters, [x, y]) => {
    let hidden = x!;
    for (let index = 0; index < 3; index++) {
      hidden = jaxModule.numpy.matmul(hidden, parameters[2 * index]!).add(parameters[2 * index + 1]!);
      if (index < 2) hidden = jaxModule.nn.relu(hidden);
    }
    return jaxModule.nn.logSoftmax(hidden, -1).mul(y!).sum(-1).mean().neg();
  },
};

console.log(
  `MLP 784-256-256-10, batch 128; Node ${process.version}; ${STEPS} interleaved steps per contestant; load at start ${loadText()}`,
);
if (jax && 'unavailable' in jax) console.log(`jax-js unavailable: ${jax.unavailable}`);
for (const threads of THREADS) {
  for (const build of builds) {
    build.tensor.setThreadCount(threads);
    await build.tensor.kernelThreadsReady();
  }
  const steppers: Stepper[] = builds.flatMap((build) => [
    valueAndGradStepper(build, values),
    trainingStepper(build, values),
  ]);
  if (jax && !('unavailable' in jax)) {
    const stepper = jaxTrainingStepper(jax.jax, jaxDefinition);
    steppers.push({ name: 'jax-js step', step: () => void stepper.step(), dispose: () => stepper.dispose() });
  }
  // Wall time, and the process's CPU time (user + system, all threads): on one kernel thread
  // the CPU time is what a loaded machine distorts least (time spent descheduled is not in
  // it); with two, the wall time is the measure (the CPU time then includes the worker's).
  const samples: Record<string, number[]> = {};
  const cpuSamples: Record<string, number[]> = {};
  for (let index = 0; index < WARMUP_STEPS + STEPS; index++) {
    for (const stepper of steppers) {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      stepper.step();
      const elapsed = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      if (index >= WARMUP_STEPS) {
        (samples[stepper.name] ??= []).push(elapsed);
        (cpuSamples[stepper.name] ??= []).push((cpu.user + cpu.system) / 1000);
      }
    }
  }
  steppers.forEach((stepper) => stepper.dispose());
  console.log(`\n${threads} kernel thread(s); load at end ${loadText()}; median wall ms, median CPU ms`);
  for (const [key, times] of Object.entries(samples))
    console.log(`  ${key.padEnd(26)} ${median(times).toFixed(3)} ms  (CPU ${median(cpuSamples[key]!).toFixed(3)} ms)`);
  const ratio = (numerator: string, denominator: string) => {
    const top = samples[numerator];
    const bottom = samples[denominator];
    if (!top || !bottom) return;
    const ratios = top.map((value, index) => value / bottom[index]!);
    const cpuTop = cpuSamples[numerator]!;
    const cpuBottom = cpuSamples[denominator]!;
    const cpuRatios = cpuTop.map((value, index) => value / cpuBottom[index]!);
    console.log(
      `  ${`${numerator} / ${denominator}`.padEnd(50)} ${median(ratios).toFixed(2)}× wall, ${median(cpuRatios).toFixed(2)}× CPU (medians of steps)`,
    );
  };
  ratio('jax-js step', 'vane step');
  ratio('vane (old) valueAndGrad', 'vane valueAndGrad');
  ratio('vane (old) step', 'vane step');
  ratio('jax-js step', 'vane (old) step');
}
