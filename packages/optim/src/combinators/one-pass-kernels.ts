/**
 * The kernels that run a whole optimizer step per leaf in one pass: the fresh inputs of a final
 * kernel (Adam's moments), the composed update written over their expressions instead of over
 * stored tensors, and the parameter add of `applyUpdates`, all outputs of one `fusedMapMany`.
 *
 * Why the results stay bit for bit those of the separate passes: every expression is evaluated
 * in float64 and rounded once when stored (JavaScript loop and WebAssembly SIMD alike), so a
 * value that a separate pass stored to a float32 tensor and the next pass read back is exactly
 * fround of its expression. Each place where an earlier pass's float32 output was read is
 * therefore written as fround(that output's expression); on float64 the stored value is the
 * expression itself. The SIMD compiler merges the subtrees shared between the outputs, so each
 * moment is still computed once per element.
 *
 * The kernels are cached per composed kernel, so that each compiles once per target.
 */
import {
  expression as e,
  fusedManyTarget,
  type ExpressionKernel,
  type NumberExpression,
  type Tensor,
} from '@vane/tensor';
import type { FreshInputs } from '../transform.js';
import { substituteInputs } from './substitute-inputs.js';

const cache = new WeakMap<ExpressionKernel, Map<string, readonly ExpressionKernel[]>>();

function cached(
  kernel: ExpressionKernel,
  key: string,
  make: () => readonly ExpressionKernel[],
): readonly ExpressionKernel[] {
  let variants = cache.get(kernel);
  if (variants === undefined) {
    variants = new Map();
    cache.set(kernel, variants);
  }
  let result = variants.get(key);
  if (result === undefined) {
    result = make();
    variants.set(key, result);
  }
  return result;
}

const freshKeys = new WeakMap<FreshInputs<unknown>, { names: string; key: string }>();

/**
 * What of `fresh` the cache key of {@link onePass} holds (its kernels' names, the selected
 * inputs, the source and scalar counts), made once per step's `fresh` rather than per leaf.
 */
function freshKeyOf(fresh: FreshInputs<unknown>): { names: string; key: string } {
  let known = freshKeys.get(fresh);
  if (known === undefined) {
    const names = [...fresh.kernels, ...(fresh.dependent ?? [])].map((kernel) => kernel.name).join(',');
    const selected = fresh.selected.map((reference) =>
      'output' in reference ? `output ${reference.output}` : `source ${reference.source}`,
    );
    const key = `fresh ${names} [${selected.join(',')}] ${fresh.sources.length} ${fresh.scalars.length}`;
    known = { names, key };
    freshKeys.set(fresh, known);
  }
  return known;
}

/** The value a float32 tensor stores for `expression` (on float64 the expression itself). */
function stored(expression: NumberExpression, dtype: 'float32' | 'float64'): NumberExpression {
  return dtype === 'float32' ? e.fround(expression) : expression;
}

/** p + (what a tensor stores for `update`), with p at input `parameterIndex`: `applyUpdates`' add. */
function added(update: NumberExpression, parameterIndex: number, dtype: 'float32' | 'float64'): NumberExpression {
  return e.add(e.input(parameterIndex), stored(update, dtype));
}

/** The CPU dtype shared by every tensor of `tensors` where it is float32 or float64, else undefined. */
function commonFloatDtype(tensors: readonly Tensor[]): 'float32' | 'float64' | undefined {
  const dtype = tensors[0]?.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') return undefined;
  for (const tensor of tensors) if (tensor.dtype !== dtype || tensor.backend.name !== 'cpu') return undefined;
  return dtype;
}

/**
 * The update kernel `composed` (producer inputs 0..n−1, then `composed`'s extra inputs: p when
 * `affine`, the multiplier) with p + update as its output, where the CPU runs it on float32 or
 * float64 (every input of one dtype): its inputs are `inputs` followed by p unless `affine`
 * already reads p (at input n). Undefined elsewhere (another backend or dtype): the caller adds
 * in a pass of its own.
 *
 * @example
 * const step = appliedKernel(composed, 2, true, [m, v, p], p); // fusedMap(step.kernel, step.inputs, scalars)
 */
export function appliedKernel(
  composed: ExpressionKernel,
  producerArity: number,
  affine: boolean,
  inputs: readonly Tensor[],
  parameter: Tensor,
): { kernel: ExpressionKernel; inputs: Tensor[] } | undefined {
  const dtype = commonFloatDtype([...inputs, parameter]);
  if (dtype === undefined) return undefined;
  const [kernel] = cached(composed, `applied ${dtype} ${producerArity} ${affine}`, () => {
    const parameterIndex = affine ? producerArity : composed.arity;
    return [
      {
        name: `${composed.name}Applied${dtype === 'float32' ? 'Rounded' : ''}`,
        arity: composed.arity + (affine ? 0 : 1),
        scalarCount: composed.scalarCount,
        expression: added(composed.expression, parameterIndex, dtype),
      },
    ];
  });
  return { kernel: kernel!, inputs: affine ? [...inputs] : [...inputs, parameter] };
}

