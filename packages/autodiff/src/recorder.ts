/**
 * The recorder autodiff installs in the tensor core, the stack of open tapes, and the global
 * (PyTorch-style) graph of tensors marked with `requiresGrad_()`.
 *
 * An op is recorded into every open tape that tracks one of its inputs, and into the global
 * graph when one of its inputs requires gradients there. The recorder is installed only while
 * a tape is open or some live tensor requires gradients: while it is installed the tensor core
 * keeps op temporaries alive for the tape (see `isRecording`), so it is removed as soon as
 * nothing needs it.
 */
import {
  isRecording,
  isTensor,
  setRecorder,
  type OpAttributes,
  type OpName,
  type OpRecorder,
  type Tensor,
} from '@vane/tensor';
import { takeSequence, type GraphNode, type NodeBackward } from './graph-node.js';
import { GRADIENT_RULES } from './gradient-rules.js';
import type { GradientRule } from './gradient-rule.js';
import { isHeld, Tape } from './tape.js';

const openTapes: Tape[] = [];
const globalProducers = new WeakMap<Tensor, GraphNode>();
const requiringLeaves = new Set<Tensor>();
let installed = false;
let previousRecorder: OpRecorder | undefined;
let recordsSincePrune = 0;
let observer: ((name: string) => void) | undefined;

/**
 * @internal For tests: `listener` hears the name of every node recorded into some graph
 * (pass `undefined` to stop). Lets a test assert that the rule it checks actually ran.
 */
export function observeRecording(listener: ((name: string) => void) | undefined): void {
  observer = listener;
}

function refreshInstallation(): void {
  const wanted = openTapes.length > 0 || requiringLeaves.size > 0;
  if (wanted === installed) return;
  if (wanted) previousRecorder = setRecorder(recorder);
  else {
    setRecorder(previousRecorder);
    previousRecorder = undefined;
  }
  installed = wanted;
}

/** Forgets leaves that were disposed or unmarked: they no longer keep the recorder installed. */
export function pruneLeaves(): void {
  for (const leaf of requiringLeaves) if (leaf.isDisposed || !leaf.requiresGrad) requiringLeaves.delete(leaf);
  refreshInstallation();
}

/** True when `tensor` belongs to the global graph: a marked leaf or a recorded output. */
export function isGloballyTracked(tensor: Tensor): boolean {
  return tensor.requiresGrad || globalProducers.has(tensor);
}

/** The global-graph node that produced `tensor`, if any. */
export function globalProducerOf(tensor: Tensor): GraphNode | undefined {
  return globalProducers.get(tensor);
}

/** Marks or unmarks a leaf of the global graph (`requiresGrad_`). */
export function setGlobalLeaf(tensor: Tensor, requiresGrad: boolean): void {
  tensor.requiresGrad = requiresGrad;
  if (requiresGrad) requiringLeaves.add(tensor);
  else requiringLeaves.delete(tensor);
  pruneLeaves();
}

/** Frees a global-graph node after a backward pass (its owned tensors too, unless a tape holds them). */
export function freeGlobalNode(node: GraphNode): void {
  node.freed = true;
  for (const owned of node.owned) if (!isHeld(owned)) owned.dispose();
}

/**
 * Opens a tape: ops on its tracked tensors are recorded until {@link closeTape}.
 *
 * @throws when recording is paused (inside `noGrad`), where nothing could be differentiated.
 */
export function openTape(caller: string): Tape {
  const tape = new Tape(caller);
  openTapes.push(tape);
  refreshInstallation();
  if (!isRecording()) {
    closeTape(tape);
    throw new Error(`${caller}: cannot differentiate inside noGrad() or withoutRecording(), where no op is recorded`);
  }
  return tape;
}

/** Stops recording into a tape (its graph stays usable until the tape is released). */
export function closeTape(tape: Tape): void {
  const index = openTapes.lastIndexOf(tape);
  if (index >= 0) openTapes.splice(index, 1);
  refreshInstallation();
}

/**
 * Records a node into every graph that tracks one of its inputs. Returns whether any did;
 * when none did, `owned` tensors are disposed at once (nothing will need them).
 */
export function recordNode(
  name: string,
  inputs: readonly Tensor[],
  output: Tensor,
  backward: NodeBackward,
  owned: readonly Tensor[] = [],
): boolean {
  // The node is made once, when the first tape (or the global graph) needs it: it takes its
  // sequence number then. No closure for that: recordNode runs on every op, and a closure per op
  // is an allocation (and, under tsx, a defineProperty for its name).
  let node: GraphNode | undefined;
  for (const tape of openTapes) {
    if (!tape.tracksAny(inputs)) continue;
    node ??= { sequence: takeSequence(), name, inputs, output, backward, owned, freed: false };
    tape.addNode(node);
  }
  if (requiringLeaves.size > 0) {
    if (inputs.some(isGloballyTracked)) {
      node ??= { sequence: takeSequence(), name, inputs, output, backward, owned, freed: false };
      globalProducers.set(output, node);
    } else if (++recordsSincePrune >= 256) {
      recordsSincePrune = 0;
      pruneLeaves();
    }
  }
  if (!node) {
    for (const tensor of owned) if (!isHeld(tensor)) tensor.dispose();
    return false;
  }
  observer?.(name);
  return true;
}

function ruleBackward<K extends OpName>(
  op: K,
  inputs: readonly Tensor[],
  output: Tensor,
  attributes: OpAttributes[K],
): NodeBackward {
  const rule = GRADIENT_RULES[op] as GradientRule<K>;
  return (outputGradient, needsGradient) => rule({ inputs, output, attributes, outputGradient, needsGradient });
}

const recorder: OpRecorder = {
  record(op, inputs, output, attributes) {
    const owned = Object.values(attributes as object).filter(isTensor);
    recordNode(op, inputs, output, ruleBackward(op, inputs, output, attributes), owned);
  },
};
