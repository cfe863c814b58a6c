/**
 * `vjp`: the vector-Jacobian product, reverse mode's primitive.
 */
import {
  cast,
  checkOptionKeys,
  formatShape,
  isFloatingDType,
  isTensor,
  tidy,
  tree,
  zerosLike,
  type Tensor,
} from '@vane/tensor';
import { runBackward } from './backward-pass.js';
import { exportTensor, prepareArguments } from './differentiable-arguments.js';
import { closeTape, openTape } from './recorder.js';
import { describeValue } from './tensor-identity.js';

/** Options of a {@link VjpFunction} call. */
export interface VjpOptions {
  /**
   * Keep the recorded graph for another call (as PyTorch's `retain_graph`). By default the
   * first call frees it, and a second call throws.
   */
  retainGraph?: boolean;
}

/**
 * Pulls a cotangent (shaped like f's output) back to the primals: returns one gradient tree
 * per primal. Owns f's recorded graph until it is freed by a call or by `dispose()`.
 */
export type VjpFunction<Args extends readonly unknown[], Out> = ((cotangent: Out, options?: VjpOptions) => Args) & {
  /** Frees the recorded graph without calling the function. Safe to call twice. */
  dispose(): void;
  [Symbol.dispose](): void;
};

/**
 * Evaluates `f(...primals)` and returns `[output, vjpFunction]`, where
 * `vjpFunction(cotangent)` is the cotangent pulled back through f.
 *
 * Math: for y = f(x) with Jacobian J = ∂y/∂x, `vjpFunction(v)` = vᵀJ, one gradient per
 * primal with that primal's tree structure. `f` may return a tensor or a tree of tensors; the
 * cotangent must have the same structure and shapes.
 *
 * Memory rule: the output and the returned gradients belong to the caller. The recorded graph
 * (f's intermediates) lives until the first call of `vjpFunction` — or, with
 * `{ retainGraph: true }`, until the last call — or until `vjpFunction.dispose()`.
 *
 * @example
 * const [y, pullBack] = vjp((x: Tensor) => x.square(), tensor([1, 2, 3]));
 * const [dx] = pullBack(tensor([1, 1, 1])); // [2, 4, 6]
 * @see JAX's `jax.vjp` (https://jax.readthedocs.io) for the interface it follows.
 */
export function vjp<Args extends unknown[], Out>(
  f: (...primals: Args) => Out,
  ...primals: Args
): [output: Out, vjpFunction: VjpFunction<Args, Out>] {
  const caller = 'vjp';
  const tape = openTape(caller);
  let outputs: Tensor[] = [];
  let outputTree: unknown;
  let targets: { structure: tree.TreeStructure; leaves: readonly Tensor[] }[] = [];
  let exported: Out;
  try {
    exported = tidy(() => {
      const argnums = primals.map((_, index) => index);
      const prepared = prepareArguments(caller, primals, argnums, tape);
      targets = prepared.differentiated.map(({ structure, leaves }) => ({ structure, leaves }));
      const result = (f as (...args: unknown[]) => unknown)(...prepared.args);
      const { leaves, structure } = tree.flatten<unknown>(result as tree.Tree<unknown>);
      leaves.forEach((leaf, index) => {
        if (!isTensor(leaf) || !isFloatingDType(leaf.dtype)) {
          throw new Error(
            `${caller}: output leaf ${index} of the function must be a float tensor, got ${describeValue(leaf)}`,
          );
        }
      });
      outputs = leaves as Tensor[];
      outputTree = result;
      // The roots must outlive this scope, even an output the function merely passed through.
      for (const output of outputs) tape.hold(output);
      closeTape(tape);
      return tree.unflatten(structure, outputs.map(exportTensor)) as Out;
    });
  } catch (error) {
    closeTape(tape);
    tape.release();
    throw error;
  }

  const pullBack = (cotangent: Out, options: VjpOptions = {}): Args => {
    checkOptionKeys(caller, options, ['retainGraph']);
    if (tape.isReleased) {
      throw new Error(
        `${caller}: this vjp function's graph was already freed (by an earlier call without { retainGraph: true }, or by dispose()); call vjp(f, ...primals) again`,
      );
    }
    try {
      return tidy(() => {
        tree.assertSameStructure(caller, outputTree as tree.Tree<unknown>, cotangent as tree.Tree<unknown>, [
          'output',
          'cotangent',
        ]);
        const cotangents = tree.leaves<unknown>(cotangent as tree.Tree<unknown>);
        const roots = outputs.map((output, index): [Tensor, Tensor] => {
          const seed = cotangents[index];
          if (!isTensor(seed))
            throw new Error(`${caller}: cotangent leaf ${index} must be a tensor, got ${describeValue(seed)}`);
          if (seed.ndim !== output.ndim || seed.shape.some((size, axis) => size !== output.shape[axis])) {
            throw new Error(
              `${caller}: cotangent leaf ${index} has shape ${formatShape(seed.shape)}, expected ${formatShape(output.shape)} (the output's shape)`,
            );
          }
          return [output, cast(seed, output.dtype)];
        });
        const { gradients } = runBackward({
          caller,
          roots,
          targets: targets.flatMap((entry) => entry.leaves),
          producerOf: (tensor) => tape.producers.get(tensor),
          releaseIntermediates: true,
        });
        return targets.map(({ structure, leaves }) =>
          tree.unflatten(
            structure,
            leaves.map((leaf) => exportTensor(gradients.get(leaf) ?? zerosLike(leaf))),
          ),
        ) as Args;
      });
    } finally {
      if (!options.retainGraph) tape.release();
    }
  };
  const dispose = () => tape.release();
  const vjpFunction = Object.assign(pullBack, { dispose, [Symbol.dispose]: dispose });
  return [exported, vjpFunction];
}
