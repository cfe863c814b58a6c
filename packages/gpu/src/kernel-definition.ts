/**
 * How a gpu-backend kernel becomes gpu.js source: the parameter list and body wrapped into a
 * function, the shared helper functions it calls, and how a result is stored per dtype.
 */
import { expression as e, vaneErf, type DType } from '@vane/tensor';
import { gpuExpressionFunction } from './expression-source.js';
import { gpuFunction, type GpuFunctionSource } from './function-source.js';
import type { KernelDefinition } from './kernel-runner.js';

const x = e.input(0);
// Math.round(v) as GLSL computes it: floor(v + ½).
const round = (value: e.Operand) => e.floor(e.add(value, 0.5));

// The helpers the expression language calls by name (its `erf` and `roundHalfEven` nodes).
// `vaneErf` stays function text: its series and continued fraction are loops, which the
// expression language has no node for. Round half to even is written in the language itself.
const HELPERS: readonly GpuFunctionSource[] = [
  gpuFunction('vaneErf', vaneErf),
  gpuExpressionFunction(
    'vaneRoundHalfEven',
    e.select(e.equal(e.abs(e.sub(x, e.trunc(x))), 0.5), e.mul(2, round(e.div(x, 2))), round(x)),
    1,
    0,
  ),
];

// The store conversions, in the expression language. JavaScript's conversion into an
// Int32Array truncates toward zero and maps NaN to 0; casting to bool maps every non-zero
// (NaN included) to 1, as the CPU backend does.
const CONVERSIONS: readonly GpuFunctionSource[] = [
  gpuExpressionFunction('vaneToInt32', e.select(e.notEqual(x, x), 0, e.trunc(x)), 1, 0),
  gpuExpressionFunction('vaneToBool', e.select(e.notEqual(x, 0), 1, 0), 1, 0),
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
