/**
 * Learning-rate grafting M#D, Shampoo's magnitude presets and the experimental static
 * layer-wise correction (see docs/graft.md).
 */
export { graft, type GraftOptions, type GraftParts, type GraftState } from './graft.js';
export {
  graftMagnitude,
  GRAFT_MAGNITUDE_PRESETS,
  type GraftMagnitudePreset,
  type GraftMagnitudeOptions,
  type GraftMagnitudeState,
} from './magnitude-presets.js';
export {
  calibrateLayerwiseLR,
  type CalibrateLayerwiseLROptions,
  type LayerwiseCalibration,
} from './calibrate-layerwise-lr.js';
export { scaleByLayerRatios } from './scale-by-layer-ratios.js';
