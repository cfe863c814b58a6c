/**
 * Tensor-core rows: matmul at 64/256/512/1024 (GFLOP/s), add and exp on 1e6 elements, and a
 * conv2d forward pass, for Vane and for tfjs-cpu / tfjs-wasm and jax-js (jit, wasm), plus a bare typed-array loop as
 * the ceiling for the elementwise rows.
 */
import { add, conv2d, exp, matmul, randn, seed, type Tensor } from '@vane/tensor';
import { CONV2D_TIMING, measure, measureRow, type BenchmarkRow, type MeasureOptions, type Runner } from './harness.js';
import type { Tfjs } from './peers.js';
import { jaxConv2dRunner, jaxElementwiseRunner, jaxMatmulRunner, type LoadedJax } from './jax-peer.js';

function tfjsRunners(
  tf: Tfjs | undefined,
  backends: string[],
  body: (tf: Tfjs) => () => unknown,
  options: MeasureOptions = { maximumRuns: 50 },
): Runner[] {
  if (!tf) return [];
  return backends.map((backend) => ({
    name: `tfjs-${backend}`,
    run: async () => {
      await tf.setBackend(backend);
      // A scope per runner frees its inputs afterwards: tensors left over from the large
      // matmul rows otherwise slow every later row (measured: add 1e6 went from 9 ms to 1.2 s).
      tf.engine().startScope();
      try {
        const fn = body(tf);
        // dataSync forces the computation to finish inside the timed region.
        return await measure(
          () =>
            tf.tidy(() => {
              (fn() as { dataSync(): unknown }).dataSync();
            }),
          options,
        );
      } finally {
        tf.engine().endScope();
      }
    },
  }));
}

/** Runs the tensor-core rows. */
export async function tensorCoreRows(
  tf: Tfjs | undefined,
  tfBackends: string[],
  jax: LoadedJax,
): Promise<BenchmarkRow[]> {
  const rows: BenchmarkRow[] = [];
  const generator = seed(1);
  for (const size of [64, 256, 512, 1024]) {
    const a = randn([size, size], { generator });
    const b = randn([size, size], { generator });
    const aValues = a.dataSync() as Float32Array;
    const bValues = b.dataSync() as Float32Array;
    rows.push(
      await measureRow('matmul', `matmul ${size}x${size}`, { amount: 2 * size ** 3, unit: 'FLOP' }, [
        { name: 'vane', run: () => measure(() => matmul(a, b).dispose(), { maximumRuns: 50 }) },
        ...tfjsRunners(tf, tfBackends, (tf) => {
          const x = tf.tensor2d(aValues, [size, size]);
          const y = tf.tensor2d(bValues, [size, size]);
          return () => tf.matMul(x, y);
        }),
        jaxMatmulRunner(jax, size, aValues, bValues, matmul(a, b).dataSync() as Float32Array),
      ]),
    );
  }
  const count = 1_000_000;
  const x = randn([count], { generator });
  const y = randn([count], { generator });
  const xValues = x.dataSync() as Float32Array;
  const yValues = y.dataSync() as Float32Array;
  const out = new Float32Array(count);
  rows.push(
    await measureRow('elementwise', 'add 1e6', undefined, [
      { name: 'vane', run: () => measure(() => add(x, y).dispose()) },
      {
        name: 'typed-array loop',
        run: () =>
          measure(() => {
            const result = new Float32Array(count);
            for (let index = 0; index < count; index++) result[index] = xValues[index]! + yValues[index]!;
            out[0] = result[0]!;
          }),
      },
      ...tfjsRunners(tf, tfBackends, (tf) => {
        const p = tf.tensor1d(xValues);
        const q = tf.tensor1d(yValues);
        return () => tf.add(p, q);
      }),
      jaxElementwiseRunner(jax, 'add', xValues, yValues, add(x, y).dataSync() as Float32Array),
    ]),
  );
  rows.push(
    await measureRow('elementwise', 'exp 1e6', undefined, [
      { name: 'vane', run: () => measure(() => exp(x).dispose()) },
      {
        name: 'typed-array loop',
        run: () =>
          measure(() => {
            const result = new Float32Array(count);
            for (let index = 0; index < count; index++) result[index] = Math.exp(xValues[index]!);
            out[0] = result[0]!;
          }),
      },
      ...tfjsRunners(tf, tfBackends, (tf) => {
        const p = tf.tensor1d(xValues);
        return () => tf.exp(p);
      }),
      jaxElementwiseRunner(jax, 'exp', xValues, yValues, exp(x).dataSync() as Float32Array),
    ]),
  );
  // A LeNet-sized layer: batch 16, 16→32 channels, 3x3, 28x28, 'same' padding.
  const input: Tensor = randn([16, 16, 28, 28], { generator });
  const weight: Tensor = randn([32, 16, 3, 3], { generator });
  const inputValues = input.dataSync() as Float32Array;
  const weightValues = weight.dataSync() as Float32Array;
  rows.push(
    await measureRow(
      'conv2d',
      'conv2d fwd 16x16x28x28, 32 3x3',
      { amount: 2 * 16 * 32 * 28 * 28 * 16 * 9, unit: 'FLOP' },
      [
        {
          name: 'vane',
          run: () => measure(() => conv2d(input, weight, { padding: 'same' }).dispose(), CONV2D_TIMING),
        },
        ...tfjsRunners(
          tf,
          tfBackends,
          (tf) => {
            // tfjs is NHWC with HWIO filters: transpose once, outside the timed region.
            const nhwc = tf.transpose(
              tf.tensor4d(inputValues, [16, 16, 28, 28]),
              [0, 2, 3, 1],
            ) as import('@tensorflow/tfjs-core').Tensor4D;
            const filter = tf.transpose(
              tf.tensor4d(weightValues, [32, 16, 3, 3]),
              [2, 3, 1, 0],
            ) as import('@tensorflow/tfjs-core').Tensor4D;
            return () => tf.conv2d(nhwc, filter, 1, 'same');
          },
          CONV2D_TIMING,
        ),
        jaxConv2dRunner(
          jax,
          [16, 16, 28, 28],
          inputValues,
          [32, 16, 3, 3],
          weightValues,
          conv2d(input, weight, { padding: 'same' }).dataSync() as Float32Array,
        ),
      ],
    ),
  );
  return rows;
}
