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
  fusedMapMany,
  tidy,
  tree,
  type ExpressionKernel,
  type NumberExpression,
  type Tensor,
} from '@vane/tensor';
import { ADD } from '../kernels.js';
import { multiplyUpdate } from '../multiply-updates.js';
import { appliedKernel, onePass } from './one-pass-kernels.js';
import type { AffineCoefficients, FinalKernel, FreshInputs, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, requireParams } from '../tree-utilities.js';

/** The four ways a final kernel is composed. */
type Composition = 'Scaled' | 'Affine' | 'ScaledMultiplied' | 'AffineMultiplied';

const COMPOSITIONS = ['Scaled', 'Affine', 'ScaledMultiplied', 'AffineMultiplied'] as const;

/** The cache keys (and name suffixes) of a composition: plain, Rounded, Float32, RoundedFloat32; made once, not per leaf. */
const KEYS = {} as Record<Composition, readonly string[]>;
for (const composition of COMPOSITIONS)
  KEYS[composition] = [composition, `${composition}Rounded`, `${composition}Float32`, `${composition}RoundedFloat32`];

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
  float32Arithmetic = false,
): ExpressionKernel {
  let variants = composed.get(kernel);
  if (!variants) {
    variants = new Map();
    composed.set(kernel, variants);
  }
  const key = KEYS[composition][(rounded ? 1 : 0) + (float32Arithmetic ? 2 : 0)]!;
  let result = variants.get(key);
  if (!result) {
    const { arity, scalarCount } = kernel;
    const affine = composition.startsWith('Affine');
    // After a kernel of float32 arithmetic (`FinalKernelParts.float32Arithmetic`) every
    // operation and coefficient of the epilogue is rounded to float32 as well.
    const r = float32Arithmetic ? e.fround : (value: NumberExpression) => value;
    const direction = rounded ? e.fround(kernel.expression) : kernel.expression;
    const scaled = r(e.mul(r(e.scalar(scalarCount)), direction));
    const epilogue: NumberExpression = affine
      ? r(e.add(scaled, r(e.mul(r(e.scalar(scalarCount + 1)), e.input(arity)))))
      : scaled;
    const multiplied = composition.endsWith('Multiplied');
    const expression = multiplied ? r(e.mul(e.fround(epilogue), e.input(arity + (affine ? 1 : 0)))) : epilogue;
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

/**
 * What follows a leaf's kernel: the multiply pass where the multiplier could not join it
 * (`factor`), then the parameter add where the kernel did not do it (`parameter`).
 */
function finishLeaf(update: Tensor, factor: Tensor | undefined, parameter: Tensor | undefined): Tensor {
  const multiplied = factor !== undefined ? multiplyUpdate(update, factor) : update;
  return parameter !== undefined ? fusedMap(ADD, [parameter, multiplied]) : multiplied;
}

/** Whether every tensor of `tensors` is float32 (the producer's output was then stored as float32). */
function allFloat32(tensors: readonly Tensor[]): boolean {
  for (const tensor of tensors) if (tensor.dtype !== 'float32') return false;
  return true;
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
 * The fresh outputs of one leaf in passes of their own: `kernels` in one `fusedMapMany` over the
 * leading sources, then the `dependent` kernels in another over the sources and those outputs.
 */
function runFreshKernels(fresh: FreshInputs<unknown>, sources: readonly Tensor[]): Tensor[] {
  const [first] = fresh.kernels;
  const made = fusedMapMany(fresh.kernels, sources.slice(0, first!.arity), fresh.scalars.slice(0, first!.scalarCount));
  const { dependent } = fresh;
  if (dependent === undefined || dependent.length === 0) return made;
  const inputs = [...sources, ...made];
  return [...made, ...fusedMapMany(dependent, inputs, fresh.scalars.slice(0, dependent[0]!.scalarCount))];
}

/** Options of {@link runFinalKernel}. */
export interface RunFinalKernelOptions {
  /**
   * Add the output to the parameters (p + u, what `applyUpdates` does) and return the new
   * parameters instead of the updates: in the same pass where the CPU runs the kernel on
   * float32 or float64, else in a pass of its own (the same bits either way). Default false.
   */
  readonly apply?: boolean;
}

/**
 * Runs a producer's final kernel on every leaf: as it is (no `epilogue`), or composed with
 * `epilogue` (u ↦ a·u + b·p) and the final kernel's `multiplier` into one kernel where the
 * multiplier can join (float32, same shape), else multiplied in its own pass (the same bits
 * either way). Fresh inputs (`final.fresh`, Adam's moments) run in the same pass where that
 * pass is one WebAssembly SIMD `fusedMapMany` on float32 (`one-pass-kernels.ts`), else first,
 * in a pass of their own, as before. With `apply` the parameters are added too (see
 * {@link RunFinalKernelOptions}). Returns the output (updates, or the new parameters) and the
 * producer's next state.
 *
 * @example
 * const [out, next] = runFinalKernel(final, updates, params, { updateScale: -1e-3, paramScale: -1e-5 });
 */
export function runFinalKernel<S>(
  final: FinalKernel<S>,
  updates: TensorTree,
  params: TensorTree | undefined,
  epilogue: AffineCoefficients | undefined,
  options: RunFinalKernelOptions = {},
): [TensorTree, S] {
  const owner = `${final.owner}.update`;
  const apply = options.apply === true;
  const { kernel, leafScalars, fresh, multiplier } = final;
  if (multiplier !== undefined) checkStructure(owner, multiplier, updates, ['multiplier', 'updates']);
  const affine = epilogue !== undefined && epilogue.paramScale !== 0;
  const parameters = affine || apply ? requireParams(owner, params) : undefined;
  if (parameters !== undefined) checkStructure(owner, parameters, updates, ['params', 'updates']);
  const sources = fresh === undefined ? final.inputs : fresh.sources;
  let leafIndex = 0;
  const freshOutputs: Tensor[][] = [];
  // What is the same for every leaf, made once per call rather than per leaf: the epilogue's
  // scalars, and (without per-leaf scalars) the scalar lists of the kernels.
  const extraScalars: number[] =
    epilogue === undefined ? [] : affine ? [epilogue.updateScale, epilogue.paramScale] : [epilogue.updateScale];
  const sharedScalarList = leafScalars === undefined ? [...final.scalars, ...extraScalars] : undefined;
  const sharedPassScalars =
    fresh !== undefined && sharedScalarList !== undefined ? [...fresh.scalars, ...sharedScalarList] : undefined;
  const freshCount = fresh === undefined ? 0 : fresh.kernels.length + (fresh.dependent?.length ?? 0);
  const leaf = (sourceLeaves: Tensor[], p: Tensor | undefined, factor: Tensor | undefined): Tensor => {
    let producerInputs = sourceLeaves;
    const scalars = leafScalars === undefined ? final.scalars : [...final.scalars, ...leafScalars[leafIndex++]!];
    const folds = factor !== undefined && epilogue !== undefined && foldsMultiplier(sourceLeaves[0]!, factor);
    // The kernel of the update, before any fresh inputs are substituted into it, with its
    // extra inputs (p, the multiplier) and scalars after the producer's.
    let composed = kernel;
    let extraInputs: Tensor[] = [];
    if (epilogue !== undefined) {
      // The unfused output of float32 inputs was a float32 tensor: round where it was stored.
      const rounded = final.roundsOutput === true && allFloat32(sourceLeaves);
      const composition = affine ? (folds ? 'AffineMultiplied' : 'Affine') : folds ? 'ScaledMultiplied' : 'Scaled';
      composed = composeFinalKernel(kernel, composition, rounded, final.float32Arithmetic === true);
      extraInputs = affine ? (folds ? [p!, factor] : [p!]) : folds ? [factor] : [];
    }
    const separateMultiply = factor !== undefined && !folds;
    // The parameter add joins the kernel unless a separate multiply pass comes after it.
    const addsParams = apply && !separateMultiply ? p : undefined;
    const scalarList = sharedScalarList ?? [...scalars, ...extraScalars];
    if (fresh !== undefined) {
      const pass = onePass(
        composed,
        fresh,
        addsParams,
        affine,
        extraInputs.length === 0 ? sourceLeaves : [...sourceLeaves, ...extraInputs],
      );
      if (pass !== undefined) {
        const outputs = fusedMapMany(pass.kernels, pass.inputs, sharedPassScalars ?? [...fresh.scalars, ...scalarList]);
        freshOutputs.push(outputs.slice(0, freshCount));
        return finishLeaf(
          outputs[freshCount]!,
          separateMultiply ? factor : undefined,
          apply && addsParams === undefined ? p! : undefined,
        );
      }
      // Not one SIMD pass: the fresh inputs first, in passes of their own, as before.
      const made = runFreshKernels(fresh, sourceLeaves);
      freshOutputs.push(made);
      producerInputs = fresh.selected.map((reference) =>
        'output' in reference ? made[reference.output]! : sourceLeaves[reference.source]!,
      );
    }
    const inputs = [...producerInputs, ...extraInputs];
    const added =
      addsParams === undefined ? undefined : appliedKernel(composed, kernel.arity, affine, inputs, addsParams);
    if (added !== undefined) return fusedMap(added.kernel, added.inputs, scalarList);
    return finishLeaf(
      fusedMap(composed, inputs, scalarList),
      separateMultiply ? factor : undefined,
      apply ? p! : undefined,
    );
  };
  const count = sources.length;
  const trees = [
    ...sources,
    ...(parameters === undefined ? [] : [parameters]),
    ...(multiplier === undefined ? [] : [multiplier]),
  ];
  return tidy(() => {
    const out = mapTensors(
      (...leaves: Tensor[]) =>
        leaf(
          leaves.slice(0, count),
          parameters === undefined ? undefined : leaves[count],
          multiplier === undefined ? undefined : leaves[count + (parameters === undefined ? 0 : 1)],
        ),
      trees[0]!,
      ...trees.slice(1),
    ) as TensorTree;
    if (fresh === undefined) return [out, final.state!] as [TensorTree, S];
    // Output k of the i-th leaf run, placed at the i-th leaf of `updates` (what mapping over
    // `updates` did, leaf by leaf), with the structure taken once for all outputs.
    const { structure } = tree.flatten(updates);
    const outputTrees = Array.from(
      { length: freshCount },
      (_, output) =>
        tree.unflatten(
          structure,
          freshOutputs.map((outputs) => outputs[output]!),
        ) as TensorTree,
    );
    return [out, fresh.state(outputTrees)] as [TensorTree, S];
  });
}
