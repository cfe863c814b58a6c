/**
 * PyTorch-style gradients: mark leaves with `requiresGrad_()`, compute a loss, call
 * `loss.backward()`, read `leaf.grad`.
 *
 * Ops on marked tensors are recorded into a global graph whose nodes hang off their outputs
 * (as PyTorch's `grad_fn`), so an unused graph is garbage-collected with its tensors. The
 * graph's tensors themselves are ordinary tensors of the caller's: run the forward pass and
 * `backward()` inside the same `tidy` (or before disposing them).
 */
import {
  add,
  checkOptionKeys,
  formatShape,
  isFloatingDType,
  isTensor,
  keep,
  onesLike,
  cast,
  tidy,
  tree,
  withoutRecording,
  Tensor,
  type Tree,
} from '@vane/tensor';
import { runBackward } from './backward-pass.js';
import type { GraphNode } from './graph-node.js';
import { freeGlobalNode, globalProducerOf, isGloballyTracked, pruneLeaves, setGlobalLeaf } from './recorder.js';
import { alias, describeTensor, describeValue } from './tensor-identity.js';

/** Options of {@link backward}. */
export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again (PyTorch's `retain_graph`). */
  retainGraph?: boolean;
  /**
   * Record the backward pass itself, so that the accumulated `.grad` tensors can be
   * differentiated again (PyTorch's `create_graph`). The gradient graph's intermediates then
   * belong to the caller's scope, like the forward's.
   */
  createGraph?: boolean;
}

/**
 * Marks every tensor of `value` (a tensor or a tree) as a leaf that collects gradients in
 * `.grad` when `backward()` runs, or unmarks it. Returns `value`.
 *
 * @example
 * const w = setRequiresGrad(randn([3, 2]));
 * @see PyTorch's `Tensor.requires_grad_`.
 */
export function setRequiresGrad<T extends Tree<Tensor>>(value: T, requiresGrad = true): T {
  const leaves = tree.leaves<unknown>(value as Tree<unknown>);
  const paths = tree.paths(value as Tree<unknown>);
  // Everything is validated before anything is marked, so a failed call changes nothing.
  const tensors = leaves.map((leaf, index) => {
    const location = paths[index] ? ` at '${paths[index]}'` : '';
    if (!isTensor(leaf))
      throw new Error(`setRequiresGrad: every leaf must be a tensor, got ${describeValue(leaf)}${location}`);
    leaf.assertAlive('setRequiresGrad');
    if (requiresGrad && !isFloatingDType(leaf.dtype)) {
      throw new Error(
        `setRequiresGrad: only float32 and float64 tensors can require gradients, got ${describeTensor(leaf)}${location}`,
      );
    }
    return leaf;
  });
  for (const leaf of tensors) setGlobalLeaf(leaf, requiresGrad);
  return value;
}

/**
 * Disposes and clears `.grad` on every tensor of `value` (call between steps: `backward()`
 * accumulates into `.grad`, as PyTorch).
 *
 * @example
 * zeroGrad(params);
 */
export function zeroGrad(value: Tree<Tensor>): void {
  for (const leaf of tree.leaves<unknown>(value as Tree<unknown>)) {
    if (!isTensor(leaf)) continue;
    leaf.grad?.dispose();
    leaf.grad = null;
  }
}

function freedError(node: GraphNode): Error {
  return new Error(
    `backward: the graph through '${node.name}' (output shape ${formatShape(node.output.shape)}) was already freed by an earlier backward(); pass { retainGraph: true } to the earlier call to run backward through it again`,
  );
}

// The marked leaves the output depends on, in the global graph.
function reachableLeaves(output: Tensor): Tensor[] {
  const leaves = new Set<Tensor>();
  const seen = new Set<GraphNode>();
  const pending = [output];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const node = globalProducerOf(current);
    if (!node) {
      if (current.requiresGrad) leaves.add(current);
      continue;
    }
    if (seen.has(node)) continue;
    if (node.freed) throw freedError(node);
    seen.add(node);
    for (const input of node.inputs) pending.push(input);
  }
  return [...leaves];
}

