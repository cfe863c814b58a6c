/**
 * Inline WebAssembly SIMD implementations of the expression language's transcendental
 * functions (exp, expm1, log, log1p, tanh, erf, sin, cos, tan and the binary pow), for the
 * expression compiler (`simd-expression.ts`).
 *
 * Why float64 lanes, not f32x4: the compiler evaluates every expression on f64x2 lanes, as the
 * JavaScript loop evaluates it in doubles, and rounds to float32 once at the store. An f32
 * exp inside that tree would overflow at x ≈ 88.7 where the double does not (softplus(100)
 * would become ∞) and would add float32 rounding errors to intermediate values that the
 * JavaScript loop keeps in double. So each function here is a double-precision approximation
 * accurate to a few units in the last place of a *double* (about 1e-15 relative); after the
 * single float32 rounding the result equals `Math.fround(Math.f(x))` except where the exact
 * value lies within about 1e-15 (relative) of a float32 rounding boundary, and then differs by
 * one float32 ulp. The tests (simd-math.test.ts) state and check the bounds: exp ≤ 3, log ≤ 2,
 * expm1 ≤ 5, log1p ≤ 3, tanh ≤ 6 double ulps from V8's Math, ≤ 1 float32 ulp after rounding
 * (0 differences measured on 400 000 float32 inputs).
 *
 * - exp: Cody–Waite reduction x = k·ln2 + r, |r| ≤ ln2/2 (ln2 split as fdlibm's ln2HI, whose
 *   32 low bits are zero, so k·ln2HI is exact for |k| < 2^21), then the Taylor polynomial of
 *   degree 13 (truncation below 6e-18 relative on that interval; evaluated by Estrin's
 *   scheme for a short dependency chain), then scaling by 2^k as two
 *   factors 2^⌊k/2⌋·2^(k−⌊k/2⌋) built in the exponent field, so that both subnormal results
 *   and results up to the largest double are reached. x is clamped to [−746, 710] first
 *   (results 0 and +∞; min/max propagate NaN).
 * - expm1: the same reduction, q = eʳ − 1 as the polynomial without its constant term, and
 *   eˣ − 1 = s1·(s2·q + (s2 − 1/s1)) with s1·s2 = 2^k, which has no cancellation worse than
 *   the true result's and no premature overflow. x is clamped to [−40, 710] (e^−40 − 1 rounds
 *   to −1). x = ±0 returns x (the sign of zero).
 * - log: fdlibm's e_log.c: x = 2^k·z with z in [√2/2, √2) by integer arithmetic on the bits
 *   (subnormal doubles are scaled by 2^54 first), s = f/(2 + f) with f = z − 1, and the
 *   minimax polynomial Lg1..Lg7 (error below 2^−58.45 on that range). Zero gives −∞,
 *   negatives NaN, +∞ itself, NaN itself.
 * - log1p: Goldberg's log1p(x) = log(u)·x/(u − 1) with u = 1 ⊕ x (x itself where u = 1), which
 *   keeps the relative accuracy near 0 (Goldberg 1991, theorem 4).
 * - tanh: expm1(2x)/(expm1(2x) + 2), x clamped to [−20, 20] (tanh rounds to ±1 beyond 19.1).
 * - erf: x·P(x²) for |x| < 2 and ±(1 − e^(−a²)·erfcx(a)) for a = min(|x|, 6), with Chebyshev
 *   fits to SciPy (see ERF_SMALL); within 20 double ulps of SciPy's erf. The JavaScript loop's
 *   vaneErf is a different approximation (within about 1e-13 of this one); erf(−0) is −0 here.
 *
 * - sin, cos: fdlibm's Cody–Waite reduction (π/2 in three 33-bit parts, exact while
 *   n = nearest(x·2/π) < 2^20, i.e. |x| ≤ TRIGONOMETRY_ARGUMENT_BOUND = 1647098) and its
 *   k_sin/k_cos polynomials; a pair with a lane beyond the bound (or ±∞) calls the imported
 *   Math.sin/Math.cos for that lane, since an exact reduction there needs Payne–Hanek. Within
 *   2 double ulps of V8's Math.sin/cos measured (simd-trigonometry.test.ts).
 * - tan: the same reduction, sin r/cos r or −cos r/sin r by the parity of n, and Math.tan for
 *   lanes beyond the bound; within 4 double ulps of V8's Math.tan measured.
 * - pow (SIMD_BINARY_MATH): exp(y·log|x|) with ECMAScript's special cases selected per lane and
 *   fdlibm's exact shortcuts for y = ±1, 2, ½; the error grows with |y·log x| (see `power`).
 *
 * With these, every function of the expression language has a SIMD implementation: no kernel
 * falls back to the JavaScript loop for a Math function.
 */
import type { BinaryFunction, UnaryFunction } from '../kernels/expression/expression.js';
import { op } from './wasm-encoder.js';

