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
export type { GradientTransformation, TensorTree, UpdateExtras, StateOf, EmptyState, AnyTransformation, FusionHooks, AffineCoefficients } from './transform';
export { applyUpdates, disposeReplaced, tensorsIn } from './apply-updates';
export { serializeState, serializeStateAsync, deserializeState, type SerializedState, type SerializedValue, type DeserializeOptions } from './serialization';
export type { ScalarOrSchedule } from './validation';
export { withInputChecks, checkTensorTree } from './input-checks';

// Combinators and wrappers.
export { chain, type ChainState } from './combinators/chain';
export { namedChain, type NamedChainState } from './combinators/named-chain';
export { identity } from './combinators/identity';
export { masked, resolveMask, type MaskedState, type MaskSpecification } from './combinators/masked';
export { partition, type PartitionState, type LabelSpecification } from './combinators/partition';
export { freeze } from './combinators/freeze';
export {
  injectHyperparams,
  setHyperparams,
  type InjectHyperparamsState,
  type InjectableOptions,
  type HyperparameterValue,
} from './combinators/inject-hyperparams';
export { applyIfFinite, type ApplyIfFiniteState } from './combinators/apply-if-finite';
export { multiSteps, type MultiStepsState } from './combinators/multi-steps';
export { lookahead, type LookaheadOptions, type LookaheadState } from './combinators/lookahead';

// Transforms.
export { scale } from './transforms/scale';
export { scaleByLearningRate, scaleBySchedule, type ScheduleState, type ScaleByLearningRateOptions } from './transforms/scale-by-learning-rate';
export { setToZero } from './transforms/set-to-zero';
export { zeroNans } from './transforms/zero-nans';
export { clip } from './transforms/clip';
export { clipByGlobalNorm, globalNorm } from './transforms/clip-by-global-norm';
export { clipByBlockRms } from './transforms/clip-by-block-rms';
export { addDecayedWeights, type AddDecayedWeightsState } from './transforms/add-decayed-weights';
export { trace, type TraceOptions, type TraceState } from './transforms/trace';
export { ema, type EmaOptions, type EmaState } from './transforms/ema';
export { scaleByAdam, scaleByAmsgrad, type ScaleByAdamOptions, type ScaleByAdamState } from './transforms/scale-by-adam';
export { scaleByAdamax, type ScaleByAdamaxOptions, type ScaleByAdamaxState } from './transforms/scale-by-adamax';
export { scaleByNadam, type ScaleByNadamOptions, type ScaleByNadamState } from './transforms/scale-by-nadam';
export { scaleByRadam, type ScaleByRadamOptions, type ScaleByRadamState } from './transforms/scale-by-radam';
export { scaleByBelief, type ScaleByBeliefOptions, type ScaleByBeliefState } from './transforms/scale-by-belief';
export { scaleByRss, type ScaleByRssOptions, type ScaleByRssState } from './transforms/scale-by-rss';
export { scaleByRms, type ScaleByRmsOptions, type ScaleByRmsState } from './transforms/scale-by-rms';
export { scaleByAdadelta, type ScaleByAdadeltaOptions, type ScaleByAdadeltaState } from './transforms/scale-by-adadelta';
export { scaleBySign } from './transforms/scale-by-sign';
export { scaleByLion, type ScaleByLionOptions, type ScaleByLionState } from './transforms/scale-by-lion';
export { scaleByRprop, type ScaleByRpropOptions, type ScaleByRpropState } from './transforms/scale-by-rprop';
export { scaleByTrustRatio, type ScaleByTrustRatioOptions } from './transforms/scale-by-trust-ratio';
export { scaleByFactoredRms, type ScaleByFactoredRmsOptions, type ScaleByFactoredRmsState } from './transforms/scale-by-factored-rms';
export { scaleByParameterScale, type ScaleByParameterScaleOptions } from './transforms/scale-by-parameter-scale';

// Optimizers, and the registry that lists them with their options (the CLI and the test kit read it).
export {
  OPTIMIZER_REGISTRY,
  OPTIMIZER_NAMES,
  optimizerEntry,
  type OptimizerName,
  type OptimizerRegistryEntry,
  type OptionKind,
  type OptimizerCapabilities,
} from './optimizer-registry';
export { sgd, type SgdOptions } from './optimizers/sgd';
export { adam, amsgrad, type AdamOptions } from './optimizers/adam';
export { adamw, type AdamwOptions } from './optimizers/adamw';
export { adamax, type AdamaxOptions } from './optimizers/adamax';
export { nadam, type NadamOptions } from './optimizers/nadam';
export { radam, type RadamOptions } from './optimizers/radam';
export { adabelief, type AdabeliefOptions } from './optimizers/adabelief';
export { adagrad, type AdagradOptions } from './optimizers/adagrad';
export { adadelta, type AdadeltaOptions } from './optimizers/adadelta';
export { rmsprop, type RmspropOptions } from './optimizers/rmsprop';
export { rprop, type RpropOptions } from './optimizers/rprop';
export { lion, type LionOptions } from './optimizers/lion';
export { signSgd, signum, type SignSgdOptions, type SignumOptions } from './optimizers/sign-sgd';
export { lamb, type LambOptions } from './optimizers/lamb';
export { lars, type LarsOptions } from './optimizers/lars';
export { adafactor, relativeStepSize, type AdafactorOptions } from './optimizers/adafactor';

// Learning-rate schedules.
export * from './schedules/index';

// Sign-aware learning rates (ActiveLR), grafting and batch-size scaling (docs/active.md, docs/graft.md, docs/scaling.md).
export * from './active/index';
export * from './graft/index';
export * from './scaling/index';
export * from './baselines/index';
