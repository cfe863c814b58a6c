/**
 * A tape: the ops recorded during one call of a functional transformation (`grad`,
 * `valueAndGrad`, `vjp`, ...), and the intermediates it keeps alive for the backward pass.
 *
 * Ownership rule: a tape holds every tensor its nodes refer to that was created after the
 * tape was opened. Held tensors are protected from `tidy` (with `keep`) because the backward
 * pass needs them, and are disposed when the last tape holding them is released. Tensors that
 * existed before the tape (parameters, data, constants) are never held and never disposed.
 */
import { isTensor, keep, type Tensor } from '@vane/tensor';
import type { GraphNode } from './graph-node.js';
import { nextTensorId } from './tensor-identity.js';

// How many live tapes hold each tensor; nested tapes can share intermediates.
const holdCounts = new Map<Tensor, number>();

/** True while some tape holds `tensor` (it must not be disposed before that tape is released). */
export function isHeld(tensor: Tensor): boolean {
  return holdCounts.has(tensor);
}

/** The ops recorded for one differentiation, and the tensors they keep alive. */
export class Tape {
  /** Tensors whose gradient this tape can compute: its leaves and every recorded output. */
  readonly tracked = new Set<Tensor>();
  /** The node that produced each recorded output. */
  readonly producers = new Map<Tensor, GraphNode>();
  /** Tensors with ids from here on were created while this tape existed. */
  readonly firstTensorId: number;
  private readonly held = new Set<Tensor>();
  private released = false;

  constructor(
    /** The public function that opened the tape, for error messages. */
    readonly caller: string,
  ) {
    this.firstTensorId = nextTensorId();
  }

  /** True once {@link release} ran. */
  get isReleased(): boolean {
    return this.released;
  }

  /** Marks a leaf: gradients with respect to it will be computed. */
  addLeaf(leaf: Tensor): void {
    this.tracked.add(leaf);
  }

  /** True when some input of an op is tracked here, so the op must be recorded. */
  tracksAny(inputs: readonly Tensor[]): boolean {
    for (const input of inputs) if (this.tracked.has(input)) return true;
    return false;
  }

  /** Records a node and holds the tensors it refers to. */
  addNode(node: GraphNode): void {
    this.producers.set(node.output, node);
    this.tracked.add(node.output);
    for (const input of node.inputs) this.hold(input);
    this.hold(node.output);
    for (const owned of node.owned) this.hold(owned);
  }

  /** Holds a tensor created during this tape's life (others belong to the caller). */
  hold(tensor: Tensor): void {
    if (!isTensor(tensor) || tensor.id < this.firstTensorId || this.held.has(tensor)) return;
    this.held.add(tensor);
    holdCounts.set(tensor, (holdCounts.get(tensor) ?? 0) + 1);
    keep(tensor);
  }

  /** Disposes every held tensor no other tape still holds, and forgets the graph. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const tensor of this.held) {
      const count = (holdCounts.get(tensor) ?? 1) - 1;
      if (count > 0) holdCounts.set(tensor, count);
      else {
        holdCounts.delete(tensor);
        tensor.dispose();
      }
    }
    this.held.clear();
    this.producers.clear();
    this.tracked.clear();
  }
}
