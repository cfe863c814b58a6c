/**
 * What one training run of the playground is: dataset, model, optimizer expression, learning
 * rate, batch size, epochs, backend and seed. Plain data, so the page can send it to a worker.
 * This module imports nothing, so the page's own bundle stays free of the tensor library; the
 * worker checks each configuration with `checkRunConfiguration` before it trains.
 */
/** The datasets the page trains on: the embedded digits, or the user's own Fashion-MNIST files. */
export const DATASET_NAMES = ['digits', 'fashion-mnist'] as const;
/** The models the page builds (the CLI's `mlp` and `cnn`). */
export const MODEL_NAMES = ['mlp', 'cnn'] as const;
/** `cpu`: WebAssembly SIMD kernels; `gpu`: WebGL2 through gpu.js. */
export const BACKEND_NAMES = ['cpu', 'gpu'] as const;

/** Everything that defines a run. */
export interface RunConfiguration {
  dataset: (typeof DATASET_NAMES)[number];
  model: (typeof MODEL_NAMES)[number];
  /** An optimizer expression, as `vane train --optimizer` takes it: `active(adamw)`, `graft(adam,sgd)`, … */
  optimizer: string;
  lr: number;
  batchSize: number;
  epochs: number;
  backend: (typeof BACKEND_NAMES)[number];
  /** Seeds the model's initial weights, the split and the batch order. */
  seed: number;
  /** Keep at most this many examples (before the 80/20 split); Fashion-MNIST's 60,000 are slow in a page. */
  exampleLimit?: number;
}

/**
 * The default run, also what `?autorun=1` trains: the digits MLP with active(AdamW) for 10
 * epochs on the CPU. It takes a few seconds and reaches about 0.95 validation accuracy.
 */
export const DEFAULT_RUN_CONFIGURATION: RunConfiguration = {
  dataset: 'digits',
  model: 'mlp',
  optimizer: 'active(adamw)',
  lr: 3e-3,
  batchSize: 32,
  epochs: 10,
  backend: 'cpu',
  seed: 0,
};

/**
 * The configuration a page address asks for: the default, with `backend`, `model`,
 * `optimizer`, `lr`, `batchSize`, `epochs` and `seed` taken from the query when present.
 * Not checked here: the worker refuses a bad value with a message the page shows.
 *
 * @example
 * configurationFromQuery(new URLSearchParams('autorun=1&backend=gpu')).backend; // 'gpu'
 */
export function configurationFromQuery(query: URLSearchParams): RunConfiguration {
  const configuration: Record<string, unknown> = { ...DEFAULT_RUN_CONFIGURATION };
  for (const key of ['backend', 'model', 'optimizer'] as const) {
    const value = query.get(key);
    if (value !== null) configuration[key] = value;
  }
  for (const key of ['lr', 'batchSize', 'epochs', 'seed'] as const) {
    const value = query.get(key);
    if (value !== null) configuration[key] = Number(value);
  }
  return configuration as unknown as RunConfiguration;
}
