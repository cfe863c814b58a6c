/**
 * The table of primitive unary elementwise ops: one `defineUnaryOp` per op, with its forward
 * expression and its derivative expression. This file exports only ops: the namespace of this
 * module is the table (the op name list, the Tensor methods, the CPU and GPU kernels and the
 * gradient rules are all derived from it). To add an op, add one export here (docs/architecture.md,
 * "How to add an op").
 *
 * Forward expressions are written exactly as the scalar functions they replaced, so results are
 * bit-identical. Derivatives mirror the tensor-op sequence of the hand-written rules they
 * replaced (each node is one tensor op, rounded as that op rounds).
 */
import {
  abs as absOf,
  add,
  and,
  ceil as ceilOf,
  div,
  equal,
  erf as erfOf,
  exp as expOf,
  expm1 as expm1Of,
  floor as floorOf,
  greater,
  greaterEqual,
  less,
  log as logOf,
  log1p as log1pOf,
  max,
  mul,
  neg as negOf,
  notEqual,
  or,
  pow,
  roundHalfEven,
  select,
  sin as sinOf,
  cos as cosOf,
  sqrt as sqrtOf,
  sub,
  tan as tanOf,
  tanh as tanhOf,
} from '../kernels/expression/builder.js';
import type { NumberExpression } from '../kernels/expression/expression.js';
import { defineUnaryOp, UNARY_VARIABLES } from '../kernels/unary-op.js';

const { x, g, y, parameter } = UNARY_VARIABLES;

/** 1/√(2π), the normal density's constant. */
const INVERSE_SQRT_TWO_PI = 0.3989422804014327;
/** 2/√π, the derivative of erf at 0. */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INVERSE_SQRT_TWO = 0.7071067811865476;

/** −x. */
export const neg = defineUnaryOp({
  name: 'neg',
  result: 'same',
  forward: negOf(x),
  derivative: () => negOf(g),
  domain: 'smooth',
});

/** |x|. */
export const abs = defineUnaryOp({
  name: 'abs',
  result: 'same',
  forward: absOf(x),
  // d|x| = sign(x): 0 at x = 0, as PyTorch.
  derivative: () => mul(g, sign.of(x)),
  domain: 'nonzero',
});

/** −1, 0 or 1 by the sign of x (NaN stays NaN). */
export const sign = defineUnaryOp({
  name: 'sign',
  result: 'same',
  forward: select(greater(x, 0), 1, select(less(x, 0), -1, select(equal(x, 0), 0, x))),
  derivative: () => 'zero',
});

/** eˣ. */
export const exp = defineUnaryOp({
  name: 'exp',
  result: 'float',
  forward: expOf(x),
  derivative: () => mul(g, y),
  domain: 'smooth',
});

/** Natural logarithm. */
export const log = defineUnaryOp({
  name: 'log',
  result: 'float',
  forward: logOf(x),
  derivative: () => div(g, x),
  domain: 'positive',
});

/** log(1 + x), accurate near 0. */
export const log1p = defineUnaryOp({
  name: 'log1p',
  result: 'float',
  forward: log1pOf(x),
  derivative: () => div(g, add(x, 1)),
  domain: 'aboveMinusHalf',
});

/** eˣ − 1, accurate near 0. */
export const expm1 = defineUnaryOp({
  name: 'expm1',
  result: 'float',
  forward: expm1Of(x),
  // d(eˣ − 1) = eˣ = y + 1.
  derivative: () => mul(g, add(y, 1)),
  domain: 'smooth',
});

/** √x. */
export const sqrt = defineUnaryOp({
  name: 'sqrt',
  result: 'float',
  forward: sqrtOf(x),
  // d√x = 1/(2√x).
  derivative: () => div(mul(g, 0.5), y),
  domain: 'positive',
});

