/** Shared pieces of the hypergradient-descent optimizers {@link sgdHd} and {@link adamHd}. */
import { add, full, mul, sum, type Tensor } from '@vane/tensor';
import type { TensorTree } from '../transform.js';
import { tensorLeaves } from '../tree-utilities.js';

/** Σ over all leaves of Σ a ⊙ b: the full inner product ⟨a, b⟩ as a 0-d tensor. */
export function innerProduct(a: TensorTree, b: TensorTree): Tensor {
  const left = tensorLeaves(a);
  const right = tensorLeaves(b);
  return left.map((leaf, index) => sum(mul(leaf, right[index]!))).reduce((total, term) => add(total, term));
}

/** The learning rate α as a 0-d tensor on the params' backend and dtype, so it never leaves the device. */
export function learningRateTensor(params: TensorTree, value: number): Tensor {
  const first = tensorLeaves(params)[0];
  return full(
    [],
    value,
    first === undefined
      ? {}
      : { dtype: first.dtype === 'float64' ? 'float64' : 'float32', backend: first.backend.name },
  );
}