/** Gives the emitters scratch v128 locals and loop-invariant constants. */
export interface SimdMathLocals {
  /** A fresh v128 local index, used only by the code being emitted. */
  temporary(): number;
  /**
   * A v128 local that holds the 16 bytes `lanes` throughout the loop: the caller sets it once
   * before the loop. Why: V8 materialises each `v128.const` inside a loop with several
   * instructions on every iteration, and the polynomials use about 20 constants.
   */
  constant(lanes: readonly number[]): number;
  /**
   * The function index of the imported `env.<name>` (f64) → f64 (Math.sin, Math.cos or
   * Math.tan), which the caller adds to the module's imports. sin, cos and tan need it for
   * arguments beyond {@link TRIGONOMETRY_ARGUMENT_BOUND}; without it they throw when emitted.
   */
  importedFunction?(name: TrigonometricFunction): number;
}

/** A tuple of `Count` numbers, for destructuring {@link temporaries}. */
type Locals<Count extends number, Tuple extends number[] = []> = Tuple['length'] extends Count
  ? Tuple
  : Locals<Count, [...Tuple, number]>;

/**
 * `count` fresh temporaries from `locals`, taken in order: the one way the emitters below ask
 * for several at once (each had its own array-and-cast spelling).
 */
function temporaries<Count extends number>(locals: SimdMathLocals, count: Count): Locals<Count> {
  return Array.from({ length: count }, () => locals.temporary()) as Locals<Count>;
}

/** The functions whose inline SIMD version is bounded and whose other lanes call the imported Math function. */
export type TrigonometricFunction = 'sin' | 'cos' | 'tan';

/**
 * The Math functions a module compiled with these emitters may import (as `env.sin`, ...):
 * every instantiation of such a module passes them (kernel-runtime.ts; the thread-pool workers
 * pass the same three by name).
 */
export const SIMD_MATH_IMPORTS: Readonly<Record<TrigonometricFunction, (x: number) => number>> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
};

/** Emits code that consumes an f64x2 on the stack (the operand's code) and leaves f(operand) there. */
export type SimdMathEmitter = (operand: number[], locals: SimdMathLocals) => number[];

/** Emits code that consumes two f64x2 (the operands' code, left first) and leaves f(left, right) there. */
export type SimdBinaryMathEmitter = (left: number[], right: number[], locals: SimdMathLocals) => number[];

// SIMD opcodes (WebAssembly SIMD specification numbering).
const V128_CONST = 0x0c;
const V128_NOT = 0x4d;
const V128_AND = 0x4e;
const V128_XOR = 0x51;
const V128_OR = 0x50;
const I64X2_ALL_TRUE = 0xc3;
const F64X2_SQRT = 0xef;
const V128_BITSELECT = 0x52;
const F64X2_EQ = 0x47;
const F64X2_NE = 0x48;
const F64X2_LT = 0x49;
const F64X2_GT = 0x4a;
const F64X2_GE = 0x4c;
const F64X2_EXTRACT_LANE = 0x21;
const F64X2_REPLACE_LANE = 0x22;
const V128_ANY_TRUE = 0x53;
const F64X2_NEAREST = 0x94;
const F64X2_ADD = 0xf0;
const F64X2_SUB = 0xf1;
const F64X2_MUL = 0xf2;
const F64X2_DIV = 0xf3;
const F64X2_FLOOR = 0x75;
const F64X2_TRUNC = 0x7a;
const F64X2_ABS = 0xec;
const F64X2_NEG = 0xed;
const F64X2_PMIN = 0xf6;
const F64X2_PMAX = 0xf7;
const I64X2_SHL = 0xcb;
const I64X2_SHR_U = 0xcd;
const I64X2_ADD = 0xce;
const I64X2_SUB = 0xd1;

const simd = (code: number) => op.simd(code);
const g = op.localGet;
const s = op.localSet;

// The locals of the emitter running now (set by `withLocals` around each exported emitter),
// so that the constant helpers below can hoist their values without threading `locals`
// through every helper.
let active: SimdMathLocals | undefined;
const activating = (locals: SimdMathLocals, build: () => number[]): number[] => {
  const outer = active;
  active = locals;
  try {
    return build();
  } finally {
    active = outer;
  }
};
const withLocals =
  (emitter: SimdMathEmitter): SimdMathEmitter =>
  (operand, locals) =>
    activating(locals, () => emitter(operand, locals));
const withLocalsBinary =
  (emitter: SimdBinaryMathEmitter): SimdBinaryMathEmitter =>
  (left, right, locals) =>
    activating(locals, () => emitter(left, right, locals));
const constant = (lane: number[]) => {
  const lanes = [...lane, ...lane];
  return active ? g(active.constant(lanes)) : op.simd(V128_CONST, ...lanes);
};
/** Both f64 lanes `value` (a loop-invariant local). */
const f64Splat = (value: number) => constant([...new Uint8Array(new Float64Array([value]).buffer)]);
/** Both i64 lanes `value` (a loop-invariant local). */
const i64Splat = (value: bigint) => constant([...new Uint8Array(new BigInt64Array([value]).buffer)]);
const binary = (left: number[], right: number[], code: number) => [...left, ...right, ...simd(code)];
const add = (left: number[], right: number[]) => binary(left, right, F64X2_ADD);
const sub = (left: number[], right: number[]) => binary(left, right, F64X2_SUB);
const mul = (left: number[], right: number[]) => binary(left, right, F64X2_MUL);
const simdNegate = (operand: number[]) => [...operand, ...simd(F64X2_NEG)];
const div = (left: number[], right: number[]) => binary(left, right, F64X2_DIV);
/** v128.bitselect: whenTrue's bits where mask is set, whenFalse's elsewhere. */
const select = (mask: number[], whenTrue: number[], whenFalse: number[]) => [
  ...whenTrue,
  ...whenFalse,
  ...mask,
  ...simd(V128_BITSELECT),
];
/**
 * c0·x^n + ... + cn (`coefficients` highest degree first) by Estrin's scheme: neighbouring
 * terms combined pairwise with x, then x², x⁴, x⁸ (kept in scratch locals), so that the
 * dependency chain is about log₂ n multiply-adds long instead of Horner's n, which lets the
 * processor overlap the work (the loop handles one pair of lanes per iteration).
 */
