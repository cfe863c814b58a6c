/**
 * The shape of a gradient rule: given one recorded op and ∂L/∂output, produce ∂L/∂input for
 * each input.
 */
import type { OpAttributes, OpName, Tensor } from '@vane/tensor';

/**
 * What a gradient rule receives about one recorded op.
 *
 * `inputs` are the tensors the op recorded: operands after dtype casting and scalar→tensor
 * conversion, with their own (un-broadcast) shapes.
 */
export interface GradientContext<K extends OpName> {
  /** The recorded inputs of the op. */
  readonly inputs: readonly Tensor[];
  /** The op's output (rules may reuse it: exp, tanh, sigmoid, softmax, ...). */
  readonly output: Tensor;
  /** The op's attributes, as listed in `OpAttributes`. */
  readonly attributes: OpAttributes[K];
  /** ∂L/∂output, with the output's shape and dtype. */
  readonly outputGradient: Tensor;
  /** Which inputs need a gradient; a rule may return `null` for the others and skip the work. */
  readonly needsGradient: readonly boolean[];
}

/**
 * A reverse-mode rule for op `K`: one entry per input, `null` for "no gradient" (zero, or
 * not needed).
 *
 * A rule may return a gradient with the output's broadcast shape: the tape sums it back to
 * the input's shape, and accumulates gradients of inputs used more than once, so rules never
 * do either. Rules are ordinary Tensor code, which is what makes higher-order gradients work:
 * when an enclosing `grad` is recording, the ops a rule performs are recorded too.
 *
 * @example
 * // d(a·b) = b·g da + a·g db
 * const mulRule: GradientRule<'mul'> = ({ inputs: [a, b], outputGradient: g, needsGradient }) => [
 *   needsGradient[0] ? mul(g, b!) : null,
 *   needsGradient[1] ? mul(g, a!) : null,
 * ];
 */
export type GradientRule<K extends OpName> = (context: GradientContext<K>) => readonly (Tensor | null)[];

/** The complete rule table: one rule per recorded op name (a missing one is a compile error). */
export type GradientRuleTable = { readonly [K in OpName]: GradientRule<K> };
