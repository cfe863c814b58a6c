/**
 * One recorded op in a gradient graph.
 */
import type { Tensor } from '@vane/tensor';

/**
 * Computes one gradient per input from the output gradient; `null` (or `undefined`) means no
 * contribution. Entries whose `needsGradient` is false are ignored.
 */
export type NodeBackward = (
  outputGradient: Tensor,
  needsGradient: readonly boolean[],
) => readonly (Tensor | null | undefined)[];

/**
 * A recorded op: its inputs, its output, and how to pull a gradient back through it.
 *
 * Nodes are plain objects linked from their output (a tape's or the global graph's producer
 * map) to their inputs, as PyTorch's `grad_fn`. `sequence` grows with recording order, so
 * sorting by it (descending) is a valid reverse topological order.
 */
export interface GraphNode {
  /** Recording order, shared by every graph. */
  readonly sequence: number;
  /** The op name (or `customGrad(name)`), for error messages. */
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly backward: NodeBackward;
  /** Tensors the node itself owns (maxPool2d's indices), freed with it. */
  readonly owned: readonly Tensor[];
  /** Set once `backward()` freed the node (PyTorch style, without `retainGraph`). */
  freed: boolean;
}

let nextSequence = 0;

/** The next recording sequence number. */
export function takeSequence(): number {
  return nextSequence++;
}
