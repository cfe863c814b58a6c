/**
 * Small fused elementwise kernels shared by several transforms. Each is one pass over its
 * inputs with no temporaries (see `fusedMap` in `@vane/tensor`). The functions are named,
 * closure-free and use only arithmetic and `Math`, so a GPU backend can transpile them; the
 * number of scalars is read from the function's arity, so no default parameters.
 */
import type { FusedKernel } from '@vane/tensor';

/** s·u. */
export const SCALE: FusedKernel = {
  name: 'optim.scale',
  arity: 1,
  fn: function scale(u: number, factor: number) {
    return factor * u;
  },
};

/** u + s·p: weight decay added to an update. */
export const ADD_SCALED: FusedKernel = {
  name: 'optim.addScaled',
  arity: 2,
  fn: function addScaled(u: number, p: number, factor: number) {
    return u + factor * p;
  },
};

/** a + b. */
export const ADD: FusedKernel = {
  name: 'optim.add',
  arity: 2,
  fn: function add(a: number, b: number) {
    return a + b;
  },
};

/** β·m + (1 − β)·g: an exponential moving average (first moment). */
export const MOVING_AVERAGE: FusedKernel = {
  name: 'optim.movingAverage',
  arity: 2,
  fn: function movingAverage(m: number, g: number, decay: number) {
    return decay * m + (1 - decay) * g;
  },
};

/** β·v + (1 − β)·g²: an exponential moving average of squares (second moment). */
export const MOVING_AVERAGE_OF_SQUARES: FusedKernel = {
  name: 'optim.movingAverageOfSquares',
  arity: 2,
  fn: function movingAverageOfSquares(v: number, g: number, decay: number) {
    return decay * v + (1 - decay) * g * g;
  },
};

/** −1, 0 or +1 by the sign of u (NaN stays NaN). */
export const SIGN: FusedKernel = {
  name: 'optim.sign',
  arity: 1,
  fn: function sign(u: number) {
    return u > 0 ? 1 : u < 0 ? -1 : u;
  },
};

/** u with NaN replaced by 0. */
export const ZERO_NANS: FusedKernel = {
  name: 'optim.zeroNans',
  arity: 1,
  fn: function zeroNans(u: number) {
    return u !== u ? 0 : u;
  },
};

/** u clamped to [−δ, δ] (NaN stays NaN). */
export const CLIP: FusedKernel = {
  name: 'optim.clip',
  arity: 1,
  fn: function clip(u: number, maxDelta: number) {
    return u > maxDelta ? maxDelta : u < -maxDelta ? -maxDelta : u;
  },
};


/** u·a: an update times a per-element multiplier (for example ActiveLR's gain). */
export const MULTIPLY: FusedKernel = {
  name: 'optim.multiply',
  arity: 2,
  fn: function multiply(update: number, multiplier: number) {
    return update * multiplier;
  },
};
