/**
 * Training-step rows: an MLP step (784-256-256-10, batch 128, Adam, softmax cross-entropy), a
 * CNN step (conv 3×3×32 on 28×28×1, batch 64, ReLU, then dense 10, Adam) and an optimizer
 * step on 10M parameters (adamw and active(adamw)), for Vane, tfjs-cpu / tfjs-wasm and jax-js
 * (each step one jitted function: valueAndGrad and Adam written in jax-js).
 *
 * @vane/autodiff and @vane/optim are loaded by a computed specifier at run time, so this file
 * type-checks and the suite runs (with these rows skipped, saying why) while those packages
 * are missing or incomplete.
 */
import * as vane from '@vane/tensor';
import type { Tensor } from '@vane/tensor';
import { measure, measureRow, TRAINING_STEP_TIMING, type BenchmarkRow, type Timing } from './harness.js';
import type { Tfjs } from './peers.js';
import { jaxAdamwRunner, jaxTrainingStepRunner, type LoadedJax } from './jax-peer.js';

type TensorMap = Record<string, Tensor>;

/** A fresh copy of `x` (each timed run starts from the same initial parameters). */
const copyOf = (x: Tensor): Tensor => vane.tensor(x.dataSync(), { shape: x.shape, dtype: x.dtype });
interface Transformation {
  init(params: TensorMap): unknown;
  update(updates: TensorMap, state: unknown, params?: TensorMap): [TensorMap, unknown];
}
interface VaneTraining {
  valueAndGrad(f: (params: TensorMap) => Tensor): (params: TensorMap) => [Tensor, TensorMap];
  adamw(options: { lr: number }): Transformation;
  active(base: Transformation, options: { period: number }): Transformation;
  applyUpdates(params: TensorMap, updates: TensorMap): TensorMap;
  updateAndApply(optimizer: Transformation, grads: TensorMap, state: unknown, params: TensorMap): [TensorMap, unknown];
  disposeReplaced(previous: unknown, next: unknown): void;
}

