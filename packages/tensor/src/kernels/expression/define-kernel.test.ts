/** defineKernel: named operands become input(i)/scalar(j) in order, and a bad signature is refused by name. */
import { describe, expect, it } from 'vitest';
import { defineKernel, expression as e, fusedMap, tensor } from '../../index.js';

describe('defineKernel', () => {
  it('binds inputs then scalars by position and runs through fusedMap', () => {
    const axpy = defineKernel('test.defineKernel.axpy', { inputs: ['x', 'y'], scalars: ['alpha'] }, ({ x, y, alpha }) =>
      e.add(e.mul(alpha, x), y),
    );
    expect(axpy).toEqual({
      name: 'test.defineKernel.axpy',
      arity: 2,
      scalarCount: 1,
      expression: e.add(e.mul(e.scalar(0), e.input(0)), e.input(1)),
    });
    expect(
      Array.from(
        fusedMap(axpy, [tensor([1, 2], { dtype: 'float64' }), tensor([10, 20], { dtype: 'float64' })], [3]).dataSync(),
      ),
    ).toEqual([13, 26]);
  });

  it('refuses a repeated name, no inputs and a body that is not a number expression', () => {
    expect(() => defineKernel('test.twice', { inputs: ['x', 'x'] }, ({ x }) => x)).toThrow(
      "defineKernel(test.twice): the operand name 'x' is used twice",
    );
    expect(() => defineKernel('test.none', { inputs: [] }, () => e.constant(1))).toThrow(
      "defineKernel(test.none): 'inputs' must name at least one tensor input",
    );
    expect(() => defineKernel('test.boolean', { inputs: ['x'] }, ({ x }) => e.less(x, 0) as never)).toThrow(
      'defineKernel(test.boolean): the body must return a number expression',
    );
  });
});