function polynomial(x: number, coefficients: readonly number[], locals: SimdMathLocals): number[] {
  // Lowest degree first: terms[i] is the code of the coefficient of x^i at the current level.
  let terms = [...coefficients].reverse().map((coefficient) => f64Splat(coefficient));
  let power = x;
  const code: number[] = [];
  while (terms.length > 1) {
    const next: number[][] = [];
    for (let index = 0; index < terms.length; index += 2) {
      const high = terms[index + 1];
      next.push(high === undefined ? terms[index]! : add(terms[index]!, mul(high, g(power))));
    }
    terms = next;
    if (terms.length > 1) {
      const square = locals.temporary();
      code.push(...mul(g(power), g(power)), ...s(square));
      power = square;
    }
  }
  // The powers are computed first (into their locals), then the combined terms.
  return [...code, ...terms[0]!];
}

// fdlibm's split of ln 2: LN2_HIGH has 32 trailing zero bits, so k·LN2_HIGH is exact.
const LN2_HIGH = 6.9314718036912381649e-1;
const LN2_LOW = 1.90821492927058770002e-10;
const FACTORIALS = Array.from({ length: 14 }, (_, n) => {
  let product = 1;
  for (let factor = 2; factor <= n; factor++) product *= factor;
  return product;
});
// 1/13!, 1/12!, ..., 1/1!, 1/0!: eʳ's Taylor polynomial, highest degree first.
const EXP_TAYLOR = FACTORIALS.map((factorial) => 1 / factorial).reverse();

/**
 * Stores k = nearest(x·log₂e) and r = x − k·ln2 (x already clamped, in local `x`) into the
 * locals `k` and `r`.
 */
function reduce(x: number, k: number, r: number): number[] {
  return [
    ...mul(g(x), f64Splat(Math.LOG2E)),
    ...simd(F64X2_NEAREST),
    ...s(k),
    ...sub(sub(g(x), mul(g(k), f64Splat(LN2_HIGH))), mul(g(k), f64Splat(LN2_LOW))),
    ...s(r),
  ];
}

// Doubles of the form 1.5·2^52 + n hold the integer n in their low bits.
const INTEGER_MAGIC = 6755399441055744;
const INTEGER_MAGIC_BITS = 0x4338000000000000n;

/**
 * 2^e as doubles, for integer-valued doubles e within [−1022, 1023] (the code leaves them on
 * the stack): e + 1.5·2^52 holds e in its low bits, and (bits + 1023) << 52 keeps only e's
 * biased exponent (the magic's bits shift out). Only i64x2.add and shl, which x64 has as
 * single instructions (an i64 arithmetic right shift or a float-to-int conversion are
 * emulated with several).
 */
const powerOfTwo = (exponentCode: number[]) => [
  ...add(exponentCode, f64Splat(INTEGER_MAGIC)),
  ...i64Splat(1023n),
  ...simd(I64X2_ADD),
  ...op.i32Const(52),
  ...simd(I64X2_SHL),
];

/** The locals `half` = ⌊k/2⌋ and `rest` = k − ⌊k/2⌋ (doubles), from the f64x2 local k. */
function splitExponent(k: number, half: number, rest: number): number[] {
  return [...mul(g(k), f64Splat(0.5)), ...simd(F64X2_FLOOR), ...s(half), ...sub(g(k), g(half)), ...s(rest)];
}

/**
 * operand clamped to [low, high], NaN kept: pmax(x, low) = x < low ? low : x and pmin(x, high)
 * = high < x ? high : x are single instructions on x64 (min/max, which order NaN and ±0 as
 * IEEE, are not), and both keep a NaN x.
 */
const clamp = (operand: number[], low: number, high: number) => [
  ...operand,
  ...f64Splat(low),
  ...simd(F64X2_PMAX),
  ...f64Splat(high),
  ...simd(F64X2_PMIN),
];

const exponential: SimdMathEmitter = (operand, locals) => {
  const [x, k, r, half, rest] = temporaries(locals, 5);
  return [
    ...clamp(operand, -746, 710),
    ...s(x),
    ...reduce(x, k, r),
    ...splitExponent(k, half, rest),
    ...mul(mul(polynomial(r, EXP_TAYLOR, locals), powerOfTwo(g(half))), powerOfTwo(g(rest))),
  ];
};

