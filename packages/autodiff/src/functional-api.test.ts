import { describe, expect, it } from 'vitest';
import { add, matmul, mul, sigmoid, softplus, sum, tensor, tidy, type Tensor } from '@vane/tensor';
import { checkGrad, customGrad, grad, jacobian, valueAndGrad, vjp } from './index.js';

const values = (t: Tensor) => Array.from(t.dataSync());

describe('valueAndGrad and grad', () => {
  it('differentiates trees: gradients have the arguments’ structure', () => {
    tidy(() => {
      const params = {
        layer: {
          w: tensor([
            [1, 2],
            [3, 4],
          ]),
          b: tensor([0.5, -0.5]),
        },
        scale: [tensor(2)],
      };
      const x = tensor([[1, -1]]);
      const f = (p: typeof params, input: Tensor) => sum(mul(add(matmul(input, p.layer.w), p.layer.b), p.scale[0]!));
      const [value, gradients] = valueAndGrad(f)(params, x);
      // f = 2·Σ(xW + b) with x = [1, -1]: xW = [-2, -2], so f = 2·(−4 + 0) = −8.
      expect(value.item()).toBe(-8);
      expect(Object.keys(gradients)).toEqual(['layer', 'scale']);
      expect(values(gradients.layer.w)).toEqual([2, 2, -2, -2]); // ∂/∂W_ij = 2·x_i
      expect(values(gradients.layer.b)).toEqual([2, 2]);
      expect(values(gradients.scale[0]!)).toEqual([-4]); // Σ(xW + b)
    });
  });

  it('argnums picks arguments; a list gives a tuple in that order', () => {
    tidy(() => {
      const f = (a: Tensor, b: Tensor, c: Tensor) => sum(mul(mul(a, b), c));
      const [a, b, c] = [tensor([2]), tensor([3]), tensor([5])];
      expect(values(grad(f, { argnums: 1 })(a, b, c))).toEqual([10]);
      const [dc, da] = grad(f, { argnums: [2, 0] })(a, b, c);
      expect(values(dc)).toEqual([6]);
      expect(values(da)).toEqual([15]);
    });
  });

  it('hasAux passes auxiliary data through', () => {
    tidy(() => {
      const f = (x: Tensor) => {
        const y = x.square();
        return [y.sum(), { squares: y, note: 'kept' }] as const;
      };
      const [value, dx, aux] = valueAndGrad(f, { hasAux: true })(tensor([1, 2]));
      expect(value.item()).toBe(5);
      expect(values(dx)).toEqual([2, 4]);
      expect(values(aux.squares)).toEqual([1, 4]);
      expect(aux.note).toBe('kept');
      const [gradient, aux2] = grad(f, { hasAux: true })(tensor([3]));
      expect(values(gradient)).toEqual([6]);
      expect(values(aux2.squares)).toEqual([9]);
    });
  });

  it('the same tensor passed twice gets one gradient per position', () => {
    tidy(() => {
      const x = tensor([3]);
      const [first, second] = grad((a: Tensor, b: Tensor) => mul(a, b).sum(), { argnums: [0, 1] })(x, x);
      expect(values(first)).toEqual([3]);
      expect(values(second)).toEqual([3]);
    });
  });

  it('broadcast operands get gradients summed back to their shapes', () => {
    tidy(() => {
      const [da, db] = grad((a: Tensor, b: Tensor) => mul(a, b).sum(), { argnums: [0, 1] })(
        tensor([[1], [2]]),
        tensor([10, 20, 30]),
      );
      expect(da.shape).toEqual([2, 1]);
      expect(values(da)).toEqual([60, 60]);
      expect(values(db)).toEqual([3, 3, 3]);
    });
  });
});

describe('vjp and jacobian', () => {
  it('vjp pulls a cotangent back through a tree-valued function', () => {
    tidy(() => {
      const [out, pullBack] = vjp(
        (x: Tensor, y: Tensor) => ({ sum: add(x, y), product: mul(x, y) }),
        tensor([1, 2]),
        tensor([3, 4]),
      );
      expect(values(out.product)).toEqual([3, 8]);
      const [dx, dy] = pullBack({ sum: tensor([1, 1]), product: tensor([1, 0]) });
      expect(values(dx)).toEqual([1 + 3, 1]);
      expect(values(dy)).toEqual([1 + 1, 1]);
    });
  });

  it('jacobian of x ↦ Wx is W, and of an elementwise map is diagonal', () => {
    tidy(() => {
      const w = tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const jw = jacobian((x: Tensor) => matmul(w, x))(tensor([1, 1, 1]));
      expect(jw.shape).toEqual([2, 3]);
      expect(values(jw)).toEqual([1, 2, 3, 4, 5, 6]);
      const js = jacobian((x: Tensor) => sigmoid(x))(tensor([0, 0]));
      expect(values(js)).toEqual([0.25, 0, 0, 0.25]);
      const [ja, jb] = jacobian((a: Tensor, b: Tensor) => mul(a, b), { argnums: [0, 1] })(tensor([2, 3]), tensor(4));
      expect(ja.shape).toEqual([2, 2]);
      expect(jb.shape).toEqual([2]);
      expect(values(jb)).toEqual([2, 3]);
    });
  });
});

describe('customGrad', () => {
  it('uses the custom rule instead of the forward’s ops', () => {
    tidy(() => {
      // Straight-through estimator: round forward, identity backward.
      const roundStraightThrough = customGrad(
        (x: Tensor) => x.round(),
        (g) => g,
      );
      expect(values(grad((x: Tensor) => roundStraightThrough(x).mul(3).sum())(tensor([0.4, 1.6])))).toEqual([3, 3]);
    });
  });

  it('a custom softplus with saved tensors matches autodiff’s own, to first and second order', () => {
    const customSoftplus = customGrad(
      (x: Tensor) => ({ output: softplus(x), saved: sigmoid(x) }),
      (g, { saved }) => g.mul(saved as Tensor),
      { name: 'softplus' },
    );
    tidy(() => {
      const x = tensor([-1.5, 0, 2], { dtype: 'float64' });
      expect(values(grad((v: Tensor) => customSoftplus(v).sum())(x))).toEqual(
        values(grad((v: Tensor) => softplus(v).sum())(x)),
      );
      // The saved σ(x) is a constant to the tape, so d/dx of the custom gradient is 0 here:
      // customGrad decides what the derivative is, including its own derivative.
      expect(values(grad((v: Tensor) => grad((u: Tensor) => customSoftplus(u).sum())(v).sum())(x))).toEqual([0, 0, 0]);
    });
    const recomputed = customGrad(
      (x: Tensor) => softplus(x),
      (g, { inputs: [x] }) => g.mul(sigmoid(x)),
    );
    // Recomputing σ from the input inside the backward makes it differentiable again.
    expect(checkGrad((v: Tensor) => grad((u: Tensor) => recomputed(u).sum())(v).sum(), [tensor([-1.5, 0, 2])]).ok).toBe(
      true,
    );
  });
});