/** 1/√x. */
export const rsqrt = defineUnaryOp({
  name: 'rsqrt',
  result: 'float',
  forward: div(1, sqrtOf(x)),
  // d x^(−1/2) = −½ x^(−3/2) = −½ y³.
  derivative: () => mul(g, mul(pow(y, 3), -0.5)),
  domain: 'positive',
});

/** x². */
export const square = defineUnaryOp({
  name: 'square',
  result: 'same',
  forward: mul(x, x),
  derivative: () => mul(g, mul(x, 2)),
  domain: 'smooth',
});

/** 1/x. */
export const reciprocal = defineUnaryOp({
  name: 'reciprocal',
  result: 'float',
  forward: div(1, x),
  // d(1/x) = −1/x² = −y².
  derivative: () => negOf(mul(g, square.of(y))),
  domain: 'nonzero',
});

/** sin x. */
export const sin = defineUnaryOp({
  name: 'sin',
  result: 'float',
  forward: sinOf(x),
  derivative: (): NumberExpression => mul(g, cos.of(x)),
  domain: 'smooth',
});

/** cos x. */
export const cos = defineUnaryOp({
  name: 'cos',
  result: 'float',
  forward: cosOf(x),
  derivative: (): NumberExpression => negOf(mul(g, sin.of(x))),
  domain: 'smooth',
});

/** tan x. */
export const tan = defineUnaryOp({
  name: 'tan',
  result: 'float',
  forward: tanOf(x),
  // d tan x = 1 + tan² x.
  derivative: () => mul(g, add(square.of(y), 1)),
  domain: 'unit',
});

/** tanh x. */
export const tanh = defineUnaryOp({
  name: 'tanh',
  result: 'float',
  forward: tanhOf(x),
  // d tanh x = 1 − tanh² x.
  derivative: () => mul(g, sub(1, square.of(y))),
  domain: 'smooth',
});

/** σ(x) = 1/(1 + e⁻ˣ), computed without overflow for large |x|. */
export const sigmoid = defineUnaryOp({
  name: 'sigmoid',
  result: 'float',
  // Two branches keep exp's argument non-positive, so neither overflows.
  forward: select(greaterEqual(x, 0), div(1, add(1, expOf(negOf(x)))), div(expOf(x), add(1, expOf(x)))),
  // dσ = σ(1 − σ).
  derivative: () => mul(g, mul(y, sub(1, y))),
  domain: 'smooth',
});

/** max(x, 0). */
export const relu = defineUnaryOp({
  name: 'relu',
  result: 'same',
  forward: select(greater(x, 0), x, select(equal(x, x), 0, x)),
  // relu' = 1 where y = relu(x) > 0, else 0 (the subgradient at 0 is 0, as PyTorch): g·sign(y),
  // where sign(y) is exactly the mask, keeps it differentiable in g; a first-order backward
  // pass (once per layer per step) takes the one fused pass instead.
  derivative: () => mul(g, sign.of(y)),
  firstOrderDerivative: select(greater(y, 0), g, 0),
  domain: 'nonzero',
});

/** x for x > 0, slope·x otherwise (slope 0.01 by default, as PyTorch). */
export const leakyRelu = defineUnaryOp({
  name: 'leakyRelu',
  result: 'float',
  parameter: { name: 'slope', default: 0.01 },
  forward: select(greater(x, 0), x, mul(x, parameter)),
  derivative: () => select(greater(x, 0), g, mul(g, parameter)),
  domain: 'nonzero',
});

/** x for x > 0, α(eˣ − 1) otherwise. */
export const elu = defineUnaryOp({
  name: 'elu',
  result: 'float',
  parameter: { name: 'alpha', default: 1 },
  forward: select(greater(x, 0), x, mul(parameter, expm1Of(x))),
  // For x ≤ 0, y = α(eˣ − 1) so dy/dx = αeˣ = y + α.
  derivative: () => select(greater(x, 0), g, mul(g, add(y, parameter))),
  domain: 'nonzero',
});

