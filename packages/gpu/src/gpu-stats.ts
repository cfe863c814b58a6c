/**
 * Counters of what the gpu backend asks of the device: kernel dispatches, uploads and
 * readbacks. They make "nothing is read back inside a training step" checkable, and let the
 * bench report dispatches per step beside its times.
 */

/** What {@link gpuStats} reports, counted since the process started or the last reset. */
export interface GpuStats {
  /** Kernel runs (each is one draw call over the output texture). Uploads included. */
  readonly dispatches: number;
  /**
   * Host arrays copied into a texture (`tensor(...)` on the gpu, `.to('gpu')`). A scalar
   * constant already on the device (see `gpuConstantCount`) is shared, not uploaded again.
   */
  readonly uploads: number;
  /** Textures read back to the host (`data()`, `dataSync()`, `toArray()`, `.to('cpu')`). */
  readonly readbacks: number;
}

let dispatches = 0;
let uploads = 0;
let readbacks = 0;

/** Counts one kernel run. */
export function countDispatch(): void {
  dispatches++;
}

/** Counts one upload of host values. */
export function countUpload(): void {
  uploads++;
}

/** Counts one readback of a texture. */
export function countReadback(): void {
  readbacks++;
}

/**
 * The counters of the gpu backend.
 *
 * @example
 * resetGpuStats(); trainStep(); gpuStats() // { dispatches: 41, uploads: 2, readbacks: 0 }
 */
export function gpuStats(): GpuStats {
  return { dispatches, uploads, readbacks };
}

/** Sets every counter of {@link gpuStats} to zero. */
export function resetGpuStats(): void {
  dispatches = 0;
  uploads = 0;
  readbacks = 0;
}
