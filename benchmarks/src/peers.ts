/**
 * Loading the peer implementations measured next to Vane: TensorFlow.js on its pure-JS cpu
 * backend and on its WebAssembly backend (the wasm binaries ship inside the npm package, so
 * nothing is downloaded).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * Registers tfjs's gradient functions, which the training rows need. tfjs-core's node entry
 * point leaves them out (the umbrella `@tensorflow/tfjs` package registers them), and the file
 * that does it is ESM with extensionless imports Node cannot resolve; so it is bundled on the
 * fly with esbuild (installed with tsx, which runs the suite). The registry is global to tfjs,
 * so the bundled copy registers into the same one the loaded tfjs-core uses.
 */
function registerTfjsGradients(): void {
  const require = createRequire(import.meta.url);
  try {
    const esbuild = require('esbuild') as typeof import('esbuild');
    const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    const bundle = esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      write: false,
      logLevel: 'silent',
    });
    const module = { exports: {} };
    new Function('module', 'exports', 'require', bundle.outputFiles[0]!.text)(module, module.exports, require);
  } catch (error) {
    console.warn(`tfjs gradients unavailable (training rows will be skipped for tfjs): ${(error as Error).message}`);
  }
}

/** The subset of the tfjs API the benchmarks use. */
export type Tfjs = typeof import('@tensorflow/tfjs-core');

/** tfjs-core with the cpu and wasm backends registered, or the reason it is unavailable. */
export async function loadTfjs(): Promise<{ tf: Tfjs; backends: string[] } | { unavailable: string }> {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    registerTfjsGradients();
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
