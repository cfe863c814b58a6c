/**
 * Batch size and learning rate: the McCandlish and Surge batch-size laws, their fitting
 * helpers, and the gradient-noise-scale estimators (see docs/scaling.md).
 */
export { optimalLearningRate, transferLearningRate, type BatchScalingKind, type OptimalLearningRateOptions, type TransferLearningRateOptions } from './optimal-learning-rate';
export { fitBNoise, type BNoiseFit, type StepsAndExamples } from './fit-b-noise';
export { predictedSteps, predictedExamples, type PredictedStepsOptions, type PredictedExamplesOptions } from './steps-and-examples';
export { criticalBatchSize, type CriticalBatchSizeOptions } from './critical-batch-size';
export { epsMaxFromOptima, type BatchOptimum } from './eps-max-from-optima';
export { twoBatchEstimate, type NoiseScaleEstimate, type TwoBatchEstimateOptions } from './two-batch-estimate';
export { noiseScaleFromPerExample } from './noise-scale-from-per-example';
export { gradientNoiseScale, noiseScaleEstimate, type GradientNoiseScaleOptions, type GradientNoiseScaleState, type NoiseScaleBuffer } from './gradient-noise-scale';
export { signExpectation, type SignExpectationOptions } from './sign-expectation';
export { signDescentOptimalLearningRate, surgeNoiseScale, type SignDescentProblem, type SignDescentOptions } from './surge-model';
