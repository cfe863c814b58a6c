/**
 * @vane/testkit: property-testing optimizers. fast-check arbitraries for tensors, parameter
 * trees, gradient streams and hyperparameters; named invariants with their math; and
 * `checkOptimizer`, which runs every invariant that applies to an optimizer.
 *
 * @example
 * import { checkOptimizer } from '@vane/testkit';
 * checkOptimizer(() => adam({ lr: 1e-3 }), { capabilities: { descends: true, scaleInvariant: true } });
 */
export { arbShape, type ArbShapeOptions } from './arbitraries/arb-shape.js';
export { arbTensor, arbElement, type ArbTensorOptions } from './arbitraries/arb-tensor.js';
export { arbParams, type ArbParamsOptions } from './arbitraries/arb-params.js';
export {
  arbGradientStream,
  shapeLike,
  type ArbGradientStreamOptions,
  type GradientStreamKind,
} from './arbitraries/arb-gradient-stream.js';
export { arbHyperparams, HYPERPARAMETER_OPTIMIZERS, type Hyperparams } from './arbitraries/arb-hyperparams.js';
export { expectAllClose, findDifference, type Tolerance } from './assertions/expect-all-close.js';
export { expectNoLeaks } from './assertions/expect-no-leaks.js';
export { expectTrajectory } from './assertions/expect-trajectory.js';
export {
  declareCapabilities,
  capabilitiesOf,
  CAPABILITIES_PROPERTY,
  type OptimizerCapabilities,
} from './capabilities.js';
export type { Invariant, InvariantContext } from './invariant.js';
export { defaultImplementations, type OptimImplementations, type AnyTransform } from './optim-implementations.js';
export { checkOptimizer, type CheckOptimizerOptions, type CheckReport } from './check-optimizer.js';
export * from './invariants/index.js';
export { runSteps, runFixedParams, arbProblem, type Problem, type Run } from './internal/run.js';
export { findUndocumentedExamples, type DocumentedExamples } from './documentation/documented-examples.js';
export {
  runBadInputBattery,
  type BadInputCase,
  type BadInputOutcome,
  type BadInputReport,
} from './bad-input/bad-input-battery.js';
export { systemRequirement, type SystemRequirement, type SkippableContext } from './system/system-requirement.js';
export { CHROMIUM_PATH, HEADLESS_CHROMIUM_ARGUMENTS, chromiumRequirement } from './system/headless-chromium.js';
