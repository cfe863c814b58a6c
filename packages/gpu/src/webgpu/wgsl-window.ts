/**
 * Named integers in a kernel's `dims` (webgpu-dispatch.ts) for the window kernels of the
 * `webgpu` backend (convolutions and pooling): the host lists the names in the order it writes
 * the values, and the shader gets one `let` per name, so a kernel's WGSL reads
 * `strideHeight` rather than `dims[11]` and the two sides cannot drift apart.
 */
import type { TensorView, Window2d } from '@vane/tensor';

/** The fields of a {@link Window2d} that the window kernels read, in the order {@link windowMeta} writes them. */
export const WINDOW_NAMES = [
  'kernelHeight',
  'kernelWidth',
  'strideHeight',
  'strideWidth',
  'padTop',
  'padLeft',
  'dilationHeight',
  'dilationWidth',
  'outputHeight',
  'outputWidth',
] as const;

/** The values of {@link WINDOW_NAMES} for `window`. */
export function windowMeta(window: Window2d): number[] {
  return WINDOW_NAMES.map((name) => window[name]);
}

/** The names of a 4-D view's offset and strides: `<name>Offset`, `<name>Stride0` … `<name>Stride3`. */
export function viewNames(name: string): string[] {
  return [`${name}Offset`, `${name}Stride0`, `${name}Stride1`, `${name}Stride2`, `${name}Stride3`];
}

/** The values of {@link viewNames} for a 4-D view (its offset, then its strides). */
export function viewMeta(view: TensorView): number[] {
  return [view.offset, ...view.strides];
}

/**
 * WGSL lines `let <name> = dims[<start + i>];` for each of `names` (i32 values): `start` is 1
 * when the names' values come right after the thread count.
 */
export function dimsLets(names: readonly string[], start = 1): string {
  return names.map((name, index) => `  let ${name} = dims[${start + index}];`).join('\n');
}