/** x·Φ(x) with the exact normal CDF Φ(x) = ½(1 + erf(x/√2)) (PyTorch's default GELU). */
export const gelu = defineUnaryOp({
  name: 'gelu',
  result: 'float',
  forward: mul(mul(0.5, x), add(1, erfOf(mul(x, INVERSE_SQRT_TWO)))),
  // d[x·Φ(x)] = Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)), φ(x) = e^(−x²/2)/√(2π).
  derivative: () => {
    const cdf = mul(add(erfOf(mul(x, INVERSE_SQRT_TWO)), 1), 0.5);
    const density = mul(expOf(mul(square.of(x), -0.5)), INVERSE_SQRT_TWO_PI);
    return mul(g, add(cdf, mul(x, density)));
  },
  domain: 'smooth',
});

/** x·σ(x) (swish). */
export const silu = defineUnaryOp({
  name: 'silu',
  result: 'float',
  forward: select(greaterEqual(x, 0), div(x, add(1, expOf(negOf(x)))), div(mul(x, expOf(x)), add(1, expOf(x)))),
  // d[x·σ(x)] = σ(x)·(1 + x·(1 − σ(x))).
  derivative: () => {
    const s = sigmoid.of(x);
    return mul(g, mul(s, add(mul(x, sub(1, s)), 1)));
  },
  domain: 'smooth',
});

/** log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|). */
export const softplus = defineUnaryOp({
  name: 'softplus',
  result: 'float',
  // log(1 + e^x) = max(x, 0) + log1p(e^(−|x|)) never overflows.
  forward: add(max(x, 0), log1pOf(expOf(negOf(absOf(x))))),
  // d log(1 + eˣ) = σ(x).
  derivative: () => mul(g, sigmoid.of(x)),
  domain: 'smooth',
});

/** The error function. */
export const erf = defineUnaryOp({
  name: 'erf',
  result: 'float',
  forward: erfOf(x),
  // d erf x = (2/√π) e^(−x²).
  derivative: () => mul(g, mul(expOf(negOf(square.of(x))), TWO_OVER_SQRT_PI)),
  domain: 'smooth',
});

/** ⌊x⌋. */
export const floor = defineUnaryOp({ name: 'floor', result: 'same', forward: floorOf(x), derivative: () => 'zero' });

/** ⌈x⌉. */
export const ceil = defineUnaryOp({ name: 'ceil', result: 'same', forward: ceilOf(x), derivative: () => 'zero' });

/** Rounds half to even, as NumPy and PyTorch. */
export const round = defineUnaryOp({
  name: 'round',
  result: 'same',
  forward: roundHalfEven(x),
  derivative: () => 'zero',
});

/** True where x is NaN. */
export const isNaN = defineUnaryOp({ name: 'isNaN', result: 'bool', forward: select(notEqual(x, x), 1, 0) });

/** True where x is neither NaN nor ±∞. */
export const isFinite = defineUnaryOp({
  name: 'isFinite',
  result: 'bool',
  // Only ±∞ satisfy x·2 = x besides 0. Not x − x = 0, which GLSL compilers fold to true.
  forward: select(or(notEqual(x, x), and(notEqual(x, 0), equal(mul(x, 2), x))), 0, 1),
});

/** Logical not (true where x is 0). */
export const logicalNot = defineUnaryOp({ name: 'logicalNot', result: 'bool', forward: select(equal(x, 0), 1, 0) });

/** x·tanh(softplus(x)) (Misra 2019), the worked example of docs/architecture.md. */
export const mish = defineUnaryOp({
  name: 'mish',
  result: 'float',
  forward: mul(x, tanh.of(softplus.of(x))),
  // d[x·tanh(sp(x))] = tanh(sp(x)) + x·(1 − tanh²(sp(x)))·σ(x), since sp' = σ.
  derivative: () => {
    const t = tanh.of(softplus.of(x));
    return mul(g, add(t, mul(mul(x, sub(1, square.of(t))), sigmoid.of(x))));
  },
  domain: 'smooth',
});
