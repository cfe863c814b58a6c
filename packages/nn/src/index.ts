/**
 * @vane/nn: layers (`Module` and its subclasses), initializers, losses, training (`fit`),
 * and the safetensors format. Files (saving and loading safetensors and checkpoints, the
 * checkpoint callback) are Node-only and live in `@vane/nn/node`.
 *
 * @example
 * import { Sequential, Linear, ReLU, crossEntropy } from '@vane/nn';
 * const model = new Sequential(new Linear(64, 32), new ReLU(), new Linear(32, 10));
 */
export { Module, flattenNamed, unflattenNamed, subtree, parameter, type ParameterTree } from './module.js';
export { computeFans, calculateGain, type Nonlinearity } from './initializers/fan.js';
export {
  kaimingUniform,
  kaimingNormal,
  xavierUniform,
  xavierNormal,
  orthogonal,
  zeros,
  uniform,
  type InitializerOptions,
  type KaimingOptions,
  type XavierOptions,
} from './initializers/initializers.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { ReLU, GELU, SiLU, Tanh, Sigmoid, LeakyReLU, Softmax } from './layers/activations.js';
export { Sequential } from './layers/sequential.js';
export { Flatten, Unflatten } from './layers/flatten.js';
export { Dropout, dropout, type DropoutOptions } from './layers/dropout.js';
export { type Reduction } from './losses/reduction.js';
export { mseLoss, l1Loss, huberLoss, type RegressionLossOptions } from './losses/regression-losses.js';
export {
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  bceWithLogits,
  klDiv,
  type CrossEntropyOptions,
  type NllLossOptions,
  type BinaryLossOptions,
  type KlDivOptions,
} from './losses/classification-losses.js';
export { fit, evaluate, type FitOptions, type FitResult, type Batch, type LossFunction } from './training/fit.js';
export {
  earlyStopping,
  learningRateLogger,
  activeGainLogger,
  findActiveState,
  type Callback,
  type TrainingContext,
  type History,
  type EarlyStoppingOptions,
  type LearningRateSource,
} from './training/callbacks.js';
export { accuracy, type Metric } from './training/metrics.js';
export { ProgressBar, formatDuration, formatValue, type ProgressStream } from './training/progress-bar.js';
export {
  encodeSafetensors,
  decodeSafetensors,
  MAX_HEADER_BYTES,
  type SafetensorsDType,
  type SafetensorsContents,
  type DecodeOptions,
  type SafetensorsIoOptions,
} from './io/safetensors.js';
export { Conv1d, Conv2d, ConvTranspose2d, type ConvolutionOptions } from './layers/convolution.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, type PoolingOptions } from './layers/pooling.js';
export {
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  RMSNorm,
  GroupNorm,
  type BatchNormOptions,
} from './layers/normalization.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { MultiHeadAttention, type AttentionMasks, type MultiHeadAttentionOptions } from './layers/attention.js';
export {
  TransformerEncoderLayer,
  DecoderBlock,
  type TransformerEncoderLayerOptions,
  type DecoderBlockOptions,
} from './layers/transformer.js';
export { LSTM, GRU, type RecurrentOptions, type RecurrentState } from './layers/recurrent.js';
