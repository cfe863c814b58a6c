/**
 * Small fused elementwise kernels shared by several transforms, and the expression pieces
 * several kernels share. Each kernel is one pass over its inputs with no temporaries (see
 * `fusedMap` in `@vane/tensor`), written as an expression of `@vane/tensor`'s kernel language,
 * which every target (JavaScript, WebAssembly SIMD, gpu.js) compiles from the tree.
 */
import { defineKernel, expression as e, type NumberExpression } from '@vane/tensor';

const f = e.fround;

/** −1, 0 or +1 by the sign of x (±0 and NaN stay as they are). */
export function signOf(x: NumberExpression): NumberExpression {
  return e.select(e.greater(x, 0), 1, e.select(e.less(x, 0), -1, x));
}

/** x clamped to [low, high] (NaN stays NaN). */
export function clampBetween(x: NumberExpression, low: NumberExpression, high: NumberExpression): NumberExpression {
  return e.select(e.less(x, low), low, e.select(e.greater(x, high), high, x));
}

/** s·u. */
export const SCALE = defineKernel('optim.scale', { inputs: ['u'], scalars: ['factor'] }, ({ u, factor }) =>
  e.mul(factor, u),
);

/** u + s·p: weight decay added to an update. */
export const ADD_SCALED = defineKernel(
  'optim.addScaled',
  { inputs: ['u', 'p'], scalars: ['factor'] },
  ({ u, p, factor }) => e.add(u, e.mul(factor, p)),
);

/** a + b. */
export const ADD = defineKernel('optim.add', { inputs: ['a', 'b'] }, ({ a, b }) => e.add(a, b));

/** β·m + (1 − β)·g: an exponential moving average (first moment). */
export const MOVING_AVERAGE = defineKernel(
  'optim.movingAverage',
  { inputs: ['m', 'g'], scalars: ['decay'] },
  ({ m, g, decay }) => e.add(e.mul(decay, m), e.mul(e.sub(1, decay), g)),
);

/** β·v + (1 − β)·g², as ((1 − β)·g)·g: the expression of {@link MOVING_AVERAGE_OF_SQUARES}, for kernels that inline it. */
export function movingAverageOfSquares(
  v: NumberExpression,
  g: NumberExpression,
  decay: NumberExpression,
): NumberExpression {
  return e.add(e.mul(decay, v), e.mul(e.mul(e.sub(1, decay), g), g));
}

/** β·v + (1 − β)·g²: an exponential moving average of squares (second moment), as ((1 − β)·g)·g. */
export const MOVING_AVERAGE_OF_SQUARES = defineKernel(
  'optim.movingAverageOfSquares',
  { inputs: ['v', 'g'], scalars: ['decay'] },
  ({ v, g, decay }) => movingAverageOfSquares(v, g, decay),
);

/**
 * Adam's two moment updates over (m, v, g), one kernel per moment with the same signature, so
 * that `fusedMapMany` runs both in one pass (g read once), or both in the pass of a final kernel
 * that reads them (`FreshInputs`). Each is the same expression as {@link MOVING_AVERAGE} /
 * {@link MOVING_AVERAGE_OF_SQUARES}, so the moments are bit for bit what those separate passes
 * stored. Shared by Adam, NAdam and RAdam.
 */
const MOMENT_SIGNATURE = { inputs: ['m', 'v', 'g'], scalars: ['beta1', 'beta2'] } as const;
const FIRST_MOMENT = defineKernel('optim.adam.firstMoment', MOMENT_SIGNATURE, ({ m, g, beta1 }) =>
  e.add(e.mul(beta1, m), e.mul(e.sub(1, beta1), g)),
);
const SECOND_MOMENT = defineKernel('optim.adam.secondMoment', MOMENT_SIGNATURE, ({ v, g, beta2 }) =>
  movingAverageOfSquares(v, g, beta2),
);

/** Adam's moment kernels over (m, v, g) with scalars (β₁, β₂), in the order `fusedMapMany` returns them: [m′, v′]. */
export const ADAM_MOMENTS = [FIRST_MOMENT, SECOND_MOMENT] as const;

/**
 * Adam's moment kernels with float32 arithmetic, for float32 leaves: the same moments as
 * {@link ADAM_MOMENTS} with every operation (and β, 1 − β) rounded to float32, as PyTorch
 * computes them on float32 tensors; m′ = β₁·m + (1 − β₁)·g, v′ = β₂·v + ((1 − β₂)·g)·g.
 * Why: an operation on float32 values rounded to float32 is one f32x4 operation on WebAssembly
 * SIMD (four elements per instruction) where the float64 expression needs two f64x2 ones.
 */
const FIRST_MOMENT_FLOAT32 = defineKernel('optim.adam.firstMomentFloat32', MOMENT_SIGNATURE, ({ m, g, beta1 }) =>
  f(e.add(f(e.mul(f(beta1), m)), f(e.mul(f(e.sub(1, beta1)), g)))),
);
const SECOND_MOMENT_FLOAT32 = defineKernel('optim.adam.secondMomentFloat32', MOMENT_SIGNATURE, ({ v, g, beta2 }) =>
  f(e.add(f(e.mul(f(beta2), v)), f(e.mul(f(e.mul(f(e.sub(1, beta2)), g)), g)))),
);

/** {@link ADAM_MOMENTS} with float32 arithmetic (see FIRST_MOMENT_FLOAT32), [m′, v′]. */
export const ADAM_MOMENTS_FLOAT32 = [FIRST_MOMENT_FLOAT32, SECOND_MOMENT_FLOAT32] as const;

/** −1, 0 or +1 by the sign of u (NaN stays NaN). */
export const SIGN = defineKernel('optim.sign', { inputs: ['u'] }, ({ u }) => signOf(u));

/** u with NaN replaced by 0. */
export const ZERO_NANS = defineKernel('optim.zeroNans', { inputs: ['u'] }, ({ u }) => e.select(e.notEqual(u, u), 0, u));

/** u clamped to [−δ, δ] (NaN stays NaN). */
export const CLIP = defineKernel('optim.clip', { inputs: ['u'], scalars: ['maxDelta'] }, ({ u, maxDelta }) =>
  e.select(e.greater(u, maxDelta), maxDelta, e.select(e.less(u, e.neg(maxDelta)), e.neg(maxDelta), u)),
);

/** u·a: an update times a per-element multiplier (for example ActiveLR's gain). */
export const MULTIPLY = defineKernel('optim.multiply', { inputs: ['update', 'multiplier'] }, ({ update, multiplier }) =>
  e.mul(update, multiplier),
);
