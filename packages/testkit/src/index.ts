/**
 * @vane/testkit: property-testing optimizers. fast-check arbitraries for tensors, parameter
 * trees, gradient streams and hyperparameters; named invariants with their math; and
 * `checkOptimizer`, which runs every invariant that applies to an optimizer.
 *
 * @example
 * import { checkOptimizer } from '@vane/testkit';
 * checkOptimizer(() => adam({ lr: 1e-3 }), { capabilities: { descends: true, scaleInvariant: true } });
 */
export { arbShape, type ArbShapeOptions } from './arbitraries/arb-shape';
export { arbTensor, arbElement, type ArbTensorOptions } from './arbitraries/arb-tensor';
export { arbParams, type ArbParamsOptions } from './arbitraries/arb-params';
export { arbGradientStream, shapeLike, type ArbGradientStreamOptions, type GradientStreamKind } from './arbitraries/arb-gradient-stream';
export { arbHyperparams, HYPERPARAMETER_OPTIMIZERS, type Hyperparams } from './arbitraries/arb-hyperparams';
export { expectAllClose, findDifference, type Tolerance } from './assertions/expect-all-close';
export { expectNoLeaks } from './assertions/expect-no-leaks';
export { expectTrajectory } from './assertions/expect-trajectory';
export { declareCapabilities, capabilitiesOf, CAPABILITIES_PROPERTY, type OptimizerCapabilities } from './capabilities';
export type { Invariant, InvariantContext } from './invariant';
export { defaultImplementations, type OptimImplementations, type AnyTransform } from './optim-implementations';
export { checkOptimizer, type CheckOptimizerOptions, type CheckReport } from './check-optimizer';
export * from './invariants/index';
export { runSteps, runFixedParams, arbProblem, type Problem, type Run } from './internal/run';
export { findUndocumentedExamples, type DocumentedExamples } from './documentation/documented-examples';
export { runBadInputBattery, type BadInputCase, type BadInputOutcome, type BadInputReport } from './bad-input/bad-input-battery';
export { systemRequirement, type SystemRequirement, type SkippableContext } from './system/system-requirement';
