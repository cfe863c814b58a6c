import { describe, expect, it } from 'vitest';
import {
  abs,
  argmax,
  cast,
  ceil,
  clip,
  equal,
  floor,
  gather,
  greater,
  max,
  maximum,
  maxPool2d,
  min,
  minimum,
  mul,
  norm,
  relu,
  round,
  sign,
  sum,
  tensor,
  tidy,
  unsqueeze,
  where,
  type Tensor,
} from '@vane/tensor';
import { grad } from './index.js';

const values = (t: Tensor) => Array.from(t.dataSync());
const gradientOf = (f: (x: Tensor) => Tensor, data: number[] | number[][]) => values(grad(f)(tensor(data)));

// The documented conventions at kinks, ties and jumps (docs/autodiff.md, "Conventions"),
// checked against their definitions; they agree with PyTorch 1.13.
describe('gradient conventions at kinks, ties and non-differentiable ops', () => {
  it('max/min reductions share the gradient equally among tied extrema', () => {
    tidy(() => {
      expect(gradientOf((x) => max(x), [1, 3, 3])).toEqual([0, 0.5, 0.5]);
      expect(
        gradientOf(
          (x) => sum(min(x, 1)),
          [
            [2, 2],
            [1, 5],
          ],
        ),
      ).toEqual([0.5, 0.5, 1, 0]);
      expect(gradientOf((x) => norm(x, Infinity), [-2, 2, 1])).toEqual([-0.5, 0.5, 0]);
    });
  });

  it('maximum/minimum split the gradient in half on ties', () => {
    tidy(() => {
      const [da, db] = grad((a: Tensor, b: Tensor) => sum(maximum(a, b)), { argnums: [0, 1] })(
        tensor([1, 2, 3]),
        tensor([3, 2, 1]),
      );
      expect(values(da)).toEqual([0, 0.5, 1]);
      expect(values(db)).toEqual([1, 0.5, 0]);
      const [dc, dd] = grad((a: Tensor, b: Tensor) => sum(minimum(a, b)), { argnums: [0, 1] })(
        tensor([1, 2]),
        tensor([2, 2]),
      );
      expect(values(dc)).toEqual([1, 0.5]);
      expect(values(dd)).toEqual([0, 0.5]);
    });
  });

  it('abs, relu and clip use 0, 0 and "bounds included" at their kinks', () => {
    tidy(() => {
      expect(gradientOf((x) => sum(abs(x)), [-1, 0, 2])).toEqual([-1, 0, 1]);
      expect(gradientOf((x) => sum(relu(x)), [-1, 0, 2])).toEqual([0, 0, 1]);
      expect(gradientOf((x) => sum(clip(x, -1, 1)), [-2, -1, 0, 1, 2])).toEqual([0, 1, 1, 1, 0]);
    });
  });

  it('max pooling sends the gradient to the first maximum of a tied window', () => {
    tidy(() => {
      const dx = grad((x: Tensor) => sum(maxPool2d(x, 2)))(
        tensor([
          [
            [
              [1, 4],
              [4, 2],
            ],
          ],
        ]),
      );
      expect(values(dx)).toEqual([0, 1, 0, 0]);
    });
  });

  it('floor, ceil, round and sign have zero gradients', () => {
    tidy(() => {
      for (const op of [floor, ceil, round, sign]) expect(gradientOf((x) => sum(op(x)), [0.3, -1.7])).toEqual([0, 0]);
    });
  });

  it('comparisons, argmax and masks are constants: gradients flow only through the values they select', () => {
    tidy(() => {
      // Selecting with argmax: the gradient is one-hot at the maximum.
      expect(gradientOf((x) => sum(gather(x, 0, unsqueeze(argmax(x), 0))), [1, 5, 2])).toEqual([0, 1, 0]);
      // A function of comparisons alone does not depend on x at all: zero gradient.
      expect(gradientOf((x) => sum(cast(greater(x, 0), 'float32')), [-1, 2])).toEqual([0, 0]);
      // Masks from comparisons select which values pass.
      expect(gradientOf((x) => sum(where(equal(x, 2), mul(x, 3), 0)), [2, 1])).toEqual([3, 0]);
    });
  });
});