const exponentialMinusOne: SimdMathEmitter = (operand, locals) => {
  const [value, x, k, r, half, rest] = temporaries(locals, 6);
  // q = eʳ − 1 = r·(1 + r/2 + ... + r^12/13!).
  const q = mul(polynomial(r, EXP_TAYLOR.slice(0, -1), locals), g(r));
  // 1/s1 = 2^−half.
  const inverseFirst = powerOfTwo(simdNegate(g(half)));
  const result = mul(powerOfTwo(g(half)), add(mul(powerOfTwo(g(rest)), q), sub(powerOfTwo(g(rest)), inverseFirst)));
  return [
    ...operand,
    ...s(value),
    ...clamp(g(value), -40, 710),
    ...s(x),
    ...reduce(x, k, r),
    ...splitExponent(k, half, rest),
    // ±0 keeps its sign (the formula gives −0 + 0 = +0 for −0).
    ...select(binary(g(value), f64Splat(0), F64X2_EQ), g(value), result),
  ];
};

// fdlibm e_log.c's minimax coefficients for (log(1+f) − 2s)/s in s² (|s| ≤ 0.1716).
const LG = [
  6.66666666666673513e-1, 3.999999999940941908e-1, 2.857142874366239149e-1, 2.222219843214978396e-1,
  1.818357216161805012e-1, 1.531383769920937332e-1, 1.479819860511658591e-1,
];
// The bits of √2/2: subtracting them puts the mantissa into [√2/2, √2).
const SQRT_HALF_BITS = 0x3fe6a09e667f3bcdn;
const EXPONENT_MASK = -(2n ** 52n); // 0xfff0000000000000
const SMALLEST_NORMAL = 2 ** -1022;

const logarithm: SimdMathEmitter = (operand, locals) => {
  const [x, tiny, scaled, k, f, sValue, z, w, hfsq, kf] = temporaries(locals, 10);
  const [lg1, lg2, lg3, lg4, lg5, lg6, lg7] = LG as [number, number, number, number, number, number, number];
  // R = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7))) + w·(Lg2 + w·(Lg4 + w·Lg6)), z = s², w = z².
  const odd = mul(g(z), polynomial(w, [lg7, lg5, lg3, lg1], locals));
  const even = mul(g(w), polynomial(w, [lg6, lg4, lg2], locals));
  const remainder = add(odd, even);
  const finite = [
    // kf·ln2_hi − ((hfsq − (s·(hfsq + R) + kf·ln2_lo)) − f)
    ...sub(
      mul(g(kf), f64Splat(LN2_HIGH)),
      sub(sub(g(hfsq), add(mul(g(sValue), add(g(hfsq), remainder)), mul(g(kf), f64Splat(LN2_LOW)))), g(f)),
    ),
  ];
  const positiveFinite = [
    ...binary(g(x), f64Splat(0), F64X2_GT),
    ...binary(g(x), f64Splat(Infinity), F64X2_LT),
    ...simd(V128_AND),
  ];
  const special = select(
    binary(g(x), f64Splat(0), F64X2_EQ),
    f64Splat(-Infinity),
    select(binary(g(x), f64Splat(0), F64X2_LT), f64Splat(NaN), g(x)),
  );
  return [
    ...operand,
    ...s(x),
    ...binary(g(x), f64Splat(SMALLEST_NORMAL), F64X2_LT),
    ...s(tiny),
    ...select(g(tiny), mul(g(x), f64Splat(2 ** 54)), g(x)),
    ...s(scaled),
    // tmp = bits − bits(√2/2); z = bits − (tmp & exponent mask) lies in [√2/2, √2); k = tmp >> 52
    // (arithmetic), read as ((tmp + 2^62) >>> 52) − 1024 so that a logical shift does.
    ...g(scaled),
    ...i64Splat(SQRT_HALF_BITS),
    ...simd(I64X2_SUB),
    ...s(k),
    ...g(scaled),
    ...g(k),
    ...i64Splat(EXPONENT_MASK),
    ...simd(V128_AND),
    ...simd(I64X2_SUB),
    ...f64Splat(1),
    ...simd(F64X2_SUB),
    ...s(f),
    // kf = k as a double (through the 1.5·2^52 magic), minus 54 for scaled subnormals.
    ...g(k),
    ...i64Splat(2n ** 62n),
    ...simd(I64X2_ADD),
    ...op.i32Const(52),
    ...simd(I64X2_SHR_U),
    ...i64Splat(INTEGER_MAGIC_BITS),
    ...simd(I64X2_ADD),
    ...f64Splat(INTEGER_MAGIC + 1024),
    ...simd(F64X2_SUB),
    ...select(g(tiny), f64Splat(-54), f64Splat(0)),
    ...simd(F64X2_ADD),
    ...s(kf),
    ...div(g(f), add(f64Splat(2), g(f))),
    ...s(sValue),
    ...mul(g(sValue), g(sValue)),
    ...s(z),
    ...mul(g(z), g(z)),
    ...s(w),
    ...mul(mul(f64Splat(0.5), g(f)), g(f)),
    ...s(hfsq),
    ...select(positiveFinite, finite, special),
  ];
};

