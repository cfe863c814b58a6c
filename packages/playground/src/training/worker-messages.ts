/**
 * The messages between the page and a training worker. Both sides import these types, so a
 * change to the protocol is a type error on the other side.
 */
import type { IdxPair } from './task-data.js';
import type { EpochRecord } from './training-session.js';
import type { RunConfiguration } from './run-configuration.js';

/** What the page asks of a worker. */
export type PageMessage =
  /** Start a run (abandoning any current one). `fashion` holds the picked IDX bytes for `dataset: 'fashion-mnist'`. */
  | { type: 'start'; runId: number; configuration: RunConfiguration; fashion?: IdxPair; reportSteps: boolean }
  /** Stop before the next batch, keeping the model and optimizer state. */
  | { type: 'pause' }
  /** Continue a paused run. */
  | { type: 'resume' }
  /** End the current run. */
  | { type: 'abandon' };

/** Which kernels a run uses, for the page to show. */
export interface BackendReport {
  backend: 'cpu' | 'gpu';
  /** `simd` (WebAssembly SIMD) or `scalar` on the CPU; gpu.js's kernel class (`WebGL2Kernel`) on the GPU. */
  kernelClass: string;
  /** The WebGL renderer string on the GPU (SwiftShader in headless Chromium); the CPU kernels otherwise. */
  renderer: string;
}

/** What a worker tells the page. Every message but `error` carries the run it is about. */
export type WorkerMessage =
  | { type: 'started'; runId: number; backend: BackendReport; stepsPerEpoch: number }
  | { type: 'step'; runId: number; step: number; loss: number }
  | { type: 'epoch'; runId: number; record: EpochRecord }
  | { type: 'paused'; runId: number }
  | { type: 'resumed'; runId: number }
  | { type: 'done'; runId: number; records: EpochRecord[] }
  | { type: 'error'; runId: number; message: string };