/**
 * The one pass of a final kernel with fresh inputs: the fresh kernels, then the update (or,
 * given `parameter`, p + update), as the kernels of one `fusedMapMany` over the fresh sources,
 * `composed`'s extra inputs (`leafInputs` holds both) and p where it is not already among them;
 * its scalars are the fresh ones, then `composed`'s. Undefined unless that pass is one
 * WebAssembly SIMD pass on float32 CPU tensors: elsewhere the caller runs the fresh kernels
 * first, which costs nothing there that the recomputation would not.
 *
 * @example
 * const pass = onePass(composed, final.fresh, p, true, [m, v, g, p]);
 * if (pass) fusedMapMany(pass.kernels, pass.inputs, [...fresh.scalars, ...scalars]); // [m′, v′, p′]
 */
export function onePass(
  composed: ExpressionKernel,
  fresh: FreshInputs<unknown>,
  parameter: Tensor | undefined,
  affine: boolean,
  leafInputs: readonly Tensor[],
): { kernels: readonly ExpressionKernel[]; inputs: Tensor[] } | undefined {
  const appends = parameter !== undefined && !affine;
  const inputs = appends ? [...leafInputs, parameter] : [...leafInputs];
  if (commonFloatDtype(inputs) !== 'float32') return undefined;
  // Every leaf of a step asks for the same few kernels: remembered per step's `fresh` (the
  // same object for all its leaves), with whether they run as one SIMD pass.
  let perComposed = stepPasses.get(fresh);
  if (perComposed === undefined) {
    perComposed = new Map();
    stepPasses.set(fresh, perComposed);
  }
  let variants = perComposed.get(composed);
  if (variants === undefined) {
    variants = [undefined, undefined, undefined, undefined];
    perComposed.set(composed, variants);
  }
  const slot = (parameter !== undefined ? 2 : 0) + (affine ? 1 : 0);
  let kernels = variants[slot];
  if (kernels === undefined) {
    kernels = onePassKernels(composed, fresh, parameter !== undefined, affine) ?? null;
    variants[slot] = kernels;
  }
  return kernels === null ? undefined : { kernels, inputs };
}

/** Per step's `fresh`: per composed kernel, the one-pass kernels by (parameter, affine), null where not SIMD. */
const stepPasses = new WeakMap<
  FreshInputs<unknown>,
  Map<ExpressionKernel, (readonly ExpressionKernel[] | null | undefined)[]>
>();

/** The kernels of {@link onePass} (whatever the leaf), or undefined where they are not one SIMD pass. */
function onePassKernels(
  composed: ExpressionKernel,
  fresh: FreshInputs<unknown>,
  hasParameter: boolean,
  affine: boolean,
): readonly ExpressionKernel[] | undefined {
  const appends = hasParameter && !affine;
  const parameter = hasParameter ? true : undefined;
  const sourceCount = fresh.sources.length;
  const producerArity = fresh.selected.length;
  const dependent = fresh.dependent ?? [];
  const { names, key: freshKey } = freshKeyOf(fresh);
  const key = `${freshKey} ${parameter !== undefined} ${affine}`;
  const kernels = cached(composed, key, () => {
    const extraCount = composed.arity - producerArity;
    const arity = sourceCount + extraCount + (appends ? 1 : 0);
    const scalarCount = fresh.scalars.length + composed.scalarCount;
    const widened = (kernel: ExpressionKernel, expression: NumberExpression): ExpressionKernel => ({
      ...kernel,
      name: `${kernel.name}@${arity}`,
      arity,
      scalarCount,
      expression,
    });
    // A dependent kernel reads the first outputs as they were stored (inputs after the sources).
    const dependentExpressions = dependent.map((kernel) =>
      substituteInputs(
        kernel.expression,
        (index) => (index < sourceCount ? e.input(index) : e.fround(fresh.kernels[index - sourceCount]!.expression)),
        0,
      ),
    );
    const outputExpressions = [...fresh.kernels.map((kernel) => kernel.expression), ...dependentExpressions];
    const freshKernels = [...fresh.kernels, ...dependent].map((kernel, index) =>
      widened(kernel, outputExpressions[index]!),
    );
    // Input i < n of the update is a source, or a fresh output read back from its float32 tensor.
    const producerInput = (index: number): NumberExpression => {
      const reference = fresh.selected[index]!;
      return 'output' in reference ? e.fround(outputExpressions[reference.output]!) : e.input(reference.source);
    };
    const update = substituteInputs(
      composed.expression,
      (index) => (index < producerArity ? producerInput(index) : e.input(index - producerArity + sourceCount)),
      fresh.scalars.length,
    );
    const parameterIndex = affine ? sourceCount : sourceCount + extraCount;
    const output: ExpressionKernel = {
      name: `${composed.name}Of(${names})${parameter === undefined ? '' : 'Applied'}`,
      arity,
      scalarCount,
      expression: parameter === undefined ? update : added(update, parameterIndex, 'float32'),
    };
    return [...freshKernels, output];
  });
  return fusedManyTarget(kernels) === 'simd' ? kernels : undefined;
}
