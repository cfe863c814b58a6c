/**
 * @vane/optim: optimizers as chains of small, pure gradient transformations.
 *
 * @example
 * import { adamw, applyUpdates } from '@vane/optim';
 * const optimizer = adamw({ lr: 1e-3 });
 * let state = optimizer.init(params);
 * const [updates, nextState] = optimizer.update(grads, state, params);
 * const nextParams = applyUpdates(params, updates);
 */
export type {
  GradientTransformation,
  TensorTree,
  UpdateExtras,
  StateOf,
  EmptyState,
  AnyTransformation,
  AffineCoefficients,
  FinalKernel,
  FinalKernelParts,
  FinishedFinalKernel,
  FreshFinalKernel,
  FreshInputs,
  FreshInputReference,
  AffineStep,
  ComputedStep,
  ElementwiseStep,
} from './transform.js';
export { isFinalKernel, isAffineStep, mapStepState } from './transform.js';
export { applyUpdates, disposeReplaced, tensorsIn } from './apply-updates.js';
export { updateAndApply } from './update-and-apply.js';
export {
  serializeState,
  serializeStateAsync,
  deserializeState,
  type SerializedState,
  type SerializedValue,
  type DeserializeOptions,
} from './serialization.js';
export type { ScalarOrSchedule } from './validation.js';
export { withInputChecks, checkTensorTree } from './input-checks.js';

// Combinators and wrappers.
export { chain, type ChainState } from './combinators/chain.js';
export { namedChain, type NamedChainState } from './combinators/named-chain.js';
export { finalKernelProducer } from './combinators/final-kernel-producer.js';
export { identity } from './combinators/identity.js';
export { masked, resolveMask, type MaskedState, type MaskSpecification } from './combinators/masked.js';
export { partition, type PartitionState, type LabelSpecification } from './combinators/partition.js';
export { freeze } from './combinators/freeze.js';
export {
  injectHyperparams,
  setHyperparams,
  type InjectHyperparamsState,
  type InjectableOptions,
  type HyperparameterValue,
} from './combinators/inject-hyperparams.js';
export { applyIfFinite, type ApplyIfFiniteState } from './combinators/apply-if-finite.js';
export { multiSteps, type MultiStepsState } from './combinators/multi-steps.js';
export { lookahead, type LookaheadOptions, type LookaheadState } from './combinators/lookahead.js';

// Transforms.
export { scale } from './transforms/scale.js';
export {
  scaleByLearningRate,
  scaleBySchedule,
  type ScheduleState,
  type ScaleByLearningRateOptions,
} from './transforms/scale-by-learning-rate.js';
export { setToZero } from './transforms/set-to-zero.js';
export { zeroNans } from './transforms/zero-nans.js';
export { clip } from './transforms/clip.js';
export { clipByGlobalNorm, globalNorm } from './transforms/clip-by-global-norm.js';
export { clipByBlockRms } from './transforms/clip-by-block-rms.js';
export { addDecayedWeights, type AddDecayedWeightsState } from './transforms/add-decayed-weights.js';
export { trace, type TraceOptions, type TraceState } from './transforms/trace.js';
export { ema, type EmaOptions, type EmaState } from './transforms/ema.js';
export {
  scaleByAdam,
  scaleByAmsgrad,
  type ScaleByAdamOptions,
  type ScaleByAdamState,
} from './transforms/scale-by-adam.js';
export { scaleByAdamax, type ScaleByAdamaxOptions, type ScaleByAdamaxState } from './transforms/scale-by-adamax.js';
export { scaleByNadam, type ScaleByNadamOptions, type ScaleByNadamState } from './transforms/scale-by-nadam.js';
export { scaleByRadam, type ScaleByRadamOptions, type ScaleByRadamState } from './transforms/scale-by-radam.js';
export { scaleByBelief, type ScaleByBeliefOptions, type ScaleByBeliefState } from './transforms/scale-by-belief.js';
export { scaleByRss, type ScaleByRssOptions, type ScaleByRssState } from './transforms/scale-by-rss.js';
export { scaleByRms, type ScaleByRmsOptions, type ScaleByRmsState } from './transforms/scale-by-rms.js';
export {
  scaleByAdadelta,
  type ScaleByAdadeltaOptions,
  type ScaleByAdadeltaState,
} from './transforms/scale-by-adadelta.js';
export { scaleBySign } from './transforms/scale-by-sign.js';
export { scaleByLion, type ScaleByLionOptions, type ScaleByLionState } from './transforms/scale-by-lion.js';
export { scaleByRprop, type ScaleByRpropOptions, type ScaleByRpropState } from './transforms/scale-by-rprop.js';
export { scaleByTrustRatio, type ScaleByTrustRatioOptions } from './transforms/scale-by-trust-ratio.js';
export {
  scaleByFactoredRms,
  type ScaleByFactoredRmsOptions,
  type ScaleByFactoredRmsState,
} from './transforms/scale-by-factored-rms.js';
export { scaleByParameterScale, type ScaleByParameterScaleOptions } from './transforms/scale-by-parameter-scale.js';

// Optimizers, and the registry that lists them with their options (the CLI and the test kit read it).
export {
  OPTIMIZER_REGISTRY,
  OPTIMIZER_NAMES,
  optimizerEntry,
  type OptimizerName,
  type OptimizerRegistryEntry,
  type OptionKind,
  type OptimizerCapabilities,
} from './optimizer-registry.js';
export { sgd, type SgdOptions } from './optimizers/sgd.js';
export { adam, amsgrad, type AdamOptions } from './optimizers/adam.js';
export { adamw, type AdamwOptions } from './optimizers/adamw.js';
export { adamax, type AdamaxOptions } from './optimizers/adamax.js';
export { nadam, type NadamOptions } from './optimizers/nadam.js';
export { radam, type RadamOptions } from './optimizers/radam.js';
export { adabelief, type AdabeliefOptions } from './optimizers/adabelief.js';
export { adagrad, type AdagradOptions } from './optimizers/adagrad.js';
export { adadelta, type AdadeltaOptions } from './optimizers/adadelta.js';
export { rmsprop, type RmspropOptions } from './optimizers/rmsprop.js';
export { rprop, type RpropOptions } from './optimizers/rprop.js';
export { lion, type LionOptions } from './optimizers/lion.js';
export { signSgd, signum, type SignSgdOptions, type SignumOptions } from './optimizers/sign-sgd.js';
export { lamb, type LambOptions } from './optimizers/lamb.js';
export { lars, type LarsOptions } from './optimizers/lars.js';
export { adafactor, relativeStepSize, type AdafactorOptions } from './optimizers/adafactor.js';

// Learning-rate schedules.
export * from './schedules/index.js';

// Sign-aware learning rates (ActiveLR), grafting and batch-size scaling (docs/active.md, docs/graft.md, docs/scaling.md).
export * from './active/index.js';
export * from './graft/index.js';
export * from './scaling/index.js';
export * from './baselines/index.js';
