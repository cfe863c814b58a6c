/**
 * Loads `packages/nn/fixtures/torch-fixtures.json` (written by
 * `generate_torch_fixtures.py` with PyTorch 1.13) and checks Vane layers against it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { valueAndGrad } from '@vane/autodiff';
import { mul, sum, tensor, type DType, type Tensor } from '@vane/tensor';
import { expect } from 'vitest';
import { unflattenNamed, type Module, type ParameterTree } from '../module.js';

/** A tensor as stored in the fixture file. */
export interface StoredTensor {
  shape: number[];
  data: (number | string)[];
}

/** One fixture case. */
export interface TorchCase {
  inputs: StoredTensor[];
  params: Record<string, StoredTensor>;
  cotangent: StoredTensor;
  output: StoredTensor;
  grads: Record<string, StoredTensor>;
  options: Record<string, unknown>;
  targetDtype?: 'int32' | 'float64';
  [extra: string]: unknown;
}

const path = fileURLToPath(new URL('../../fixtures/torch-fixtures.json', import.meta.url));
let cache: Record<string, TorchCase> | undefined;

/** The fixture case `name`. */
export function torchCase(name: string): TorchCase {
  cache ??= JSON.parse(readFileSync(path, 'utf8')) as Record<string, TorchCase>;
  const found = cache[name];
  if (!found) throw new Error(`torchCase: no fixture named '${name}'`);
  return found;
}

function decode(value: number | string): number {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return value as number;
}

/** A stored tensor as a Vane tensor (float64 unless `dtype` says otherwise). */
export function toTensor(stored: StoredTensor, dtype: DType = 'float64'): Tensor {
  const values = stored.data.map(decode);
  const data =
    dtype === 'int32'
      ? Int32Array.from(values)
      : dtype === 'bool'
        ? Uint8Array.from(values)
        : Float64Array.from(values);
  return tensor(data as Float64Array, { shape: stored.shape, dtype });
}

/** The fixture's parameters as a tree for `loadParameters`. */
export function fixtureParameters(fixture: TorchCase): ParameterTree {
  return unflattenNamed(Object.entries(fixture.params).map(([name, stored]) => [name, toTensor(stored)]));
}

/**
 * Asserts `actual` matches a stored tensor: same shape and every element within
 * `absolute + relative·|expected|`.
 */
export function expectClose(
  actual: Tensor,
  expected: StoredTensor,
  tolerance: { absolute: number; relative: number },
  label = '',
): void {
  expect(actual.shape, `${label} shape`).toEqual(expected.shape);
  const values = Array.from(actual.dataSync() as Float64Array);
  let worst = 0;
  let worstIndex = -1;
  expected.data.forEach((raw, index) => {
    const want = decode(raw);
    const error = Math.abs(values[index]! - want) - tolerance.relative * Math.abs(want);
    if (!(error <= worst)) {
      worst = Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
      worstIndex = index;
    }
  });
  if (worst > tolerance.absolute) {
    throw new Error(
      `${label}: element ${worstIndex} is ${values[worstIndex]}, expected ${decode(expected.data[worstIndex]!)} (excess error ${worst})`,
    );
  }
}

/**
 * Checks a float64 layer against a fixture: loads the parameters, compares the output, then
 * differentiates `sum(output · cotangent)` and compares the gradients of every parameter and
 * of the floating-point inputs.
 */
export function checkLayerAgainstTorch(
  layer: Module<any[], Tensor>,
  fixture: TorchCase,
  tolerance: { absolute: number; relative: number },
  inputs: Tensor[] = fixture.inputs.map((stored) => toTensor(stored)),
  call: (params: ParameterTree, inputs: Tensor[]) => Tensor = (params, given) => layer.apply(params, ...given),
): void {
  if (Object.keys(fixture.params).length > 0) layer.loadParameters(fixtureParameters(fixture));
  const params = layer.parameters();
  expectClose(call(params, inputs), fixture.output, tolerance, 'output');
  const cotangent = toTensor(fixture.cotangent);
  const floatInputs = inputs.map((input) => (input.dtype === 'float64' ? input : undefined));
  const objective = (p: ParameterTree, differentiable: (Tensor | undefined)[]): Tensor =>
    sum(
      mul(
        call(
          p,
          inputs.map((input, index) => differentiable[index] ?? input),
        ),
        cotangent,
      ),
    );
  const [, [parameterGradients, inputGradients]] = valueAndGrad(objective, { argnums: [0, 1] })(params, floatInputs);
  for (const [name, stored] of Object.entries(fixture.grads)) {
    if (name.startsWith('input')) {
      const gradient = (inputGradients as (Tensor | undefined)[])[Number(name.slice(5))];
      if (gradient) expectClose(gradient, stored, tolerance, `gradient of ${name}`);
    } else {
      const gradient = name
        .split('.')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], parameterGradients) as Tensor;
      expectClose(gradient, stored, tolerance, `gradient of ${name}`);
    }
  }
}