const logarithmOnePlus: SimdMathEmitter = (operand, locals) => {
  const [x, u] = [locals.temporary(), locals.temporary()];
  // log(u)·x/(u − 1); x where u = 1 (tiny x, ±0 included) and where x = +∞ (∞/∞ otherwise).
  const general = mul(logarithm(g(u), locals), div(g(x), sub(g(u), f64Splat(1))));
  const exact = [
    ...binary(g(u), f64Splat(1), F64X2_EQ),
    ...binary(g(x), f64Splat(Infinity), F64X2_EQ),
    ...simd(V128_OR),
  ];
  return [...operand, ...s(x), ...add(g(x), f64Splat(1)), ...s(u), ...select(exact, g(x), general)];
};

const hyperbolicTangent: SimdMathEmitter = (operand, locals) => {
  const t = locals.temporary();
  return [
    ...exponentialMinusOne(mul(clamp(operand, -20, 20), f64Splat(2)), locals),
    ...s(t),
    ...div(g(t), add(g(t), f64Splat(2))),
  ];
};

// erf(x)/x as a polynomial in v = x²/2 − 1 for |x| < 2 (x² in [0, 4]), and erfcx(a) = e^(a²)·erfc(a)
// in u = (a − 4)/2 for a in [2, 6]: Chebyshev fits of degree 16 and 20 to SciPy's erf and erfcx
// at 300 Chebyshev nodes, converted to the power basis, highest degree first. Fit errors: below
// 2e-15 and 1.1e-14 relative; the second only enters as erfc ≤ 4.7e-3 in 1 − erfc.
const ERF_SMALL = [
  1.8152073395960355e-11, -1.482938633276524e-10, 1.1294094028819737e-9, -8.60250143753591e-9, 6.120357834248475e-8,
  -4.045255464302798e-7, 2.4757954813806677e-6, -1.3946263218583802e-5, 7.180101177503978e-5, -3.351435377657713e-4,
  1.4050914225945006e-3, -5.234875835192143e-3, 1.712834457201321e-2, -4.8662777449257524e-2, 0.1194791386098351,
  -0.2611118609312424, 0.6749332360396552,
];
const ERFCX_LARGE = [
  2.3668819577572657e-9, -6.7265182724943635e-9, 7.1292299099314425e-9, -2.0832570610224936e-8, 8.484059805721992e-8,
  -2.3273892742897905e-7, 6.014889268226125e-7, -1.6186510946602038e-6, 4.315531335946867e-6, -1.1275112697059468e-5,
  2.9011202675248577e-5, -7.352006724840372e-5, 1.8330785423557915e-4, -4.4932717619814637e-4, 1.0819615313970264e-3,
  -2.557084144527107e-3, 5.925639505312247e-3, -1.344945661517552e-2, 2.986173297986757e-2, -6.476701219002573e-2,
  0.13699945762506155,
];

const errorFunction: SimdMathEmitter = (operand, locals) => {
  const [x, v, magnitude, u] = temporaries(locals, 4);
  // |x| < 2: x·P(x²/2 − 1). Beyond: sign(x)·(1 − e^(−a²)·erfcx(a)), a = min(|x|, 6) (erf rounds
  // to ±1 from 5.9; pmin keeps NaN). Both are evaluated and one is selected per lane.
  const small = mul(g(x), polynomial(v, ERF_SMALL, locals));
  const large = sub(
    f64Splat(1),
    mul(exponential(simdNegate(mul(g(magnitude), g(magnitude))), locals), polynomial(u, ERFCX_LARGE, locals)),
  );
  const signed = select(binary(g(x), f64Splat(0), F64X2_LT), simdNegate(large), large);
  return [
    ...operand,
    ...s(x),
    ...sub(mul(mul(g(x), g(x)), f64Splat(0.5)), f64Splat(1)),
    ...s(v),
    ...g(x),
    ...simd(F64X2_ABS),
    ...f64Splat(6),
    ...simd(F64X2_PMIN),
    ...s(magnitude),
    ...sub(mul(g(magnitude), f64Splat(0.5)), f64Splat(2)),
    ...s(u),
    ...select([...g(x), ...simd(F64X2_ABS), ...f64Splat(2), ...simd(F64X2_LT)], small, signed),
  ];
};

// fdlibm's split of π/2 (e_rem_pio2.c): PIO2_1, PIO2_2 and PIO2_3 have 33 significant bits each,
// so n·PIO2_i is exact for integers |n| < 2^20; PIO2_3_TAIL is the next 53 bits.
const PIO2_1 = 1.57079632673412561417;
const PIO2_2 = 6.0771005063039659766e-11;
const PIO2_3 = 2.0222662487111664558e-21;
const PIO2_3_TAIL = 8.47842766036889956997e-32;
// fdlibm's k_sin.c and k_cos.c minimax coefficients on |r| ≤ π/4 (in z = r², highest degree first).
const SINE = [
  1.58969099521155010221e-10, -2.50507602534068634195e-8, 2.75573137070700676789e-6, -1.98412698298579493134e-4,
  8.33333333332248946124e-3, -1.66666666666666324348e-1,
];
const COSINE = [
  -1.13596475577881948265e-11, 2.0875723212981748279e-9, -2.75573143513906633035e-7, 2.48015872894767294178e-5,
  -1.38888888888741095749e-3, 4.16666666666666019037e-2,
];

