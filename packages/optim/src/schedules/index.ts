/**
 * Learning-rate schedules for @vane/optim: pure functions of the update step, plus the
 * stateful {@link reduceOnPlateau}. See docs/schedules.md for the formulas.
 */
export type { Schedule } from './schedule.js';
export { constant } from './constant.js';
export { linear, polynomial } from './polynomial.js';
export type { LinearOptions, PolynomialOptions } from './polynomial.js';
export { exponentialDecay } from './exponential-decay.js';
export type { ExponentialDecayOptions } from './exponential-decay.js';
export { cosineDecay } from './cosine-decay.js';
export type { CosineDecayOptions } from './cosine-decay.js';
export { warmupCosineDecay, warmupExponentialDecay } from './warmup.js';
export type { WarmupCosineDecayOptions, WarmupExponentialDecayOptions } from './warmup.js';
export { piecewiseConstant } from './piecewise-constant.js';
export type { BoundariesAndScales, PiecewiseConstantOptions } from './piecewise-constant.js';
export { oneCycle } from './one-cycle.js';
export type { OneCycleOptions } from './one-cycle.js';
export { sgdr } from './sgdr.js';
export type { SgdrOptions } from './sgdr.js';
export { joinSchedules } from './join-schedules.js';
export { reduceOnPlateau } from './reduce-on-plateau.js';
export type { ReduceOnPlateau, ReduceOnPlateauOptions, ReduceOnPlateauState } from './reduce-on-plateau.js';
