/**
 * Turning a call's arguments into tape leaves, and handing results back to the caller.
 */
import { contiguous, isFloatingDType, isTensor, tree, type Tensor, type TreeStructure } from '@vane/tensor';
import type { Tape } from './tape.js';
import { alias, describeTensor, describeValue } from './tensor-identity.js';

/** Which positional arguments to differentiate: one index, or several. */
export type Argnums = number | readonly number[];

/** The differentiated arguments replaced by fresh leaves of a tape. */
export interface PreparedArguments {
  /** The arguments to call `f` with. */
  readonly args: unknown[];
  /** Per differentiated argument: its tree structure and its leaves on the tape. */
  readonly differentiated: readonly {
    readonly argnum: number;
    readonly structure: TreeStructure;
    readonly leaves: readonly Tensor[];
  }[];
}

/** Validates `argnums` against the number of arguments and returns it as a list. */
export function argnumList(caller: string, argnums: Argnums, count: number): number[] {
  const list = typeof argnums === 'number' ? [argnums] : [...argnums];
  if (list.length === 0) throw new Error(`${caller}: 'argnums' is empty; name at least one argument to differentiate`);
  for (const argnum of list) {
    if (!Number.isInteger(argnum) || argnum < 0 || argnum >= count) {
      throw new Error(
        `${caller}: 'argnums' ${argnum} is out of range: the function was called with ${count} argument${count === 1 ? '' : 's'}`,
      );
    }
  }
  if (new Set(list).size !== list.length)
    throw new Error(`${caller}: 'argnums' [${list.join(',')}] repeats an argument`);
  return list;
}

function where(argnum: number, path: string): string {
  return `argument ${argnum}${path ? ` at '${path}'` : ''}`;
}

/**
 * Replaces each differentiated argument's tensors by fresh aliases tracked by `tape`.
 *
 * Aliases (not the caller's tensors themselves) become the leaves so that nested
 * differentiations never confuse one another's inputs: `grad(x => x * grad(y => x * y)(x))`
 * differentiates the inner function with respect to its own `y` only.
 */
export function prepareArguments(
  caller: string,
  args: readonly unknown[],
  argnums: readonly number[],
  tape: Tape,
): PreparedArguments {
  const prepared = [...args];
  const differentiated = argnums.map((argnum) => {
    const { leaves, structure } = tree.flatten<unknown>(args[argnum] as tree.Tree<unknown>);
    const paths = tree.paths(args[argnum] as tree.Tree<unknown>);
    const aliases = leaves.map((leaf, index) => {
      const location = where(argnum, paths[index]!);
      if (!isTensor(leaf))
        throw new Error(
          `${caller}: ${location} must be a tensor (or a tree of tensors) to be differentiated, got ${describeValue(leaf)}`,
        );
      if (leaf.isDisposed) throw new Error(`${caller}: ${location} (${describeTensor(leaf)}) was disposed`);
      if (!isFloatingDType(leaf.dtype)) {
        throw new Error(
          `${caller}: cannot differentiate with respect to ${location}, ${describeTensor(leaf)}: only float32 and float64 tensors have gradients (cast it, or leave it out of 'argnums')`,
        );
      }
      const leafAlias = alias(leaf);
      tape.addLeaf(leafAlias);
      return leafAlias;
    });
    prepared[argnum] = tree.unflatten(structure, aliases);
    return { argnum, structure, leaves: aliases };
  });
  return { args: prepared, differentiated };
}

/**
 * A result tensor the caller may own and dispose: a fresh view of `x` (or a contiguous copy
 * of a strided one), never a tensor a tape holds or one the caller passed in.
 */
export function exportTensor(x: Tensor): Tensor {
  return x.isContiguous ? alias(x) : contiguous(x);
}

/** {@link exportTensor} over every tensor leaf of a tree; other leaves pass through. */
export function exportTree<T>(value: T): T {
  if (value === null || value === undefined) return value;
  return tree.map((leaf: unknown) => (isTensor(leaf) ? exportTensor(leaf) : leaf), value as tree.Tree<unknown>) as T;
}