/**
 * The largest |x| for which the inline sin and cos below are accurate: n = nearest(x·2/π) then
 * stays below 2^20, where the three-part Cody–Waite reduction is exact (see `sineOrCosine`).
 * (2^20 − 1/2)·π/2 = 1647098.3; beyond it the emitters return wrong values, so a kernel that
 * uses them must send such lanes elsewhere (an exact reduction needs Payne–Hanek).
 */
export const TRIGONOMETRY_ARGUMENT_BOUND = 1_647_098;

/**
 * The reduction of sin, cos and tan, fdlibm's method: stores n = nearest(x·2/π), r = x − n·π/2
 * (Cody–Waite with π/2 in three 33-bit parts and a tail) and z = r² into their locals, from the
 * argument in local `x` (|x| ≤ TRIGONOMETRY_ARGUMENT_BOUND; NaN for NaN and ±∞). Why it is
 * accurate to about one double ulp of r: each n·PIO2_i is exact; x − n·PIO2_1 is exact
 * (Sterbenz: both within a factor 2 for n ≠ 0); each further subtraction t − n·PIO2_i is exact
 * when the result is under half of t (Sterbenz again), and otherwise its rounding is at most one
 * ulp of the result; the tail term's error, n·2^−53·PIO2_3_TAIL < 1e-41, is far under an ulp of
 * the smallest |r| a double below the bound reaches.
 */
function reduceByQuarterTurns(x: number, n: number, r: number, z: number): number[] {
  return [
    ...mul(g(x), f64Splat(2 / Math.PI)),
    ...simd(F64X2_NEAREST),
    ...s(n),
    ...sub(
      sub(sub(sub(g(x), mul(g(n), f64Splat(PIO2_1))), mul(g(n), f64Splat(PIO2_2))), mul(g(n), f64Splat(PIO2_3))),
      mul(g(n), f64Splat(PIO2_3_TAIL)),
    ),
    ...s(r),
    ...mul(g(r), g(r)),
    ...s(z),
  ];
}

/** fdlibm's k_sin: sin r = r + r³·S(r²) for |r| ≤ π/4 (r and z = r² in locals). */
const sineOfReduced = (r: number, z: number, locals: SimdMathLocals) =>
  add(g(r), mul(mul(g(z), g(r)), polynomial(z, SINE, locals)));

/** fdlibm's k_cos: cos r = w + ((1 − w) − r²/2 + r⁴·C(r²)) with w = 1 − r²/2, for |r| ≤ π/4. */
function cosineOfReduced(z: number, locals: SimdMathLocals): number[] {
  const w = locals.temporary();
  const half = mul(g(z), f64Splat(0.5));
  return [
    ...sub(f64Splat(1), half),
    ...s(w),
    ...add(g(w), add(sub(sub(f64Splat(1), g(w)), half), mul(mul(g(z), g(z)), polynomial(z, COSINE, locals)))),
  ];
}

/** Mask of the lanes whose |x| is below 2^−27, where sin x and tan x round to x itself (as fdlibm; keeps −0 and subnormals). */
const belowSmallArgument = (x: number) => [...g(x), ...simd(F64X2_ABS), ...f64Splat(2 ** -27), ...simd(F64X2_LT)];

/** Mask of the lanes where the integer-valued double in `value` is odd (exact: value − 2·⌊value/2⌋ = 1). */
const isOdd = (value: number[]) =>
  binary(sub(value, mul([...mul(value, f64Splat(0.5)), ...simd(F64X2_FLOOR)], f64Splat(2))), f64Splat(1), F64X2_EQ);

/**
 * sin(x) or cos(x) for |x| ≤ TRIGONOMETRY_ARGUMENT_BOUND (NaN for NaN and ±∞): the reduction
 * above, fdlibm's kernels, and the quadrant n mod 4 (n + 1 for cos) picks ±sin r or ±cos r.
 */
const sineOrCosine =
  (cosine: boolean): SimdMathEmitter =>
  (operand, locals) => {
    const [x, n, r, z, quadrant] = temporaries(locals, 5);
    // quadrant = (n or n + 1) mod 4, exactly, as a double in {0, 1, 2, 3}.
    const shifted = cosine ? add(g(n), f64Splat(1)) : g(n);
    const magnitude = select(isOdd(g(quadrant)), cosineOfReduced(z, locals), sineOfReduced(r, z, locals));
    const signed = select(binary(g(quadrant), f64Splat(2), F64X2_GE), simdNegate(magnitude), magnitude);
    return [
      ...operand,
      ...s(x),
      ...reduceByQuarterTurns(x, n, r, z),
      ...sub(shifted, mul([...mul(shifted, f64Splat(0.25)), ...simd(F64X2_FLOOR)], f64Splat(4))),
      ...s(quadrant),
      ...(cosine ? signed : select(belowSmallArgument(x), g(x), signed)),
    ];
  };

