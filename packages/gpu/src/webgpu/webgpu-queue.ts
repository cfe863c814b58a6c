/// <reference types="@webgpu/types" preserve="true" />
/**
 * The batch of kernel dispatches not yet submitted: one command encoder and one compute pass
 * collect every dispatch until something needs the queue (a read, an upload) or the batch is
 * full, and each dispatch's integers (`dims`, see webgpu-dispatch.ts) go into one shared buffer
 * at their own offset.
 *
 * Why: submitting one encoder per dispatch, with a new small buffer for its integers, cost about
 * 0.8 ms per dispatch in Chromium on SwiftShader (200 chained adds of [128, 256]: 165 ms), most
 * of it in the browser's GPU-process round trips rather than in the kernels. WebGPU makes each
 * dispatch of a compute pass its own synchronisation scope, so a kernel still sees everything
 * the dispatches before it wrote.
 *
 * Order with the queue's own writes: `queue.writeBuffer` runs before any command buffer
 * submitted after it, so an upload into a pooled buffer that a queued (unsubmitted) kernel
 * still reads would overtake that kernel. Uploads and reads therefore {@link flushDispatches}
 * first. A batch is also submitted at the end of the current task (a microtask), so work
 * starts even when nothing is read.
 */
import { webGpuContext } from './webgpu-device.js';

/** Bytes of `dims` each dispatch may use (256 integers), and the stride between their slots. */
export const DIMS_SLOT_BYTES = 1024;
/** Dispatches per batch before it is submitted anyway (bounds the shared integers buffer). */
const DISPATCHES_PER_BATCH = 256;

interface Batch {
  readonly encoder: GPUCommandEncoder;
  readonly pass: GPUComputePassEncoder;
  count: number;
}

/** The open batch's integers on the host; `writeBuffer` copies them at flush, so one array serves every batch. */
const batchDims = new Int32Array((DIMS_SLOT_BYTES / 4) * DISPATCHES_PER_BATCH);

let batch: Batch | undefined;
let dimsBuffer: GPUBuffer | undefined;
let flushScheduled = false;

/** The buffer every batch's integers live in (one slot of {@link DIMS_SLOT_BYTES} per dispatch). */
export function sharedDimsBuffer(device: GPUDevice): GPUBuffer {
  dimsBuffer ??= device.createBuffer({
    size: DIMS_SLOT_BYTES * DISPATCHES_PER_BATCH,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    label: 'vane dims',
  });
  return dimsBuffer;
}

/**
 * Records one dispatch into the open batch: `encode` sets the pipeline and bind group on the
 * pass, given the byte offset of this dispatch's integers in the shared buffer (the dynamic
 * offset of binding 0), and dispatches.
 */
export function queueDispatch(
  op: string,
  dims: readonly number[],
  encode: (pass: GPUComputePassEncoder, dimsOffset: number) => void,
): void {
  if (dims.length * 4 > DIMS_SLOT_BYTES)
    throw new Error(
      `webgpu.${op}: the call needs ${dims.length} integers, above the ${DIMS_SLOT_BYTES / 4} a slot holds`,
    );
  const { device } = webGpuContext(op);
  if (!batch) {
    const encoder = device.createCommandEncoder();
    batch = {
      encoder,
      pass: encoder.beginComputePass(),
      count: 0,
    };
    if (!flushScheduled) {
      flushScheduled = true;
      queueMicrotask(() => {
        flushScheduled = false;
        flushDispatches();
      });
    }
  }
  const slot = batch.count++;
  batchDims.set(dims, (slot * DIMS_SLOT_BYTES) / 4);
  encode(batch.pass, slot * DIMS_SLOT_BYTES);
  if (batch.count === DISPATCHES_PER_BATCH) flushDispatches();
}

/** Submits the open batch, if any (its integers are written to the shared buffer just before). */
export function flushDispatches(): void {
  if (!batch) return;
  const open = batch;
  batch = undefined;
  const { device } = webGpuContext('flush');
  open.pass.end();
  // Sizes in elements for a typed array.
  device.queue.writeBuffer(sharedDimsBuffer(device), 0, batchDims, 0, (open.count * DIMS_SLOT_BYTES) / 4);
  device.queue.submit([open.encoder.finish()]);
}
