/**
 * Baselines of the sign-aware / learning-rate-adaptation family, to compare with `active`:
 * delta-bar-delta (Hinton's local gains) and hypergradient descent. Rprop is in the core
 * (`rprop`, `scaleByRprop`).
 */
export { scaleByDeltaBarDelta, type DeltaBarDeltaOptions, type DeltaBarDeltaState } from './delta-bar-delta.js';
export { sgdHd, type SgdHdOptions, type SgdHdState } from './sgd-hd.js';
export { adamHd, type AdamHdOptions, type AdamHdState } from './adam-hd.js';