async function loadVaneTraining(): Promise<VaneTraining | string> {
  const specifiers = ['@vane/autodiff', '@vane/optim'];
  try {
    const [autodiff, optim] = (await Promise.all(specifiers.map((specifier) => import(specifier)))) as [
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    for (const [name, module] of [
      ['valueAndGrad', autodiff],
      ['adamw', optim],
      ['active', optim],
      ['applyUpdates', optim],
      ['updateAndApply', optim],
      ['disposeReplaced', optim],
    ] as const) {
      if (typeof module[name] !== 'function') return `${name} is not exported yet`;
    }
    return { ...autodiff, ...optim } as unknown as VaneTraining;
  } catch (error) {
    return `@vane/autodiff or @vane/optim failed to load: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Everything one training-step row needs from Vane: a loss over a parameter map. */
interface StepDefinition {
  params: () => TensorMap;
  loss: (params: TensorMap) => Tensor;
}

/** Vane's loss at a definition's initial parameters (the peers' first step must match it). */
function initialLoss(definition: StepDefinition): number {
  return vane.tidy(() => definition.loss(definition.params()).item());
}

function vaneStepRunner(
  training: VaneTraining | string,
  definition: StepDefinition,
  makeOptimizer: (training: VaneTraining) => Transformation,
): { name: string; run: () => Promise<Timing> } {
  return {
    name: 'vane',
    run: async () => {
      if (typeof training === 'string') throw new Error(training);
      let params = definition.params();
      const optimizer = makeOptimizer(training);
      let state = optimizer.init(params);
      const step = training.valueAndGrad(definition.loss);
      const timing = await measure(() => {
        const [loss, grads] = step(params);
        // The optimizer step in one call (update and apply; AdamW's whole step per leaf in one
        // pass), as jax-js's step is one jitted function.
        const [nextParams, nextState] = training.updateAndApply(optimizer, grads, state, params);
        // Reading the loss is the synchronisation point, as dataSync is for tfjs.
        loss.dataSync();
        training.disposeReplaced(state, nextState);
        vane.dispose([loss, ...Object.values(grads), ...Object.values(params)]);
        params = nextParams;
        state = nextState;
      }, TRAINING_STEP_TIMING);
      vane.dispose(Object.values(params));
      return timing;
    },
  };
}

function tfjsStepRunners(
  tf: Tfjs | undefined,
  backends: string[],
  build: (tf: Tfjs) => {
    variables: import('@tensorflow/tfjs-core').Variable[];
    loss: () => import('@tensorflow/tfjs-core').Scalar;
  },
) {
  if (!tf) return [];
  return backends.map((backend) => ({
    name: `tfjs-${backend}`,
    run: async () => {
      await tf.setBackend(backend);
      tf.engine().startScope();
      try {
        const { variables, loss } = build(tf);
        const optimizer = tf.train.adam(1e-3);
        const timing = await measure(() => {
          const value = optimizer.minimize(loss, true, variables);
          value?.dataSync();
          value?.dispose();
        }, TRAINING_STEP_TIMING);
        optimizer.dispose();
        return timing;
      } finally {
        tf.engine().endScope();
      }
    },
  }));
}

/**
 * The hand-fused reference for the optimizer row: AdamW as one in-place, allocation-free loop
 * over Float32Arrays per parameter tensor (what a framework-free implementation would write).
 */
function handFusedAdamRunner(shapes: number[][]): { name: string; run: () => Promise<Timing> } {
  return {
    name: 'typed-array loop',
    run: async () => {
      const random = (size: number) => Float32Array.from({ length: size }, () => Math.random() - 0.5);
      const tensors = shapes.map((shape) => {
        const size = shape.reduce((a, b) => a * b, 1);
        return { p: random(size), g: random(size), m: new Float32Array(size), v: new Float32Array(size) };
      });
      const [lr, beta1, beta2, eps, decay] = [1e-3, 0.9, 0.999, 1e-8, 1e-2];
      let count = 0;
      return measure(
        () => {
          count++;
          const c1 = 1 - beta1 ** count;
          const c2 = 1 - beta2 ** count;
          for (const { p, g, m, v } of tensors) {
            for (let i = 0; i < p.length; i++) {
              const gi = g[i]!;
              const mi = beta1 * m[i]! + (1 - beta1) * gi;
              const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
              m[i] = mi;
              v[i] = vi;
              p[i] = p[i]! - lr * (mi / c1 / (Math.sqrt(vi / c2) + eps) + decay * p[i]!);
            }
          }
        },
        { maximumRuns: 20, minimumMilliseconds: 1000 },
      );
    },
  };
}

/** Runs the training-step rows. */
export async function trainingStepRows(
  tf: Tfjs | undefined,
  tfBackends: string[],
  jax: LoadedJax,
): Promise<BenchmarkRow[]> {
  const training = await loadVaneTraining();
  const generator = vane.seed(7);
  const rows: BenchmarkRow[] = [];

  // MLP 784-256-256-10, batch 128.
  const batch = 128;
  const images = vane.randn([batch, 784], { generator });
  const labels = vane.randint(0, 10, [batch], { generator });
  const targets = vane.oneHot(labels, 10, { dtype: 'float32' });
  const layerSizes = [784, 256, 256, 10];
  const mlpInitial = layerSizes.slice(1).map((size, index) => ({
    weight: vane.randn([layerSizes[index]!, size], { generator, std: Math.sqrt(2 / layerSizes[index]!) }),
    bias: vane.zeros([size]),
  }));
  const mlp: StepDefinition = {
    params: () =>
      Object.fromEntries(
        mlpInitial.flatMap((layer, index) => [
          [`w${index}`, copyOf(layer.weight)],
          [`b${index}`, copyOf(layer.bias)],
        ]),
      ),
    loss: (params) => {
      let hidden = images;
      for (let index = 0; index < 3; index++) {
        hidden = vane.add(vane.matmul(hidden, params[`w${index}`]!), params[`b${index}`]!);
        if (index < 2) hidden = vane.relu(hidden);
      }
      return vane.neg(vane.mean(vane.sum(vane.mul(targets, vane.logSoftmax(hidden, -1)), -1)));
    },
  };
  const imageValues = images.dataSync() as Float32Array;
  const targetValues = targets.dataSync() as Float32Array;
  rows.push(
    await measureRow('training', 'MLP step 784-256-256-10, batch 128, Adam', undefined, [
      vaneStepRunner(training, mlp, (t) => t.adamw({ lr: 1e-3 })),
      ...tfjsStepRunners(tf, tfBackends, (tf) => {
        const x = tf.tensor2d(imageValues, [batch, 784]);
        const y = tf.tensor2d(targetValues, [batch, 10]);
        const variables = mlpInitial.flatMap((layer) => [
          tf.variable(tf.tensor(layer.weight.dataSync() as Float32Array, layer.weight.shape as number[])),
          tf.variable(tf.zeros(layer.bias.shape as number[])),
        ]);
        return {
          variables,
          loss: () =>
            tf.tidy(() => {
              let hidden: import('@tensorflow/tfjs-core').Tensor2D = x;
              for (let index = 0; index < 3; index++) {
                hidden = tf.add(
                  tf.matMul(hidden, variables[2 * index]! as import('@tensorflow/tfjs-core').Tensor2D),
                  variables[2 * index + 1]!,
                );
                if (index < 2) hidden = tf.relu(hidden);
              }
              return tf.losses.softmaxCrossEntropy(y, hidden) as import('@tensorflow/tfjs-core').Scalar;
            }),
        };
      }),
      jaxTrainingStepRunner(jax, {
        parameters: mlpInitial.flatMap((layer) => [
          { values: layer.weight.dataSync() as Float32Array, shape: layer.weight.shape as number[] },
          { values: layer.bias.dataSync() as Float32Array, shape: layer.bias.shape as number[] },
        ]),
        batch: [
          { values: imageValues, shape: [batch, 784] },
          { values: targetValues, shape: [batch, 10] },
        ],
        expectedInitialLoss: initialLoss(mlp),
        loss: (jax, parameters, [x, y]) => {
          let hidden = x!;
          for (let index = 0; index < 3; index++) {
            hidden = jax.numpy.matmul(hidden, parameters[2 * index]!).add(parameters[2 * index + 1]!);
            if (index < 2) hidden = jax.nn.relu(hidden);
          }
          return jax.nn.logSoftmax(hidden, -1).mul(y!).sum(-1).mean().neg();
        },
      }),
    ]),
  );

  // The autodiff overhead on the same MLP: a forward pass alone, then valueAndGrad (loss and
  // every gradient). run.ts reports their ratio (target ≤ 3).
  const mlpParams = mlp.params();
  rows.push(
    await measureRow('autodiff', 'MLP forward only 784-256-256-10, batch 128', undefined, [
      {
        name: 'vane',
        run: () =>
          measure(
            () => {
              const loss = mlp.loss(mlpParams);
              loss.dataSync();
              loss.dispose();
            },
            { ...TRAINING_STEP_TIMING, maximumRuns: 40 },
          ),
      },
    ]),
  );
  rows.push(
    await measureRow('autodiff', 'MLP valueAndGrad 784-256-256-10, batch 128', undefined, [
      {
        name: 'vane',
        run: () => {
          if (typeof training === 'string') throw new Error(training);
          const step = training.valueAndGrad(mlp.loss);
          return measure(
            () => {
              const [loss, grads] = step(mlpParams);
              loss.dataSync();
              vane.dispose([loss, ...Object.values(grads)]);
            },
            { ...TRAINING_STEP_TIMING, maximumRuns: 40 },
          );
        },
      },
    ]),
  );
  vane.dispose(Object.values(mlpParams));

  // CNN: conv 3×3×32 ('same') on 28×28×1, batch 64, ReLU, then dense 28·28·32 → 10.
  const cnnBatch = 64;
  const cnnImages = vane.randn([cnnBatch, 1, 28, 28], { generator });
  const cnnTargets = vane.oneHot(vane.randint(0, 10, [cnnBatch], { generator }), 10, { dtype: 'float32' });
  const convWeight = vane.randn([32, 1, 3, 3], { generator, std: Math.sqrt(2 / 9) });
  const denseWeight = vane.randn([28 * 28 * 32, 10], { generator, std: Math.sqrt(1 / (28 * 28 * 32)) });
  const cnn: StepDefinition = {
    params: () => ({
      conv: copyOf(convWeight),
      convBias: vane.zeros([32, 1, 1]),
      dense: copyOf(denseWeight),
      denseBias: vane.zeros([10]),
    }),
    loss: (params) => {
      const features = vane.relu(vane.add(vane.conv2d(cnnImages, params.conv!, { padding: 'same' }), params.convBias!));
      const logits = vane.add(
        vane.matmul(vane.reshape(features, [cnnBatch, 28 * 28 * 32]), params.dense!),
        params.denseBias!,
      );
      return vane.neg(vane.mean(vane.sum(vane.mul(cnnTargets, vane.logSoftmax(logits, -1)), -1)));
    },
  };
  const cnnImageValues = cnnImages.dataSync() as Float32Array;
  const cnnTargetValues = cnnTargets.dataSync() as Float32Array;
  rows.push(
    await measureRow('training', 'CNN step conv 3x3x32 on 28x28x1, batch 64, dense 10, Adam', undefined, [
      vaneStepRunner(training, cnn, (t) => t.adamw({ lr: 1e-3 })),
      ...tfjsStepRunners(tf, tfBackends, (tf) => {
        // NHWC input and HWIO filter (the same values, transposed once outside the timed region).
        const x = tf.transpose(
          tf.tensor4d(cnnImageValues, [cnnBatch, 1, 28, 28]),
          [0, 2, 3, 1],
        ) as import('@tensorflow/tfjs-core').Tensor4D;
        const y = tf.tensor2d(cnnTargetValues, [cnnBatch, 10]);
        const filter = tf.variable(
          tf.transpose(tf.tensor4d(convWeight.dataSync() as Float32Array, [32, 1, 3, 3]), [2, 3, 1, 0]),
        );
        const convBias = tf.variable(tf.zeros([32]));
        const dense = tf.variable(tf.tensor2d(denseWeight.dataSync() as Float32Array, [28 * 28 * 32, 10]));
        const denseBias = tf.variable(tf.zeros([10]));
        return {
          variables: [filter, convBias, dense, denseBias],
          loss: () =>
            tf.tidy(() => {
              const features = tf.relu(
                tf.add(
                  tf.conv2d(x, filter as unknown as import('@tensorflow/tfjs-core').Tensor4D, 1, 'same'),
                  convBias,
                ),
              );
              const logits = tf.add(tf.matMul(tf.reshape(features, [cnnBatch, 28 * 28 * 32]), dense), denseBias);
              return tf.losses.softmaxCrossEntropy(y, logits) as import('@tensorflow/tfjs-core').Scalar;
            }),
        };
      }),
      jaxTrainingStepRunner(jax, {
        parameters: [
          { values: convWeight.dataSync() as Float32Array, shape: [32, 1, 3, 3] },
          { values: new Float32Array(32), shape: [32, 1, 1] },
          { values: denseWeight.dataSync() as Float32Array, shape: [28 * 28 * 32, 10] },
          { values: new Float32Array(10), shape: [10] },
        ],
        batch: [
          { values: cnnImageValues, shape: [cnnBatch, 1, 28, 28] },
          { values: cnnTargetValues, shape: [cnnBatch, 10] },
        ],
        expectedInitialLoss: initialLoss(cnn),
        loss: (jax, [conv, convBias, dense, denseBias], [x, y]) => {
          const features = jax.nn.relu(jax.lax.conv(x!, conv!, [1, 1], 'SAME').add(convBias!));
          const logits = jax.numpy.matmul(features.reshape([cnnBatch, 28 * 28 * 32]), dense!).add(denseBias!);
          return jax.nn.logSoftmax(logits, -1).mul(y!).sum(-1).mean().neg();
        },
      }),
    ]),
  );

  // Optimizer step alone on 10M parameters (four 2.5M tensors), gradients fixed.
  const parameterShapes = [
    [2500, 1000],
    [2500, 1000],
    [2500, 1000],
    [2500, 1000],
  ];
  const optimizerParams = () =>
    Object.fromEntries(parameterShapes.map((shape, index) => [`p${index}`, vane.randn(shape, { generator })]));
  const fixedGrads = optimizerParams();
  for (const [label, make] of [
    ['adamw', (t: VaneTraining) => t.adamw({ lr: 1e-3 })],
    ['active(adamw)', (t: VaneTraining) => t.active(t.adamw({ lr: 1e-3 }), { period: 10 })],
  ] as const) {
    rows.push(
      await measureRow('optimizer', `optimizer step ${label}, 10M params`, undefined, [
        {
          name: 'vane',
          run: async () => {
            if (typeof training === 'string') throw new Error(training);
            let params = optimizerParams();
            const optimizer = make(training);
            let state = optimizer.init(params);
            const timing = await measure(
              () => {
                // The step in one call (update and apply), as jax-js's update is one jitted function.
                const [nextParams, nextState] = training.updateAndApply(optimizer, fixedGrads, state, params);
                training.disposeReplaced(state, nextState);
                vane.dispose(Object.values(params));
                params = nextParams;
                state = nextState;
              },
              { maximumRuns: 20, minimumMilliseconds: 1000 },
            );
            training.disposeReplaced(state, undefined);
            vane.dispose(Object.values(params));
            return timing;
          },
        },
        ...(label === 'adamw' ? [handFusedAdamRunner(parameterShapes), jaxAdamwRunner(jax, parameterShapes)] : []),
        ...(label === 'adamw' && tf
          ? tfBackends.map((backend) => ({
              name: `tfjs-${backend}`,
              run: async () => {
                await tf.setBackend(backend);
                tf.engine().startScope();
                try {
                  const variables = parameterShapes.map((shape) => tf.variable(tf.randomNormal(shape)));
                  const grads = parameterShapes.map((shape) => tf.randomNormal(shape));
                  const optimizer = tf.train.adam(1e-3);
                  const named = variables.map((variable, index) => ({ name: variable.name, tensor: grads[index]! }));
                  const timing = await measure(
                    () => {
                      optimizer.applyGradients(named);
                      variables[0]!.dataSync();
                    },
                    { maximumRuns: 10, minimumMilliseconds: 1000 },
                  );
                  optimizer.dispose();
                  return timing;
                } finally {
                  tf.engine().endScope();
                }
              },
            }))
          : []),
      ]),
    );
  }
  vane.dispose(Object.values(fixedGrads));
  return rows;
}
