/**
 * Fusion by composition: a producer's last kernel (a {@link FinalKernel}, from its composition
 * point `GradientTransformation.finalKernel`) with the affine run that follows it in a chain,
 * and a wrapper's multiplier, composed into one expression kernel, so that no producer writes
 * its fused variants by hand.
 *
 * With d the producer's expression, a/b the folded affine coefficients, p the parameter and
 * w the multiplier, the composed kernels are
 * - scaled: a·d;  affine: a·d + b·p (b ≠ 0);
 * - multiplied: fround(a·d) · w or fround(a·d + b·p) · w, float32 only: fround rounds the
 *   epilogue to float32 first, as storing it would, so the product is bit for bit the separate
 *   multiply pass's.
 * A producer whose unfused output was stored between passes (`FinalKernel.roundsOutput`) gets,
 * on float32, its direction rounded first: fround(d) in place of d above, exactly the value
 * the separate pass read back, so the fused step is bit for bit the unfused one.
 * The composed kernels are cached per producer kernel, so each compiles once per target.
 */
import {
  expression as e,
  fusedMap,
  tidy,
  type ExpressionKernel,
  type NumberExpression,
  type Tensor,
} from '@vane/tensor';
import { multiplyUpdate } from '../multiply-updates.js';
import type { AffineCoefficients, FinalKernel, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, requireParams } from '../tree-utilities.js';

/** The four ways a final kernel is composed. */
type Composition = 'Scaled' | 'Affine' | 'ScaledMultiplied' | 'AffineMultiplied';

const COMPOSITIONS = ['Scaled', 'Affine', 'ScaledMultiplied', 'AffineMultiplied'] as const;

const composed = new WeakMap<ExpressionKernel, Map<string, ExpressionKernel>>();

/**
 * `kernel` composed with an epilogue (and a multiplier): the producer's inputs, then p (affine),
 * then w (multiplied); its scalars, then a, then b (affine). Named `${kernel.name}${composition}`,
 * with `Rounded` appended where `rounded` puts fround around the producer's expression (the
 * float32 store between the unfused passes).
 *
 * @example
 * composeFinalKernel(ADAM_DIRECTION, 'Affine').name // 'optim.adam.directionAffine'
 */
export function composeFinalKernel(
  kernel: ExpressionKernel,
  composition: Composition,
  rounded = false,
): ExpressionKernel {
  let variants = composed.get(kernel);
  if (!variants) {
    variants = new Map();
    composed.set(kernel, variants);
  }
  const key = rounded ? `${composition}Rounded` : composition;
  let result = variants.get(key);
  if (!result) {
    const { arity, scalarCount } = kernel;
    const affine = composition.startsWith('Affine');
    const direction = rounded ? e.fround(kernel.expression) : kernel.expression;
    const scaled = e.mul(e.scalar(scalarCount), direction);
    const epilogue: NumberExpression = affine
      ? e.add(scaled, e.mul(e.scalar(scalarCount + 1), e.input(arity)))
      : scaled;
    const multiplied = composition.endsWith('Multiplied');
    const expression = multiplied ? e.mul(e.fround(epilogue), e.input(arity + (affine ? 1 : 0))) : epilogue;
    result = {
      name: `${kernel.name}${key}`,
      arity: arity + (affine ? 1 : 0) + (multiplied ? 1 : 0),
      scalarCount: scalarCount + (affine ? 2 : 1),
      expression,
    };
    variants.set(key, result);
  }
  return result;
}

/** Every composition of `kernel` (rounded and not), for the test that each compiles to WebAssembly SIMD. */
export function allCompositions(kernel: ExpressionKernel): ExpressionKernel[] {
  return [false, true].flatMap((rounded) =>
    COMPOSITIONS.map((composition) => composeFinalKernel(kernel, composition, rounded)),
  );
}

/** Whether the multiplier can join a float32 kernel whose first input is `first` (same shape). */
function foldsMultiplier(first: Tensor, multiplier: Tensor): boolean {
  return (
    first.dtype === 'float32' &&
    multiplier.ndim === first.ndim &&
    multiplier.shape.every((size, axis) => size === first.shape[axis])
  );
}

/**
 * Runs a producer's final kernel on every leaf: as it is (no `epilogue`), or composed with
 * `epilogue` (u ↦ a·u + b·p) and `multiplier` into one kernel where the multiplier can join
 * (float32, same shape), else multiplied in its own pass (the same bits either way).
 *
 * @example
 * const out = runFinalKernel(final, updates, params, { updateScale: -1e-3, paramScale: -1e-5 });
 */
export function runFinalKernel(
  final: FinalKernel<unknown>,
  updates: TensorTree,
  params: TensorTree | undefined,
  epilogue: AffineCoefficients | undefined,
  multiplier?: TensorTree,
): TensorTree {
  const owner = `${final.owner}.update`;
  if (multiplier !== undefined) checkStructure(owner, multiplier, updates, ['multiplier', 'updates']);
  const parameters = epilogue !== undefined && epilogue.paramScale !== 0 ? requireParams(owner, params) : undefined;
  if (parameters !== undefined) checkStructure(owner, parameters, updates, ['params', 'updates']);
  const { kernel, leafScalars } = final;
  let leafIndex = 0;
  const leaf = (inputs: Tensor[], p: Tensor | undefined, factor: Tensor | undefined): Tensor => {
    const scalars = leafScalars === undefined ? final.scalars : [...final.scalars, ...leafScalars[leafIndex++]!];
    if (epilogue === undefined) {
      const plain = fusedMap(kernel, inputs, scalars);
      return factor === undefined ? plain : multiplyUpdate(plain, factor);
    }
    // The unfused output of float32 inputs was a float32 tensor: round where it was stored.
    const rounded = final.roundsOutput === true && inputs.every((input) => input.dtype === 'float32');
    const coefficients = p === undefined ? [epilogue.updateScale] : [epilogue.updateScale, epilogue.paramScale];
    const withParams = p === undefined ? inputs : [...inputs, p];
    if (factor !== undefined && foldsMultiplier(inputs[0]!, factor)) {
      return fusedMap(
        composeFinalKernel(kernel, p === undefined ? 'ScaledMultiplied' : 'AffineMultiplied', rounded),
        [...withParams, factor],
        [...scalars, ...coefficients],
      );
    }
    const plain = fusedMap(composeFinalKernel(kernel, p === undefined ? 'Scaled' : 'Affine', rounded), withParams, [
      ...scalars,
      ...coefficients,
    ]);
    return factor === undefined ? plain : multiplyUpdate(plain, factor);
  };
  const count = final.inputs.length;
  const trees = [
    ...final.inputs,
    ...(parameters === undefined ? [] : [parameters]),
    ...(multiplier === undefined ? [] : [multiplier]),
  ];
  return tidy(
    () =>
      mapTensors(
        (...leaves: Tensor[]) =>
          leaf(
            leaves.slice(0, count),
            parameters === undefined ? undefined : leaves[count],
            multiplier === undefined ? undefined : leaves[count + (parameters === undefined ? 0 : 1)],
          ),
        trees[0]!,
        ...trees.slice(1),
      ) as TensorTree,
  );
}