/**
 * Accumulates ∂output/∂leaf into `leaf.grad` for every marked leaf `output` depends on.
 *
 * Math: leaf.grad ← leaf.grad + seedᵀ ∂output/∂leaf, with seed = 1 for a one-element output.
 * By default the graph is freed afterwards (a second call throws), as PyTorch. The `.grad`
 * tensors belong to their leaves: they survive `tidy`, and `zeroGrad` disposes them.
 *
 * @param seed - ∂L/∂output; required unless `output` has one element
 * @example
 * const w = tensor([1, 2, 3]).requiresGrad_();
 * tidy(() => w.square().sum().backward());
 * w.grad; // [2, 4, 6]
 * @see PyTorch's `Tensor.backward`.
 */
export function backward(output: Tensor, seed?: Tensor, options: BackwardOptions = {}): void {
  const caller = 'backward';
  checkOptionKeys(caller, options, ['retainGraph', 'createGraph']);
  if (!isTensor(output)) throw new Error(`${caller}: expected a tensor, got ${describeValue(output)}`);
  output.assertAlive(caller);
  if (!isGloballyTracked(output)) {
    throw new Error(
      `${caller}: tensor #${output.id} (${describeTensor(output)}) does not require gradients: none of the tensors it was computed from was marked with requiresGrad_() (or it was computed inside noGrad)`,
    );
  }
  if (seed === undefined && output.size !== 1) {
    throw new Error(
      `${caller}: the output has shape ${formatShape(output.shape)}; backward() without a seed needs a one-element output (reduce it, or pass the seed ∂L/∂output)`,
    );
  }
  if (
    seed !== undefined &&
    (!isTensor(seed) || seed.ndim !== output.ndim || seed.shape.some((size, axis) => size !== output.shape[axis]))
  ) {
    throw new Error(
      `${caller}: the seed must be a tensor of the output's shape ${formatShape(output.shape)}, got ${describeValue(seed)}`,
    );
  }
  const leaves = reachableLeaves(output);
  const createGraph = options.createGraph ?? false;
  const run = () => {
    const root = seed === undefined ? onesLike(output) : cast(seed, output.dtype);
    const { gradients, nodes } = runBackward({
      caller,
      roots: [[output, root]],
      targets: leaves,
      producerOf: globalProducerOf,
      visit: (node) => {
        if (node.freed) throw freedError(node);
      },
      releaseIntermediates: !createGraph,
    });
    for (const leaf of leaves) {
      const gradient = gradients.get(leaf);
      if (!gradient) continue;
      // A fresh object per leaf: two leaves may have received the very same gradient tensor.
      const next = leaf.grad && !leaf.grad.isDisposed ? add(leaf.grad, gradient) : alias(gradient);
      leaf.grad?.dispose();
      leaf.grad = keep(next);
    }
    if (!options.retainGraph) for (const node of nodes) freeGlobalNode(node);
  };
  if (createGraph) run();
  else withoutRecording(() => tidy(run));
  pruneLeaves();
}

// Augments the module that declares the Tensor class (exported as '@vane/tensor/tensor-class'
// so that the augmentation resolves for installed packages too): augmenting '@vane/tensor'
// itself would declare a second, unrelated Tensor interface, because it only re-exports it.
declare module '@vane/tensor/tensor-class' {
  interface Tensor {
    /**
     * Accumulates gradients into `.grad` of the marked leaves this tensor depends on
     * (see `backward` in @vane/autodiff).
     */
    backward(seed?: Tensor, options?: BackwardOptions): void;
    /** Marks (or unmarks) this tensor as a leaf collecting `.grad`; returns it (see `setRequiresGrad`). */
    requiresGrad_(requiresGrad?: boolean): this;
    /** A view of this tensor outside every gradient graph (see `detach` in @vane/autodiff). */
    detach(): Tensor;
  }
}

Tensor.prototype.backward = function (this: Tensor, seed?: Tensor, options?: BackwardOptions) {
  backward(this, seed, options);
};
Tensor.prototype.requiresGrad_ = function <T extends Tensor>(this: T, requiresGrad = true): T {
  setRequiresGrad(this, requiresGrad);
  return this;
};
Tensor.prototype.detach = function (this: Tensor) {
  this.assertAlive('detach');
  return withoutRecording(() => alias(this));
};
