/**
 * The fan-in of the gpu backend's log-depth reductions (sum, max, ..., argmax, argmin).
 */

/**
 * Values each thread of a reduction pass combines in order. A run longer than this is reduced
 * by a tree of passes (log-depth); up to it, by one thread per output. On llvmpipe a pass costs
 * about as much as a few thousand sequential steps, so the fan-in is kept wide; the MLP's
 * reductions (runs of 10 to 256 values) stay one pass. argmax/argmin trees use the same width.
 */
export const REDUCTION_FAN_IN = 256;
