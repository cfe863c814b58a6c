/**
 * Learning-rate schedules for @vane/optim: pure functions of the update step, plus the
 * stateful {@link reduceOnPlateau}. See docs/schedules.md for the formulas.
 */
export type { Schedule } from './schedule';
export { constant } from './constant';
export { linear, polynomial } from './polynomial';
export type { LinearOptions, PolynomialOptions } from './polynomial';
export { exponentialDecay } from './exponential-decay';
export type { ExponentialDecayOptions } from './exponential-decay';
export { cosineDecay } from './cosine-decay';
export type { CosineDecayOptions } from './cosine-decay';
export { warmupCosineDecay, warmupExponentialDecay } from './warmup';
export type { WarmupCosineDecayOptions, WarmupExponentialDecayOptions } from './warmup';
export { piecewiseConstant } from './piecewise-constant';
export type { BoundariesAndScales, PiecewiseConstantOptions } from './piecewise-constant';
export { oneCycle } from './one-cycle';
export type { OneCycleOptions } from './one-cycle';
export { sgdr } from './sgdr';
export type { SgdrOptions } from './sgdr';
export { joinSchedules } from './join-schedules';
export { reduceOnPlateau } from './reduce-on-plateau';
export type { ReduceOnPlateau, ReduceOnPlateauOptions, ReduceOnPlateauState } from './reduce-on-plateau';
