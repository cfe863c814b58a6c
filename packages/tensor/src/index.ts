/**
 * @vane/tensor: tensors, the CPU backend, trees, seeded randomness and ndarray interop.
 *
 * @example
 * import { tensor, matmul, tree } from '@vane/tensor';
 * const y = matmul(tensor([[1, 2]]), tensor([[3], [4]])); // [[11]]
 */
import { registerBackend } from './backend.js';
import { createCpuBackend } from './cpu/cpu-backend.js';
import './format.js';

registerBackend(createCpuBackend());

export { Tensor, isTensor, type NestedArray } from './tensor.js';
export type { DType, TypedArray } from './dtype.js';
export { DTYPES, isFloatingDType, promoteTypes } from './dtype.js';
export { type Shape, formatShape, sizeOf, broadcastShapes, contiguousStrides } from './shape.js';
export { collapseDimensions, type CollapsedLayout } from './cpu/strided.js';
export {
  type Backend,
  type TensorView,
  type StorageData,
  type ReductionKind,
  type Window2d,
  registerBackend,
  setBackend,
  getBackend,
  findBackend,
  listBackends,
  currentBackend,
} from './backend.js';
export {
  memory,
  tidy,
  keep,
  dispose,
  setRecorder,
  recordOp,
  withoutRecording,
  isRecording,
  type OpRecorder,
  type MemoryInfo,
  type BackendMemory,
  Storage,
} from './engine.js';
export type { OpName, OpAttributes, NoAttributes, RecordedUnaryOpName, UnaryOpAttributes } from './op-names.js';
export {
  defineUnaryOp,
  UNARY_VARIABLES,
  type UnaryOp,
  type UnaryOpDefinition,
  type UnaryResult,
  type UnaryDomain,
} from './kernels/unary-op.js';
export {
  UNARY_KERNELS,
  BINARY_KERNELS,
  BINARY_EXPRESSIONS,
  BINARY_DERIVATIVES,
  type UnaryKernelName,
  type BinaryKernelName,
  type FusedKernel,
  type ExpressionKernel,
  fusedFunction,
  unaryExpressionKernel,
  binaryExpressionKernel,
  type BroadcastOperand,
} from './kernels/elementwise-kernels.js';
export * as expression from './kernels/expression/builder.js';
export { defineKernel, type KernelSignature } from './kernels/expression/define-kernel.js';
export type {
  Expression,
  NumberExpression,
  BooleanExpression,
  UnaryFunction,
  BinaryFunction,
  Comparison,
} from './kernels/expression/expression.js';
export {
  compileJavaScript,
  javascriptSource,
  JAVASCRIPT_UNARY_CALLS,
  JAVASCRIPT_BINARY_OPERATORS,
  JAVASCRIPT_BINARY_CALLS,
} from './kernels/expression/compile-javascript.js';
export {
  emitSource,
  numberLiteral,
  type SourceDialect,
  type EmittedSource,
} from './kernels/expression/source-emitter.js';
export {
  recordFallback,
  kernelFallbacks,
  resetKernelFallbacks,
  type KernelFallback,
} from './kernels/expression/fallbacks.js';
export { vaneErf, vaneRoundHalfEven } from './kernels/special-functions.js';
export { seed, manualSeed, defaultGenerator, type RandomGenerator } from './random.js';
export * from './ops/creation.js';
export * from './ops/unary-ops.js';
export * as unaryOps from './ops/unary-ops.js';
export * from './ops/elementwise.js';
export * from './ops/reduction.js';
export * from './ops/movement.js';
export * from './ops/indexing.js';
export * from './ops/linalg.js';
export * from './ops/convolution.js';
export * from './ops/pooling.js';
export * from './ops/softmax.js';
export * from './ops/fused.js';
export * from './ops/transfer.js';
export { makeWindow, type Pair, type Padding } from './ops/window.js';
export { wrapStorage, type TensorLike } from './ops/internal.js';
export { composite } from './ops/composite.js';
export { formatTensor } from './format.js';
export { checkOptionKeys, describeValue } from './validation/option-keys.js';
export { encodeBase64, decodeBase64 } from './base64.js';
export { toNdarray, fromNdarray } from './ndarray-interop.js';
export * as tree from './tree.js';
export type { Tree, TreeStructure } from './tree.js';
export {
  setKernelMode,
  setFusedMultiplyAdd,
  kernelInfo,
  kernelThreadsReady,
  type KernelMode,
  type KernelInfo,
} from './wasm/kernel-runtime.js';
export { setThreadCount, type ThreadInfo } from './wasm/thread-pool.js';
export { runKernelStress, type StressReport } from './kernel-stress.js';
