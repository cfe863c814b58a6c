/**
 * The backward pass shared by every entry point: walk the graph from the roots, run each
 * node's rule once in reverse recording order, reduce broadcast gradients to their inputs'
 * shapes, and accumulate the gradients of tensors used more than once.
 */
import { add, cast, formatShape, isFloatingDType, tidy, type Tensor } from '@vane/tensor';
import type { GraphNode } from './graph-node.js';
import { sumToShape } from './sum-to-shape.js';
import { isHeld } from './tape.js';
import { nextTensorId } from './tensor-identity.js';

/** What to differentiate, and through which graph. */
export interface BackwardRequest {
  /** The public function running the pass, for error messages. */
  readonly caller: string;
  /** Outputs with the gradient ("seed", cotangent) flowing into each. */
  readonly roots: readonly (readonly [output: Tensor, seed: Tensor])[];
  /** Tensors whose gradients are wanted. */
  readonly targets: readonly Tensor[];
  /** The node that produced a tensor in this graph, if any. */
  readonly producerOf: (tensor: Tensor) => GraphNode | undefined;
  /** Called on every node the pass visits (to reject freed graphs). */
  readonly visit?: (node: GraphNode) => void;
  /**
   * Dispose intermediate gradients as soon as they are consumed (tensors held by a tape are
   * always spared). Off when the caller wants the gradient graph kept (createGraph).
   */
  readonly releaseIntermediates: boolean;
}

/** Gradients of the targets (a missing target got none: its gradient is zero), and the visited nodes. */
export interface BackwardResult {
  readonly gradients: Map<Tensor, Tensor>;
  readonly nodes: readonly GraphNode[];
}

function collectNodes(request: BackwardRequest): GraphNode[] {
  const seen = new Set<GraphNode>();
  const pending = request.roots.map(([output]) => output);
  while (pending.length > 0) {
    const node = request.producerOf(pending.pop()!);
    if (!node || seen.has(node)) continue;
    request.visit?.(node);
    seen.add(node);
    for (const input of node.inputs) pending.push(input);
  }
  return [...seen].sort((a, b) => a.sequence - b.sequence);
}

function describeNode(node: GraphNode): string {
  const inputs = node.inputs.map((input) => formatShape(input.shape)).join(', ');
  return `'${node.name}' (inputs ${inputs} → output ${formatShape(node.output.shape)})`;
}

function fitGradient(
  request: BackwardRequest,
  node: GraphNode,
  index: number,
  gradient: Tensor,
  input: Tensor,
): Tensor {
  let fitted: Tensor;
  try {
    fitted = sumToShape(gradient, input.shape);
  } catch {
    throw new Error(
      `${request.caller}: the gradient rule of ${describeNode(node)} returned shape ${formatShape(gradient.shape)} for input ${index}, which has shape ${formatShape(input.shape)}`,
    );
  }
  return fitted.dtype === input.dtype ? fitted : cast(fitted, input.dtype);
}

/**
 * Runs reverse-mode accumulation from `roots` to `targets`.
 *
 * Only nodes on a path from a target to a root run, and each is asked only for the input
 * gradients that lead to a target (`needsGradient`), so, e.g., no gradient is computed for a
 * data batch. The caller owns the returned gradients.
 */
export function runBackward(request: BackwardRequest): BackwardResult {
  const firstTensorId = nextTensorId();
  const nodes = collectNodes(request);
  // A tensor needs a gradient if it is a target or an input of a needed node's path.
  const needed = new Set<Tensor>(request.targets);
  const relevant: GraphNode[] = [];
  for (const node of nodes) {
    if (node.inputs.some((input) => needed.has(input))) {
      needed.add(node.output);
      relevant.push(node);
    }
  }

  const gradients = new Map<Tensor, Tensor>();
  // Several map entries can share one tensor (add's rule returns g for both operands), so
  // entries are counted before anything is disposed.
  const references = new Map<Tensor, number>();
  const targets = new Set(request.targets);
  const release = (tensor: Tensor) => {
    const count = (references.get(tensor) ?? 0) - 1;
    if (count > 0) {
      references.set(tensor, count);
      return;
    }
    references.delete(tensor);
    if (request.releaseIntermediates && tensor.id >= firstTensorId && !isHeld(tensor)) tensor.dispose();
  };
  const store = (key: Tensor, value: Tensor) => {
    const previous = gradients.get(key);
    gradients.set(key, value);
    references.set(value, (references.get(value) ?? 0) + 1);
    if (previous) release(previous);
  };
  const drop = (key: Tensor) => {
    const previous = gradients.get(key);
    if (!previous) return;
    gradients.delete(key);
    release(previous);
  };

  for (const [output, seed] of request.roots) {
    const previous = gradients.get(output);
    store(output, previous ? add(previous, seed) : seed);
  }

  for (let position = relevant.length - 1; position >= 0; position--) {
    const node = relevant[position]!;
    const outputGradient = gradients.get(node.output);
    if (!outputGradient) continue;
    const needsGradient = node.inputs.map((input) => needed.has(input) && isFloatingDType(input.dtype));
    // Temporaries of a rule are freed right away, except when the gradient graph is kept
    // (createGraph), where the rule's masks and constants are part of that graph.
    const scope = request.releaseIntermediates ? tidy : <T>(fn: () => T): T => fn();
    const updates = scope(() => {
      let results: readonly (Tensor | null | undefined)[];
      try {
        results = node.backward(outputGradient, needsGradient);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const hint = /was disposed/.test(message)
          ? ' (a tensor of the recorded graph was freed before backward ran: by tidy or dispose(), or by an earlier backward of a released graph)'
          : '';
        throw new Error(`${request.caller}: backward through ${describeNode(node)} failed: ${message}${hint}`, {
          cause: error,
        });
      }
      const local = new Map<Tensor, Tensor>();
      node.inputs.forEach((input, index) => {
        const result = results[index];
        if (!needsGradient[index] || !result) return;
        const fitted = fitGradient(request, node, index, result, input);
        const previous = local.get(input) ?? gradients.get(input);
        local.set(input, previous ? add(previous, fitted) : fitted);
      });
      return [...local];
    });
    for (const [input, value] of updates) store(input, value);
    if (!targets.has(node.output)) drop(node.output);
  }

  const result = new Map<Tensor, Tensor>();
  for (const target of request.targets) {
    const gradient = gradients.get(target);
    if (gradient) result.set(target, gradient);
  }
  for (const key of [...gradients.keys()]) if (!targets.has(key)) drop(key);
  return { gradients: result, nodes };
}
