/**
 * Gradient rules of the elementwise ops (unary, binary, where, clip, cast, copy). The unary
 * and binary ones are derived from `@vane/tensor`'s tables (`unaryOps`, `BINARY_DERIVATIVES`).
 *
 * Binary rules return gradients with the output's broadcast shape; the tape sums them back to
 * each operand's shape. Rules that need the op's value reuse the recorded output `y` instead
 * of recomputing it (exp, sqrt, tanh, sigmoid, ...).
 */
import {
  BINARY_DERIVATIVES,
  cast,
  fusedMap,
  greaterEqual,
  isRecording,
  lessEqual,
  logicalAnd,
  unaryOps,
  where,
  type Expression,
  type ExpressionKernel,
  type RecordedUnaryOpName,
  type Tensor,
  type UnaryOpDefinition,
} from '@vane/tensor';
import type { GradientRule } from '../gradient-rule.js';
import { evaluateOnTensors } from './expression-on-tensors.js';

type UnaryName = RecordedUnaryOpName | 'clip' | 'cast' | 'copy';
type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'mod' | 'where';

const firstOrderKernels = new Map<string, ExpressionKernel>();

/**
 * The gradient rule of a table op, derived from its derivative expression (in g, x, y and the
 * parameter): evaluated with tensor ops, so that it can be differentiated again, or as one
 * fused kernel (its `firstOrderDerivative`) when nothing records the backward pass. 'zero'
 * (piecewise constant ops: floor, ceil, round, sign) gives no contribution (`null`), as in
 * PyTorch the gradient is zero almost everywhere.
 */
function tableRule(definition: UnaryOpDefinition): GradientRule<RecordedUnaryOpName> {
  return ({ inputs, output, outputGradient, attributes, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    const scalars = definition.parameter ? [(attributes as Record<string, number>)[definition.parameter.name]!] : [];
    const operands = [inputs[0]!, outputGradient, output];
    if (definition.firstOrderDerivative && !isRecording()) {
      let kernel = firstOrderKernels.get(definition.name);
      if (!kernel) {
        kernel = {
          name: `autodiff.${definition.name}Gradient`,
          arity: 3,
          scalarCount: scalars.length,
          expression: definition.firstOrderDerivative,
        };
        firstOrderKernels.set(definition.name, kernel);
      }
      return [fusedMap(kernel, operands, scalars)];
    }
    const derivative = definition.derivative?.();
    if (derivative === undefined) throw new Error(`autodiff: the op '${definition.name}' has no derivative`);
    if (derivative === 'zero') return [null];
    return [evaluateOnTensors(derivative, operands, scalars) as Tensor];
  };
}

const tableRules = Object.fromEntries(
  Object.values(unaryOps)
    .filter((op) => op.definition.result !== 'bool')
    .map((op) => [op.definition.name, tableRule(op.definition as UnaryOpDefinition)]),
) as { readonly [K in RecordedUnaryOpName]: GradientRule<K> };

/** Rules of the unary elementwise ops: the table's, then clip, cast and copy. */
export const unaryRules: { readonly [K in UnaryName]: GradientRule<K> } = {
  ...tableRules,
  // The gradient passes where min ≤ x ≤ max (bounds included, as torch.clamp).
  clip: ({ inputs, outputGradient: g, attributes: { min, max }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    const x = inputs[0]!;
    const aboveMin = min === undefined ? undefined : greaterEqual(x, min);
    const belowMax = max === undefined ? undefined : lessEqual(x, max);
    const inside = aboveMin && belowMax ? logicalAnd(aboveMin, belowMax) : (aboveMin ?? belowMax)!;
    return [where(inside, g, 0)];
  },
  cast: ({ outputGradient: g, attributes, needsGradient }) => [needsGradient[0] ? cast(g, attributes.from) : null],
  copy: ({ outputGradient: g, needsGradient }) => [needsGradient[0] ? g : null],
};

/** The gradient rule of a differentiable binary op, derived from its {@link BINARY_DERIVATIVES} entry. */
function binaryTableRule(name: keyof typeof BINARY_DERIVATIVES): GradientRule<keyof typeof BINARY_DERIVATIVES> {
  const [ofFirst, ofSecond] = BINARY_DERIVATIVES[name];
  return ({ inputs: [a, b], output, outputGradient, needsGradient }) => {
    const operands = [a!, b!, outputGradient, output];
    // One memo for both gradients, so a node they share (div's g/b) is computed once.
    const memo = new Map<Expression, Tensor | number | boolean>();
    return [
      needsGradient[0] ? (evaluateOnTensors(ofFirst, operands, [], memo) as Tensor) : null,
      needsGradient[1] ? (evaluateOnTensors(ofSecond, operands, [], memo) as Tensor) : null,
    ];
  };
}

/** Rules of the binary elementwise ops (derived from `BINARY_DERIVATIVES`) and `where`. */
export const binaryRules: { readonly [K in BinaryName]: GradientRule<K> } = {
  add: binaryTableRule('add'),
  sub: binaryTableRule('sub'),
  mul: binaryTableRule('mul'),
  div: binaryTableRule('div'),
  pow: binaryTableRule('pow'),
  maximum: binaryTableRule('maximum'),
  minimum: binaryTableRule('minimum'),
  mod: binaryTableRule('mod'),
  where: ({ inputs: [condition], outputGradient: g, needsGradient }) => [
    null,
    needsGradient[1] ? where(condition!, g, 0) : null,
    needsGradient[2] ? where(condition!, 0, g) : null,
  ],
};
