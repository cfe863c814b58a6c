/**
 * A vector gather through an offset table, in the kernel memory:
 * `gather_panels(table, count, src, dst, panels, srcPanel, dstPanel)` stores, for each of
 * `panels` panels and each i < count, the 16 bytes at `src + table[i]` to `dst + 16·i`, then
 * advances src and dst by their panel strides (bytes). `table` holds `count` int32 byte
 * offsets.
 *
 * This is the im2col packing of the padded-grid convolution (padded-grid-convolution.ts): a
 * panel is 4 consecutive output positions, `table[i]` the grid offset of patch element i, so
 * the 4-row gemm panel (`depth` vectors, one per patch element) is written front to back in
 * one pass. Copying one patch element at a time instead (one vector per panel, panels
 * `16·depth` bytes apart) touched a new cache line with every store and took 1.8 ms of the
 * 5 ms bench row. Addresses need no alignment; `count` and `panels` must be at least 1.
 */
import { kernelModuleOnce } from './kernel-runtime.js';
import { gatherPanelsDefinition } from './gather-panels-definition.js';

/** The signature of the compiled `gather_panels` (byte addresses and byte strides). */
export type GatherPanels = (
  table: number,
  count: number,
  src: number,
  dst: number,
  panels: number,
  srcPanel: number,
  dstPanel: number,
) => void;

const gatherModule = kernelModuleOnce(() => [gatherPanelsDefinition()]);

/**
 * The compiled `gather_panels` on the kernel memory, or undefined when the SIMD kernels are off
 * or the module does not compile. Compiled once; it runs on the calling thread only.
 *
 * @example
 * gatherPanels()?.(table, 144, grid, packedA, 210, 16, 144 * 16); // 210 panels of 144 vectors
 */
export function gatherPanels(): GatherPanels | undefined {
  return gatherModule()?.gather_panels as GatherPanels | undefined;
}
