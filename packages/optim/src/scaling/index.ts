/**
 * Batch size and learning rate: the McCandlish and Surge batch-size laws, their fitting
 * helpers, and the gradient-noise-scale estimators (see docs/scaling.md).
 */
export {
  optimalLearningRate,
  transferLearningRate,
  type BatchScalingKind,
  type OptimalLearningRateOptions,
  type TransferLearningRateOptions,
} from './optimal-learning-rate.js';
export { fitBNoise, type BNoiseFit, type StepsAndExamples } from './fit-b-noise.js';
export {
  predictedSteps,
  predictedExamples,
  type PredictedStepsOptions,
  type PredictedExamplesOptions,
} from './steps-and-examples.js';
export { criticalBatchSize, type CriticalBatchSizeOptions } from './critical-batch-size.js';
export { epsMaxFromOptima, type BatchOptimum } from './eps-max-from-optima.js';
export { twoBatchEstimate, type NoiseScaleEstimate, type TwoBatchEstimateOptions } from './two-batch-estimate.js';
export { noiseScaleFromPerExample } from './noise-scale-from-per-example.js';
export {
  gradientNoiseScale,
  noiseScaleEstimate,
  type GradientNoiseScaleOptions,
  type GradientNoiseScaleState,
  type NoiseScaleBuffer,
} from './gradient-noise-scale.js';
export { signExpectation, type SignExpectationOptions } from './sign-expectation.js';
export {
  signDescentOptimalLearningRate,
  surgeNoiseScale,
  type SignDescentProblem,
  type SignDescentOptions,
} from './surge-model.js';
