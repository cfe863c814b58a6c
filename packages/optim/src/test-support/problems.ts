/**
 * Test problems with closed-form gradients (optax's convergence battery): a parabola and
 * the Rosenbrock function, over a parameter tree `{ x: [2] }`.
 */
import { tensor, type DType, type Tensor } from '@vane/tensor';
import { applyUpdates, disposeReplaced } from '../apply-updates.js';
import type { GradientTransformation, TensorTree } from '../transform.js';

/** A function of two variables with its gradient and minimiser. */
export interface Problem {
  name: string;
  start: [number, number];
  minimum: [number, number];
  gradient: (x: number, y: number) => [number, number];
}

/** f(x, y) = ½((x − 1)² + 4(y + 2)²), minimum at (1, −2). */
export const PARABOLA: Problem = {
  name: 'parabola',
  start: [-1, 2],
  minimum: [1, -2],
  gradient: (x, y) => [x - 1, 4 * (y + 2)],
};

/** f(x, y) = (1 − x)² + 100(y − x²)², minimum at (1, 1). */
export const ROSENBROCK: Problem = {
  name: 'rosenbrock',
  start: [0, 0],
  minimum: [1, 1],
  gradient: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
};

/** Runs `steps` updates of `optimizer` on `problem` and returns the final point. */
export function minimise(
  optimizer: GradientTransformation<unknown>,
  problem: Problem,
  steps: number,
  dtype: DType = 'float32',
): [number, number] {
  let params: TensorTree = { x: tensor(problem.start, { dtype }) };
  let state = optimizer.init(params);
  for (let step = 0; step < steps; step++) {
    const [x, y] = (params as { x: Tensor }).x.dataSync() as Float32Array;
    const grads: TensorTree = { x: tensor(problem.gradient(x!, y!), { dtype }) };
    const [updates, nextState] = optimizer.update(grads, state, params);
    const nextParams = applyUpdates(params, updates);
    disposeReplaced([params, state, grads, updates], [nextParams, nextState]);
    params = nextParams;
    state = nextState;
  }
  const result = Array.from((params as { x: Tensor }).x.dataSync()) as [number, number];
  disposeReplaced([params, state], []);
  return result;
}
