/**
 * Fusion by composition: a producer declares only its final kernel (`GradientTransformation.finalKernel`);
 * `chain` composes the affine stages after it, and a wrapper's multiplier, into that kernel.
 */
import { defineKernel, expression as e, tensor, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { ADAM_DIRECTION } from '../transforms/scale-by-adam.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { chain } from './chain.js';
import { composeFinalKernel, runFinalKernel } from './compose-final-kernel.js';

// A stateless producer that only states its output: g³.
const CUBE = defineKernel('test.compose.cube', { inputs: ['g'] }, ({ g }) => e.mul(e.mul(g, g), g));
function cube(): GradientTransformation<Record<string, never>> {
  const finalKernel = (updates: TensorTree, state: Record<string, never>) => ({
    owner: 'cube',
    kernel: CUBE,
    inputs: [updates],
    scalars: [],
    state,
  });
  return {
    init: () => ({}),
    update: (updates, state) => runFinalKernel(finalKernel(updates, state), updates, undefined, undefined),
    finalKernel,
  };
}

describe('composeFinalKernel', () => {
  it('appends the epilogue and the multiplier to the producer’s expression, once per kernel', () => {
    const affine = composeFinalKernel(ADAM_DIRECTION, 'AffineMultiplied');
    const direction = ADAM_DIRECTION.expression;
    expect(affine).toEqual({
      name: 'optim.adam.directionAffineMultiplied',
      arity: 4,
      scalarCount: 5,
      expression: e.mul(e.fround(e.add(e.mul(e.scalar(3), direction), e.mul(e.scalar(4), e.input(2)))), e.input(3)),
    });
    expect(composeFinalKernel(ADAM_DIRECTION, 'AffineMultiplied')).toBe(affine);
    expect(composeFinalKernel(CUBE, 'Scaled').expression).toEqual(e.mul(e.scalar(0), CUBE.expression));
  });

  it('gives a producer that declares only its final kernel the fused step: one rounding of a·g³ + b·p', () => {
    const params = { w: tensor([1.5, -2, 0.25], { dtype: 'float64' }) };
    const gradients = { w: tensor([0.3, -1.1, 2], { dtype: 'float64' }) };
    const fused = chain(cube(), addDecayedWeights(0.1), scaleByLearningRate(0.7));
    const [updates] = fused.update(gradients, fused.init(params), params);
    const g = [0.3, -1.1, 2];
    const p = [1.5, -2, 0.25];
    // The folded coefficients: a = −0.7, b = −0.7·0.1, as chain folds them.
    expect(Array.from((updates as { w: Tensor }).w.dataSync())).toEqual(
      g.map((value, index) => -0.7 * (value * value * value) + -0.7 * 0.1 * p[index]!),
    );
    const [alone] = cube().update(gradients, {}, params);
    expect(Array.from((alone as { w: Tensor }).w.dataSync())).toEqual(g.map((value) => value * value * value));
  });

  it('names the producer when the params needed by a folded decay do not match the updates', () => {
    const final = { owner: 'cube', kernel: CUBE, inputs: [{ w: tensor([1]) }], scalars: [], state: {} };
    expect(() =>
      runFinalKernel(final, { w: tensor([1]) }, { v: tensor([1]) }, { updateScale: 1, paramScale: 0.5 }),
    ).toThrow(/^cube\.update: /);
  });
});
