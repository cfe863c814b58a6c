/**
 * Loading the peer implementations measured next to Vane: TensorFlow.js on its pure-JS cpu
 * backend and on its WebAssembly backend (the wasm binaries ship inside the npm package, so
 * nothing is downloaded).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** The subset of the tfjs API the benchmarks use. */
export type Tfjs = typeof import('@tensorflow/tfjs-core');

/** tfjs-core with the cpu and wasm backends registered, or the reason it is unavailable. */
export async function loadTfjs(): Promise<{ tf: Tfjs; backends: string[] } | { unavailable: string }> {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const backends = ['cpu'];
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const require = createRequire(import.meta.url);
      const wasmDirectory = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/';
      wasm.setWasmPaths(wasmDirectory);
      await tf.setBackend('wasm');
      await tf.ready();
      backends.push('wasm');
    } catch (error) {
      console.warn(`tfjs-wasm unavailable: ${(error as Error).message}`);
    }
    await tf.setBackend('cpu');
    return { tf, backends };
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}
