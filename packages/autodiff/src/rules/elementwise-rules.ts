/**
 * Gradient rules of the elementwise ops (unary, binary, where, clip, cast, copy).
 *
 * Binary rules return gradients with the output's broadcast shape; the tape sums them back to
 * each operand's shape. Rules that need the op's value reuse the recorded output `y` instead
 * of recomputing it (exp, sqrt, tanh, sigmoid, ...).
 */
import {
  cast,
  div,
  equal,
  floor,
  fusedMap,
  greater,
  greaterEqual,
  isRecording,
  less,
  lessEqual,
  log,
  logicalAnd,
  mul,
  neg,
  pow,
  sub,
  unaryOps,
  where,
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
        kernel = { name: `autodiff.${definition.name}Gradient`, arity: 3, scalarCount: scalars.length, expression: definition.firstOrderDerivative };
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

/** Rules of the binary elementwise ops and `where`. */
export const binaryRules: { readonly [K in BinaryName]: GradientRule<K> } = {
  add: ({ outputGradient: g, needsGradient }) => [needsGradient[0] ? g : null, needsGradient[1] ? g : null],
  sub: ({ outputGradient: g, needsGradient }) => [needsGradient[0] ? g : null, needsGradient[1] ? neg(g) : null],
  mul: ({ inputs: [a, b], outputGradient: g, needsGradient }) => [
    needsGradient[0] ? mul(g, b!) : null,
    needsGradient[1] ? mul(g, a!) : null,
  ],
  // d(a/b) = da/b − (a/b²) db = da/b − y/b db.
  div: ({ inputs: [, b], output, outputGradient: g, needsGradient }) => {
    const scaled = div(g, b!);
    return [needsGradient[0] ? scaled : null, needsGradient[1] ? neg(mul(scaled, output)) : null];
  },
  // d aᵇ = b·a^(b−1) da + aᵇ·ln a db. As PyTorch, the da term is 0 at a = b = 0 (0⁰ has
  // derivative 0 there, not 0·0^(−1) = NaN), and the db term is 0 where a = 0 and b ≥ 0. The
  // da mask is kept to a = 0 (PyTorch masks every b = 0), so that its derivative with
  // respect to b, a^(−1) at b = 0, stays right for second derivatives.
  pow: ({ inputs: [a, b], output, outputGradient: g, needsGradient }) => {
    const base = a!;
    const exponent = b!;
    const baseGradient = needsGradient[0]
      ? where(logicalAnd(equal(exponent, 0), equal(base, 0)), 0, mul(g, mul(exponent, pow(base, sub(exponent, 1)))))
      : null;
    const exponentGradient = needsGradient[1]
      ? where(logicalAnd(equal(base, 0), greaterEqual(exponent, 0)), 0, mul(g, mul(output, log(base))))
      : null;
    return [baseGradient, exponentGradient];
  },
  // Ties split the gradient in half between the operands, as torch.maximum/minimum.
  maximum: ({ inputs: [a, b], outputGradient: g, needsGradient }) => tieSplit(a!, b!, g, needsGradient, greater),
  minimum: ({ inputs: [a, b], outputGradient: g, needsGradient }) => tieSplit(a!, b!, g, needsGradient, less),
  // a mod b = a − ⌊a/b⌋·b, so d/da = 1 and d/db = −⌊a/b⌋ (away from the jumps).
  mod: ({ inputs: [a, b], outputGradient: g, needsGradient }) => [
    needsGradient[0] ? g : null,
    needsGradient[1] ? neg(mul(g, floor(div(a!, b!)))) : null,
  ],
  where: ({ inputs: [condition], outputGradient: g, needsGradient }) => [
    null,
    needsGradient[1] ? where(condition!, g, 0) : null,
    needsGradient[2] ? where(condition!, 0, g) : null,
  ],
};

function tieSplit(
  a: Tensor,
  b: Tensor,
  g: Tensor,
  needsGradient: readonly boolean[],
  wins: (a: Tensor, b: Tensor) => Tensor,
): (Tensor | null)[] {
  const shared = where(equal(a, b), mul(g, 0.5), g);
  return [needsGradient[0] ? where(wins(b, a), 0, shared) : null, needsGradient[1] ? where(wins(a, b), 0, shared) : null];
}
