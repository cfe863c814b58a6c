/**
 * Descriptions of the operands that the scalar CPU kernels (`cpu/`) hand to the WebAssembly
 * SIMD kernels (`wasm/`). They live here, outside both folders, so that `cpu/` imports `wasm/`
 * and never the other way round, not even for a type (`layering.test.ts` checks it).
 */
import type { Window2d } from './backend.js';
import type { TypedArray } from './dtype.js';

/** A strided matrix view: values plus offset and strides for rows and columns. */
export interface MatrixOperand {
  values: TypedArray;
  offset: number;
  rowStride: number;
  columnStride: number;
}

/** Dimensions shared by the three convolution kernels (forward, input and weight gradient). */
export interface ConvolutionGeometry {
  batch: number;
  inChannels: number;
  outChannels: number;
  height: number;
  width: number;
  groups: number;
  window: Window2d;
}
