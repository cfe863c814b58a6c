/**
 * A stateless transform that scales each leaf's update by one number of its own, computed by a
 * reduction (a clipping factor from the update's RMS, a scale from the parameter's RMS), stated
 * as its final kernel so that `chain` composes the affine stages after it (Adafactor's learning
 * rate and decay) into the same pass.
 */
import { tidy, type ExpressionKernel, type Tensor } from '@vane/tensor';
import type { EmptyState, FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, requireParams, tensorLeaves } from '../tree-utilities.js';
import { runFinalKernel } from './compose-final-kernel.js';

/** What {@link perLeafFactor} needs: the factor of a leaf and the kernel that applies it. */
export interface PerLeafFactorParts {
  /** The transform's name, for errors and for `FinalKernel.owner`. */
  readonly owner: string;
  /** Whether the factor is read from the parameters (then `params` is required). */
  readonly readsParams: boolean;
  /** The factor of one leaf, a 0-d tensor of the update's dtype (`p` is the parameter when `readsParams`). */
  readonly factor: (u: Tensor, p: Tensor | undefined) => Tensor;
  /** The kernel of one element, inputs ['u'], scalars ['factor']: u·f or u/f. */
  readonly kernel: ExpressionKernel;
}

/**
 * The transform u ↦ kernel(u, f_leaf). Its final kernel reads each factor on the host, which on
 * the CPU costs nothing; on other backends (a device round trip per leaf) the factor stays a
 * 0-d tensor and the kernel runs as a broadcast tensor op (`applyOnDevice`). The same bits
 * either way: the factor has the update's dtype in both, and the kernel computes what the
 * tensor op does.
 *
 * @example
 * const BY_NORM = defineKernel('divideByNorm', { inputs: ['u'], scalars: ['factor'] }, ({ u, factor }) => e.div(u, factor));
 * const normalize = perLeafFactor({ owner: 'normalize', readsParams: false, factor: (u) => maximum(norm(u), 1), kernel: BY_NORM }, (u, f) => div(u, f));
 */
export function perLeafFactor(
  parts: PerLeafFactorParts,
  applyOnDevice: (u: Tensor, factor: Tensor) => Tensor,
): GradientTransformation<EmptyState> {
  const { owner, readsParams, factor, kernel } = parts;
  const operation = `${owner}.update`;
  const trees = (updates: TensorTree, params: TensorTree | undefined): TensorTree[] => {
    if (!readsParams) return [updates];
    const parameters = requireParams(operation, params);
    checkStructure(operation, parameters, updates, ['params', 'updates']);
    return [updates, parameters];
  };
  const finalKernel = (
    updates: TensorTree,
    state: EmptyState,
    params: TensorTree | undefined,
  ): FinalKernel<EmptyState> | undefined => {
    const operands = trees(updates, params);
    if (operands.some((operand) => tensorLeaves(operand).some((leaf) => leaf.backend.name !== 'cpu'))) return undefined;
    const leafScalars: number[][] = [];
    tidy(() =>
      mapTensors(
        (u: Tensor, p?: Tensor) => {
          leafScalars.push([factor(u, p).dataSync()[0]!]);
          return u;
        },
        operands[0]!,
        ...operands.slice(1),
      ),
    );
    return { owner, kernel, inputs: [updates], scalars: [], leafScalars, state, roundsOutput: true };
  };
  return {
    init: () => ({}),
    update: (updates, state, params) => {
      const final = finalKernel(updates, state, params);
      if (final !== undefined) return runFinalKernel(final, updates, undefined, undefined);
      const operands = trees(updates, params);
      const out = tidy(
        () =>
          mapTensors(
            (u: Tensor, p?: Tensor) => applyOnDevice(u, factor(u, p)),
            operands[0]!,
            ...operands.slice(1),
          ) as TensorTree,
      );
      return [out, state];
    },
    finalKernel: (updates, state, params) => (updates === undefined ? undefined : finalKernel(updates, state, params)),
  };
}
