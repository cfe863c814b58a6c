/**
 * `jacobian`: the full Jacobian by reverse mode, one vector-Jacobian product per output
 * element (meant for small problems).
 */
import { checkOptionKeys, isTensor, reshape, stack, tensor, tidy, tree, type Tensor } from '@vane/tensor';
import { argnumList, type Argnums } from './differentiable-arguments.js';
import type { GradientsOf } from './value-and-grad.js';
import { vjp } from './vjp.js';
import { describeValue } from './tensor-identity.js';

/** Options of {@link jacobian}. */
export interface JacobianOptions<N extends Argnums = Argnums> {
  /** Which arguments to differentiate (an index, default 0, or a list giving a tuple). */
  argnums?: N;
}

/**
 * Transforms `f` (tensors in, one tensor out) into a function returning its Jacobian with
 * respect to the arguments named by `argnums`.
 *
 * Math: J[i…, j…] = ∂f(x)[i…] / ∂x[j…]; each Jacobian has shape `[...output.shape,
 * ...argument.shape]` (per tensor leaf, for tree arguments). Built row by row from
 * `vjp` with one-hot cotangents, so it costs one backward pass per output element.
 *
 * @example
 * jacobian((x: Tensor) => x.square())(tensor([1, 2])); // [[2, 0], [0, 4]]
 * @see JAX's `jax.jacrev` (https://jax.readthedocs.io), which it follows.
 */
export function jacobian<Args extends unknown[], const N extends Argnums = 0>(
  f: (...args: Args) => Tensor,
  options: JacobianOptions<N> = {},
): (...args: Args) => GradientsOf<Args, N> {
  // Checked when the transform is made, not at its first call, so a typo fails where it is written.
  checkOptionKeys('jacobian', options, ['argnums']);
  return (...args: Args) => {
    const argnums = options.argnums ?? 0;
    const list = argnumList('jacobian', argnums, args.length);
    return tidy(() => {
      const partial = (...differentiated: unknown[]) => {
        const full: unknown[] = [...args];
        list.forEach((argnum, index) => (full[argnum] = differentiated[index]));
        return f(...(full as Args));
      };
      const [output, pullBack] = vjp(partial, ...list.map((argnum) => args[argnum]));
      try {
        if (!isTensor(output))
          throw new Error(`jacobian: the function must return one tensor, got ${describeValue(output)}`);
        const rows: unknown[][] = [];
        for (let element = 0; element < output.size; element++) {
          const values = new Float64Array(output.size);
          values[element] = 1;
          const cotangent = tensor(values, { shape: output.shape, dtype: output.dtype, backend: output.backend.name });
          rows.push(pullBack(cotangent, { retainGraph: true }));
        }
        const perArgument = list.map((argnum, position) => {
          const { structure, leaves } = tree.flatten<Tensor>(args[argnum] as tree.Tree<Tensor>);
          const rowLeaves = rows.map((row) => tree.leaves<Tensor>(row[position] as tree.Tree<Tensor>));
          const jacobians = leaves.map((leaf, leafIndex) => {
            const stacked =
              output.size === 0
                ? undefined
                : stack(
                    rowLeaves.map((row) => row[leafIndex]!),
                    0,
                  );
            return stacked
              ? reshape(stacked, [...output.shape, ...leaf.shape])
              : tensor(new Float64Array(0), { shape: [...output.shape, ...leaf.shape], dtype: leaf.dtype });
          });
          return tree.unflatten(structure, jacobians);
        });
        return (typeof argnums === 'number' ? perArgument[0] : perArgument) as GradientsOf<Args, N>;
      } finally {
        pullBack.dispose();
      }
    });
  };
}
