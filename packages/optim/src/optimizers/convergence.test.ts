/**
 * optax's convergence battery: every optimizer reaches the minimum of a parabola and of the
 * Rosenbrock function (from (0, 0)) within 3e-2 in float32.
 */
import { describe, expect, it } from 'vitest';
import { build, CATALOG } from '../test-support/catalog.js';
import { minimise, PARABOLA, ROSENBROCK } from '../test-support/problems.js';

describe.each([PARABOLA, ROSENBROCK])('convergence on the $name', (problem) => {
  it.each(CATALOG.map((entry) => [entry.name, entry] as const))('%s', (_, entry) => {
    const [x, y] = minimise(build(entry), problem, entry.steps);
    expect(Math.abs(x - problem.minimum[0])).toBeLessThan(3e-2);
    expect(Math.abs(y - problem.minimum[1])).toBeLessThan(3e-2);
  });
});
