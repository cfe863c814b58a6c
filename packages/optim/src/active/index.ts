/**
 * ActiveLR: sign-aware per-parameter learning-rate adaptation over any base optimizer (see
 * docs/active.md).
 */
export { active, type ActiveOptions, type ActiveState } from './active.js';
export { activeGains, activeSummary, type ActiveSummary } from './active-inspection.js';
export {
  activeSgd,
  activeAdamw,
  activeRadam,
  activeAdabelief,
  type ActiveSgdOptions,
  type ActiveAdamwOptions,
  type ActiveRadamOptions,
  type ActiveAdabeliefOptions,
  type ActiveOptimizerState,
} from './active-optimizers.js';