/**
 * tan(x) for |x| ≤ TRIGONOMETRY_ARGUMENT_BOUND (NaN for NaN and ±∞): the same reduction, then
 * sin r / cos r for even n and −cos r / sin r for odd n (tan(r + π/2) = −1/tan r), as one
 * division of selected operands. Why not fdlibm's k_tan: its rational form needs the
 * reduction's tail and a second branch near π/4; the quotient of the two kernels (each under one
 * ulp) is within a few double ulps with no branch, and the argument error δr of the reduction
 * enters both forms alike, as δr/(sin r·cos r) relative, at most about 1.6 ulps on |r| ≤ π/4.
 * tan x is x itself for |x| < 2^−27 (x³/3 is under half an ulp of x there).
 */
const tangent: SimdMathEmitter = (operand, locals) => {
  const [x, n, r, z, sineValue, cosineValue, odd] = temporaries(locals, 7);
  return [
    ...operand,
    ...s(x),
    ...reduceByQuarterTurns(x, n, r, z),
    ...sineOfReduced(r, z, locals),
    ...s(sineValue),
    ...cosineOfReduced(z, locals),
    ...s(cosineValue),
    ...isOdd(g(n)),
    ...s(odd),
    ...select(
      belowSmallArgument(x),
      g(x),
      div(select(g(odd), simdNegate(g(cosineValue)), g(sineValue)), select(g(odd), g(sineValue), g(cosineValue))),
    ),
  ];
};

/**
 * sin, cos and tan, accurate only for |x| ≤ {@link TRIGONOMETRY_ARGUMENT_BOUND} (wrong beyond
 * it, NaN for NaN and ±∞), so not in {@link SIMD_MATH}: a kernel may use them only with a way
 * to compute out-of-range lanes exactly (see docs/tensor.md).
 */
export const SIMD_BOUNDED_TRIGONOMETRY: Readonly<Record<TrigonometricFunction, SimdMathEmitter>> = {
  sin: withLocals(sineOrCosine(false)),
  cos: withLocals(sineOrCosine(true)),
  tan: withLocals(tangent),
};

/**
 * sin, cos or tan for every double: the inline version above, and where a lane's |x| exceeds
 * TRIGONOMETRY_ARGUMENT_BOUND (±∞ included), that lane from the imported Math.sin, Math.cos or
 * Math.tan (correctly reduced for any double), so that no lane is wrong. Only a pair with such
 * a lane takes the branch (v128.any_true); float32 inputs in the bound never do.
 */
const trigonometry =
  (name: TrigonometricFunction): SimdMathEmitter =>
  (operand, locals) => {
    if (!locals.importedFunction) throw new Error(`simd-math: ${name} needs locals.importedFunction (Math.${name})`);
    const callee = locals.importedFunction(name);
    const [x, result, outside] = temporaries(locals, 3);
    // Lane `index` of the v128 on the stack replaced by Math.f(lane `index` of x).
    const lane = (index: number) => [
      ...g(x),
      ...simd(F64X2_EXTRACT_LANE),
      index,
      ...op.call(callee),
      ...simd(F64X2_REPLACE_LANE),
      index,
    ];
    return [
      ...operand,
      ...s(x),
      ...SIMD_BOUNDED_TRIGONOMETRY[name](g(x), locals),
      ...s(result),
      ...g(x),
      ...simd(F64X2_ABS),
      ...f64Splat(TRIGONOMETRY_ARGUMENT_BOUND),
      ...simd(F64X2_GT),
      ...s(outside),
      ...g(outside),
      ...simd(V128_ANY_TRUE),
      ...op.if(),
      ...select(g(outside), [...g(x), ...lane(0), ...lane(1)], g(result)),
      ...s(result),
      ...op.end(),
      ...g(result),
    ];
  };

/** The unary functions with an inline SIMD implementation, by name. */
export const SIMD_MATH: Partial<Record<UnaryFunction, SimdMathEmitter>> = {
  exp: withLocals(exponential),
  expm1: withLocals(exponentialMinusOne),
  log: withLocals(logarithm),
  log1p: withLocals(logarithmOnePlus),
  tanh: withLocals(hyperbolicTangent),
  erf: withLocals(errorFunction),
  sin: withLocals(trigonometry('sin')),
  cos: withLocals(trigonometry('cos')),
  tan: withLocals(trigonometry('tan')),
};

