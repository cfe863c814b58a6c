/**
 * @vane/tensor: tensors, the CPU backend, trees, seeded randomness and ndarray interop.
 *
 * @example
 * import { tensor, matmul, tree } from '@vane/tensor';
 * const y = matmul(tensor([[1, 2]]), tensor([[3], [4]])); // [[11]]
 */
import { registerBackend } from './backend';
import { createCpuBackend } from './cpu/cpu-backend';
import './format';

registerBackend(createCpuBackend());

export { Tensor, isTensor, type NestedArray } from './tensor';
export type { DType, TypedArray } from './dtype';
export { DTYPES, isFloatingDType, promoteTypes } from './dtype';
export { type Shape, formatShape, sizeOf, broadcastShapes } from './shape';
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
} from './backend';
export { memory, tidy, keep, dispose, setRecorder, recordOp, withoutRecording, isRecording, type OpRecorder, type MemoryInfo, type BackendMemory, Storage } from './engine';
export type { OpName, OpAttributes, NoAttributes, RecordedUnaryOpName, UnaryOpAttributes } from './op-names';
export { defineUnaryOp, UNARY_VARIABLES, type UnaryOp, type UnaryOpDefinition, type UnaryResult, type UnaryDomain } from './kernels/unary-op';
export {
  UNARY_KERNELS,
  BINARY_KERNELS,
  BINARY_EXPRESSIONS,
  type UnaryKernelName,
  type BinaryKernelName,
  type FusedKernel,
  type ExpressionKernel,
  fusedFunction,
  unaryExpressionKernel,
} from './kernels/elementwise-kernels';
export * as expression from './kernels/expression/builder';
export { defineKernel, type KernelSignature } from './kernels/expression/define-kernel';
export type {
  Expression,
  NumberExpression,
  BooleanExpression,
  UnaryFunction,
  BinaryFunction,
  Comparison,
} from './kernels/expression/expression';
export { compileJavaScript, javascriptSource } from './kernels/expression/compile-javascript';
export { emitSource, numberLiteral, type SourceDialect, type EmittedSource } from './kernels/expression/source-emitter';
export { recordFallback, kernelFallbacks, resetKernelFallbacks, type KernelFallback } from './kernels/expression/fallbacks';
export { vaneErf, vaneRoundHalfEven } from './kernels/special-functions';
export { seed, manualSeed, defaultGenerator, type RandomGenerator } from './random';
export * from './ops/creation';
export * from './ops/unary-ops';
export * as unaryOps from './ops/unary-ops';
export * from './ops/elementwise';
export * from './ops/reduction';
export * from './ops/movement';
export * from './ops/indexing';
export * from './ops/linalg';
export * from './ops/convolution';
export * from './ops/pooling';
export * from './ops/softmax';
export * from './ops/fused';
export * from './ops/transfer';
export { makeWindow, type Pair, type Padding } from './ops/window';
export { wrapStorage, type TensorLike } from './ops/internal';
export { composite } from './ops/composite';
export { formatTensor } from './format';
export { checkOptionKeys, describeValue } from './validation/option-keys';
export { encodeBase64, decodeBase64 } from './base64';
export { toNdarray, fromNdarray } from './ndarray-interop';
export * as tree from './tree';
export type { Tree, TreeStructure } from './tree';
export { setKernelMode, setFusedMultiplyAdd, kernelInfo, kernelThreadsReady, type KernelMode, type KernelInfo } from './wasm/kernel-runtime';
export { setThreadCount, type ThreadInfo } from './wasm/thread-pool';
export { runKernelStress, type StressReport } from './kernel-stress';
