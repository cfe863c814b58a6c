/**
 * Whether this machine runs the gpu backend on a real graphics path, and the rule the GPU
 * tests follow: skip with the reason when it does not, or fail when `VANE_GPU_REQUIRED=1`
 * (set in CI, where Xvfb and headless-gl are installed) says it must.
 */
import { gpuUnavailableReason } from '../src/index.js';

/** Why the GPU tests cannot run here, or `undefined` when they can. */
export const unavailableReason = gpuUnavailableReason();
/** True when CI demands the WebGL path. */
export const gpuRequired = process.env.VANE_GPU_REQUIRED === '1';
/** True when the GPU tests run. */
export const gpuReady = unavailableReason === undefined || gpuRequired;

if (unavailableReason !== undefined) {
  console.warn(
    `@vane/gpu: GPU tests ${gpuRequired ? 'FAIL (VANE_GPU_REQUIRED=1)' : 'skipped (no WebGL)'}: ${unavailableReason}`,
  );
}

/** The backends the conformance suite runs on: the gpu only where it can. */
export const BACKENDS = gpuReady ? (['cpu', 'gpu'] as const) : (['cpu'] as const);