/**
 * pow(x, y) with ECMAScript's Math.pow semantics in every special case: |x|^y as
 * exp(y·log|x|) with the inline double exp and log above, then the sign and the exceptions.
 *
 * Why this is accurate enough: the log is within 2 double ulps (relative 2^−52), so
 * t = y·log|x| carries an absolute error of about (2 + ½)·2^−53·|t| plus its own rounding, and
 * exp turns an absolute error δ of t into the relative error δ of the result (plus exp's own
 * 3 ulps). For a float32 result |t| ≤ 104 (beyond it the result is 0 or ∞ in float32), so the
 * relative error stays below about 2^−44, against the 2^−24 of a float32 rounding: the result is
 * within one float32 ulp of Math.fround(Math.pow(x, y)) and equal to it unless the exact value
 * lies within 2^−44 (relative) of a rounding boundary. In double precision the error grows with
 * |t| (stated 4 + 2.5·|t| double ulps, measured 943 at |t| = 670; |t| ≤ 745 for finite nonzero
 * doubles), which simd-power.test.ts checks; a double-double log would be needed to bring it to
 * a few ulps, and float32 results do not need it.
 *
 * The special cases come mostly from the IEEE operations themselves: log of ±0 is −∞ and of ∞
 * is ∞, y·∓∞ and exp(±∞) give ∞ or 0, ∞·0 is NaN (JavaScript's pow(±1, ±∞) is NaN, unlike C's
 * 1), NaN propagates (pow(1, NaN) is NaN in JavaScript). Selected explicitly: the sign (negative
 * when x's sign bit is set and y is an odd integer, so (−0)^3 = −0 and (−∞)^−3 = −0), NaN for a
 * negative finite x with a non-integer y (not for −∞ or −0, whose results are ±∞ or ±0), and 1
 * for y = ±0 whatever x is (NaN included).
 *
 * y = 1, −1, 2 and ½ (x ≥ 0) take fdlibm's shortcuts x, 1/x, x·x and √x, as V8's Math.pow does
 * on Node 20 (its fdlibm port): those results are correctly rounded and equal the JavaScript
 * loop's bit for bit there (Node 24's V8 computes pow(x, −1) by its general algorithm, which
 * can differ from 1/x in the last double bit), and a pair whose lanes all take a shortcut skips
 * the log and exp (V8's loop is fast there too: pow(x, ½) ran 0.39× of the loop before the
 * shortcuts).
 */
const power: SimdBinaryMathEmitter = (left, right, locals) => {
  const [x, y, integer, half, result, shortcut] = temporaries(locals, 6);
  const magnitude = exponential(mul(g(y), logarithm([...g(x), ...simd(F64X2_ABS)], locals)), locals);
  // y odd: an integer whose half is not one (±∞ and |y| ≥ 2^53 are even integers here).
  const odd = [...g(integer), ...binary([...g(half), ...simd(F64X2_TRUNC)], g(half), F64X2_NE), ...simd(V128_AND)];
  // The magnitude with its sign bit flipped where x's sign bit is set and y is odd.
  const signed = [
    ...magnitude,
    ...g(x),
    ...i64Splat(-(2n ** 63n)),
    ...simd(V128_AND),
    ...odd,
    ...simd(V128_AND),
    ...simd(V128_XOR),
  ];
  const negativeFinite = [
    ...binary(g(x), f64Splat(0), F64X2_LT),
    ...binary(g(x), f64Splat(-Infinity), F64X2_GT),
    ...simd(V128_AND),
  ];
  const notIntegerPower = [...negativeFinite, ...g(integer), ...simd(V128_NOT), ...simd(V128_AND)];
  const general = [
    ...binary([...g(y), ...simd(F64X2_TRUNC)], g(y), F64X2_EQ),
    ...s(integer),
    ...mul(g(y), f64Splat(0.5)),
    ...s(half),
    ...select(binary(g(y), f64Splat(0), F64X2_EQ), f64Splat(1), select(notIntegerPower, f64Splat(NaN), signed)),
  ];
  // fdlibm's (and so V8's) exact shortcuts: y = 1 → x, y = −1 → 1/x, y = 2 → x·x, y = ½ with
  // x ≥ 0 → √x (+ 0 turns √−0 = −0 into +0, as pow(−0, ½) = +0). −∞ and NaN bases with y = ½
  // take the general path (pow(−∞, ½) = +∞, not √−∞ = NaN).
  const is = (value: number) => binary(g(y), f64Splat(value), F64X2_EQ);
  const squareRootLane = [...is(0.5), ...binary(g(x), f64Splat(0), F64X2_GE), ...simd(V128_AND)];
  const shortcutValue = select(
    is(1),
    g(x),
    select(
      is(-1),
      div(f64Splat(1), g(x)),
      select(is(2), mul(g(x), g(x)), add([...g(x), ...simd(F64X2_SQRT)], f64Splat(0))),
    ),
  );
  return [
    ...left,
    ...s(x),
    ...right,
    ...s(y),
    ...is(1),
    ...is(-1),
    ...simd(V128_OR),
    ...is(2),
    ...simd(V128_OR),
    ...squareRootLane,
    ...simd(V128_OR),
    ...s(shortcut),
    // Each path only where a lane needs it: the shortcuts alone when every lane takes one (a
    // scalar exponent of 2 or ½), else the general path, and the shortcut values on top only
    // for a pair that mixes both (a tensor of exponents rarely holds ±1, 2 or ½).
    ...g(shortcut),
    ...simd(I64X2_ALL_TRUE),
    ...op.if(),
    ...shortcutValue,
    ...s(result),
    ...op.else(),
    ...general,
    ...s(result),
    ...g(shortcut),
    ...simd(V128_ANY_TRUE),
    ...op.if(),
    ...select(g(shortcut), shortcutValue, g(result)),
    ...s(result),
    ...op.end(),
    ...op.end(),
    ...g(result),
  ];
};

/** The binary functions with an inline SIMD implementation, by name. */
export const SIMD_BINARY_MATH: Partial<Record<BinaryFunction, SimdBinaryMathEmitter>> = {
  pow: withLocalsBinary(power),
};
