/**
 * Reading trees of tensors into plain JavaScript numbers, so every comparison the kit makes is
 * computed outside the tensor library it is testing (an oracle must not share the code under
 * test).
 */
import { isTensor, tree, type Tensor, type Tree } from '@vane/tensor';

/** One leaf of a tree read into plain numbers: its path, dtype, shape and values (row-major). */
export interface LeafValues {
  readonly path: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

/** Every tensor leaf of `value`, in flatten order, read into plain numbers. */
export function readTensorLeaves(value: Tree<unknown>): LeafValues[] {
  return tree.entries(value as Tree<any>).flatMap(([path, leaf]) => {
    if (!isTensor(leaf)) return [];
    const tensorLeaf = leaf as Tensor;
    const data = tensorLeaf.dataSync();
    return [
      {
        path,
        dtype: tensorLeaf.dtype,
        shape: [...tensorLeaf.shape],
        values: Array.from(data as ArrayLike<number | boolean>, Number),
      },
    ];
  });
}

/** The Euclidean norm of a list of numbers. */
export function euclideanNorm(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value * value;
  return Math.sqrt(total);
}

/** All numbers of every tensor leaf of `value`, concatenated in flatten order. */
export function flatValues(value: Tree<unknown>): number[] {
  return readTensorLeaves(value).flatMap((leaf) => leaf.values);
}
