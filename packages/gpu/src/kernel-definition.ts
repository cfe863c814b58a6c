/**
 * How a gpu-backend kernel becomes gpu.js source: the parameter list and body wrapped into a
 * function, the shared helper functions it calls, and how a result is stored per dtype.
 */
import { vaneErf, vaneRoundHalfEven, type DType } from '@vane/tensor';
import { gpuFunction, type GpuFunctionSource } from './function-source.js';
import type { KernelDefinition } from './kernel-runner.js';

const HELPERS: readonly GpuFunctionSource[] = [
  gpuFunction('vaneErf', vaneErf),
  gpuFunction('vaneRoundHalfEven', vaneRoundHalfEven),
];

// JavaScript's conversion into an Int32Array truncates toward zero and maps NaN to 0.
const toInt32 = (x: number) => (x !== x ? 0 : x < 0 ? Math.ceil(x) : Math.floor(x));
// Casting to bool maps every non-zero (NaN included) to 1, as the CPU backend does.
const toBool = (x: number) => (x !== 0 ? 1 : 0);
const CONVERSIONS: readonly GpuFunctionSource[] = [
  gpuFunction('vaneToInt32', toInt32),
  gpuFunction('vaneToBool', toBool),
];

function functionsFor(source: string, own: readonly GpuFunctionSource[]): GpuFunctionSource[] {
  const used = [...own, ...CONVERSIONS].filter((fn) => source.includes(/function (\w+)/.exec(fn.source)![1]!));
  const everything = used.map((fn) => fn.source).join('\n') + source;
  return [...HELPERS.filter((fn) => everything.includes(/function (\w+)/.exec(fn.source)![1]!)), ...used];
}

/** The kernel `function (parameters) { body }` with the shared functions its source calls. */
export function define(
  parameters: readonly string[],
  body: string,
  own: readonly GpuFunctionSource[] = [],
): KernelDefinition {
  const source = `function (${parameters.join(', ')}) {\n  ${body}\n}`;
  return { source, functions: functionsFor(source, own) };
}

/** Wraps a float result into what a tensor of `dtype` stores. */
export function stored(expression: string, dtype: DType): string {
  return dtype === 'int32' ? `vaneToInt32(${expression})` : expression;
}

/** Throws the backend's float64 refusal, naming `op`. */
export function refuseFloat64(op: string, dtype: DType): void {
  if (dtype === 'float64') {
    throw new Error(
      `gpu.${op}: float64 is not supported on the gpu backend (gpu.js computes in float32); cast to float32 or keep the tensor on the cpu`,
    );
  }
}
