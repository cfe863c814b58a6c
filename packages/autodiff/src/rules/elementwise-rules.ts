/**
 * Gradient rules of the elementwise ops (unary, binary, where, clip, cast, copy).
 *
 * Binary rules return gradients with the output's broadcast shape; the tape sums them back to
 * each operand's shape. Rules that need the op's value reuse the recorded output `y` instead
 * of recomputing it (exp, sqrt, tanh, sigmoid, ...).
 */
import {
  add,
  cast,
  cos,
  div,
  equal,
  erf,
  exp,
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
  sigmoid,
  sign,
  sin,
  square,
  sub,
  where,
  type FusedKernel,
  type Tensor,
} from '@vane/tensor';
import type { GradientRule } from '../gradient-rule';

type UnaryName =
  | 'neg' | 'abs' | 'sign' | 'exp' | 'log' | 'log1p' | 'expm1' | 'sqrt' | 'rsqrt' | 'square' | 'reciprocal' | 'sin' | 'cos'
  | 'tan' | 'tanh' | 'sigmoid' | 'relu' | 'leakyRelu' | 'elu' | 'gelu' | 'silu' | 'softplus' | 'erf' | 'floor' | 'ceil'
  | 'round' | 'clip' | 'cast' | 'copy';
type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'mod' | 'where';

/** g where y > 0, else 0: relu's backward in one pass. */
const RELU_GRADIENT: FusedKernel = { name: 'autodiffReluGradient', arity: 2, fn: (g, y) => (y > 0 ? g : 0) };

/** 1/√(2π), the normal density's constant. */
const INVERSE_SQRT_TWO_PI = 0.3989422804014327;
/** 2/√π, the derivative of erf at 0. */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INVERSE_SQRT_TWO = 0.7071067811865476;

// A rule for a unary op whose derivative is a function of its input x and output y.
function unary<K extends UnaryName>(derivative: (g: Tensor, x: Tensor, y: Tensor) => Tensor | null): GradientRule<K> {
  return ({ inputs, output, outputGradient, needsGradient }) => [needsGradient[0] ? derivative(outputGradient, inputs[0]!, output) : null];
}

// Floor, ceil, round and sign are piecewise constant: zero gradient almost everywhere (and
// undefined at the jumps), as in PyTorch; `null` tells the tape there is no contribution.
const zeroGradient = () => null;

/** Rules of the unary elementwise ops. */
export const unaryRules: { readonly [K in UnaryName]: GradientRule<K> } = {
  neg: unary((g) => neg(g)),
  // d|x| = sign(x): 0 at x = 0, as PyTorch.
  abs: unary((g, x) => mul(g, sign(x))),
  sign: unary(zeroGradient),
  exp: unary((g, _x, y) => mul(g, y)),
  log: unary((g, x) => div(g, x)),
  log1p: unary((g, x) => div(g, add(x, 1))),
  // d(eˣ − 1) = eˣ = y + 1.
  expm1: unary((g, _x, y) => mul(g, add(y, 1))),
  // d√x = 1/(2√x).
  sqrt: unary((g, _x, y) => div(mul(g, 0.5), y)),
  // d x^(−1/2) = −½ x^(−3/2) = −½ y³.
  rsqrt: unary((g, _x, y) => mul(g, mul(pow(y, 3), -0.5))),
  square: unary((g, x) => mul(g, mul(x, 2))),
  // d(1/x) = −1/x² = −y².
  reciprocal: unary((g, _x, y) => neg(mul(g, square(y)))),
  sin: unary((g, x) => mul(g, cos(x))),
  cos: unary((g, x) => neg(mul(g, sin(x)))),
  // d tan x = 1 + tan² x.
  tan: unary((g, _x, y) => mul(g, add(square(y), 1))),
  // d tanh x = 1 − tanh² x.
  tanh: unary((g, _x, y) => mul(g, sub(1, square(y)))),
  // dσ = σ(1 − σ).
  sigmoid: unary((g, _x, y) => mul(g, mul(y, sub(1, y)))),
  // relu' = 1 where y = relu(x) > 0, else 0 (the subgradient at 0 is 0, as PyTorch). This
  // rule runs once per layer per step, so it is kept cheap: when nothing records the backward
  // pass (no enclosing grad), its result need not be differentiable and one fused pass does;
  // otherwise g·sign(y), where sign(y) is exactly the mask, keeps it differentiable in g.
  relu: unary((g, _x, y) => (isRecording() ? mul(g, sign(y)) : fusedMap(RELU_GRADIENT, [g, y]))),
  leakyRelu: ({ inputs, outputGradient: g, attributes, needsGradient }) => [
    needsGradient[0] ? where(greater(inputs[0]!, 0), g, mul(g, attributes.slope)) : null,
  ],
  // For x ≤ 0, y = α(eˣ − 1) so dy/dx = αeˣ = y + α.
  elu: ({ inputs, output, outputGradient: g, attributes, needsGradient }) => [
    needsGradient[0] ? where(greater(inputs[0]!, 0), g, mul(g, add(output, attributes.alpha))) : null,
  ],
  // d[x·Φ(x)] = Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)), φ(x) = e^(−x²/2)/√(2π).
  gelu: unary((g, x) => {
    const cdf = mul(add(erf(mul(x, INVERSE_SQRT_TWO)), 1), 0.5);
    const density = mul(exp(mul(square(x), -0.5)), INVERSE_SQRT_TWO_PI);
    return mul(g, add(cdf, mul(x, density)));
  }),
  // d[x·σ(x)] = σ(x)·(1 + x·(1 − σ(x))).
  silu: unary((g, x) => {
    const s = sigmoid(x);
    return mul(g, mul(s, add(mul(x, sub(1, s)), 1)));
  }),
  // d log(1 + eˣ) = σ(x).
  softplus: unary((g, x) => mul(g, sigmoid(x))),
  // d erf x = (2/√π) e^(−x²).
  erf: unary((g, x) => mul(g, mul(exp(neg(square(x))), TWO_OVER_SQRT_PI))),
  floor: unary(zeroGradient),
  ceil: unary(zeroGradient),
  round: unary(zeroGradient),
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
