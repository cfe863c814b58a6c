/**
 * `hvp`: Hessian-vector products by reverse-over-reverse differentiation.
 */
import { add, mul, sum, tree, type Tensor } from '@vane/tensor';
import { grad } from './value-and-grad.js';

/**
 * The Hessian of scalar `f` at `x` applied to `v`, without forming the Hessian.
 *
 * Math: H v = ∇ₓ ⟨∇f(x), v⟩, the gradient of the directional derivative; it costs about two
 * gradient evaluations. `x` and `v` are tensors (or trees of the same structure); the result
 * is shaped like `x` and owned by the caller.
 *
 * @example
 * // f(x) = Σ x³ has H = diag(6x)
 * hvp((x: Tensor) => x.pow(3).sum(), tensor([1, 2]), tensor([1, 1])); // [6, 12]
 * @see Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation 6 (1994).
 */
export function hvp<T extends tree.Tree<Tensor>>(f: (x: T) => Tensor, x: T, v: T): T {
  tree.assertSameStructure('hvp', x, v, ['x', 'v']);
  const directional = (point: T): Tensor => {
    const gradient = grad(f)(point);
    const products = tree.leaves(tree.map((g: Tensor, direction: Tensor) => sum(mul(g, direction)), gradient, v));
    return products.reduce((total, term) => add(total, term));
  };
  return grad(directional)(x) as T;
}
