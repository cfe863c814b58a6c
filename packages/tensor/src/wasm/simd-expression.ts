/**
 * The WebAssembly SIMD target of the expression language: an expression becomes a function
 * `fused(in0, ..., out, pairs, s0, ...)` over `pairs` pairs of float32 elements.
 *
 * The expression is evaluated on f64x2 lanes: inputs are widened from float32 to float64,
 * every operation is the IEEE double operation JavaScript performs, and the result is rounded
 * to float32 once, as a Float32Array store does. The results therefore equal the JavaScript
 * loop's bit for bit (NaN payloads aside), except for the transcendental functions exp, expm1,
 * log, log1p, tanh, erf, sin, cos, tan and pow: they are inline double-precision approximations
 * (simd-math.ts), a few double ulps from V8's Math functions (erf: about 1e-13 from vaneErf;
 * pow: up to 4 + 2.5·|y·log x| ulps), so a result can differ by one float32 ulp where the exact
 * value lies that close to a float32 rounding boundary. Selects evaluate both branches and pick
 * per lane with the condition's mask (expressions have no side effects). `fround` rounds both
 * lanes to float32 and widens back exactly.
 *
 * Float32 operations run on f32x4 lanes, four elements per instruction: fround(a ∘ b) with ∘ one
 * of + − × ÷, and fround(√a), where a and b are float32 values (inputs, float32-exact
 * constants, frounds, and neg, abs, the roundings to integers, min, max and selects of such
 * values). The double operation
 * rounded once to float32 equals the float32 operation bit for bit (53 ≥ 2·24 + 2: double
 * rounding is innocuous for these operations), so the results stay the JavaScript loop's.
 * Comparisons of float32 values (exact in either width), and their and, or and not, run there
 * too, as 32-bit lane masks. Each root counts as fround(root) (its float32 store rounds it), so
 * p + u of two float32 inputs is one such operation, and relu's select(x > 0, x, 0) runs
 * wholly on f32x4. A kernel whose f32x4 instructions are at least as many as its other
 * operations (stepsOverQuads) steps over quads: its float32 values and masks live in f32x4
 * locals, every other operation runs on two f64x2 halves of the quad (elements 0–1 and 2–3),
 * widened from (promoted, masks sign-extended) and demoted to the quad where the two kinds meet;
 * an odd pair is done first, on the same code with 64-bit loads and stores. Other kernels step
 * over pairs as before. Why: an optimizer step written with float32 arithmetic (Adam's on
 * float32 leaves, `@vane/optim`) spends most of its instructions on arithmetic, which four lanes
 * halve; measured on the MLP's AdamW update (269k parameters, Node 20, one thread): 0.66 ms for
 * the float64 pass, 0.39 ms with float32 arithmetic. On 32768 elements (Node 24, one thread):
 * relu 22 → 8 µs, its gradient select(y > 0, g, 0) 20 → 8 µs, p + u 17 → 10 µs.
 *
 * Operations that read no input (1 − β, fround(β) of a scalar β) are computed once, before
 * the loop.
 *
 * sin, cos and tan beyond |x| = 1647098 call the module's imported Math.sin/cos/tan for those
 * lanes (`env.sin`, `env.cos`, `env.tan`: SIMD_MATH_IMPORTS, which every instantiation
 * provides). Every function of the expression language compiles; a function added to the
 * language without a SIMD implementation would make the expression unsupported
 * ({@link compileSimdExpression} says which, and the caller counts the fallback), and tests
 * reach that path with {@link refuseSimdFunctionsForTesting}.
 */
import { inlineCalls, postOrder, referenceCounts, usage } from '../kernels/expression/analysis.js';
import { deduplicate } from '../kernels/expression/deduplicate.js';
import {
  children,
  type BinaryFunction,
  type Comparison,
  type Expression,
  type NumberExpression,
  type UnaryFunction,
} from '../kernels/expression/expression.js';
import { SIMD_BINARY_MATH, SIMD_MATH, type TrigonometricFunction } from './simd-math.js';
import { op, ValueType, type FunctionDefinition } from './wasm-encoder.js';

// SIMD opcodes used here (WebAssembly SIMD specification numbering).
const V128_CONST = 0x0c;
const F64X2_SPLAT = 0x14;
const V128_NOT = 0x4d;
const V128_AND = 0x4e;
const V128_OR = 0x50;
const V128_BITSELECT = 0x52;
const V128_STORE64_LANE = 0x5b;
const V128_LOAD64_ZERO = 0x5d;
const F32X4_DEMOTE_F64X2_ZERO = 0x5e;
const F64X2_PROMOTE_LOW_F32X4 = 0x5f;
const F64X2_COMPARE: Record<Comparison, number> = {
  equal: 0x47,
  notEqual: 0x48,
  less: 0x49,
  greater: 0x4a,
  lessEqual: 0x4b,
  greaterEqual: 0x4c,
};
// f64x2.nearest (0x94) rounds half to even, exactly as vaneRoundHalfEven.
const F64X2_UNARY: Partial<Record<UnaryFunction, number>> = {
  ceil: 0x74,
  floor: 0x75,
  trunc: 0x7a,
  roundHalfEven: 0x94,
  abs: 0xec,
  neg: 0xed,
  sqrt: 0xef,
};
const F64X2_BINARY: Partial<Record<BinaryFunction, number>> = {
  add: 0xf0,
  sub: 0xf1,
  mul: 0xf2,
  div: 0xf3,
  min: 0xf4,
  max: 0xf5,
};

// Quad kernels (float32 operations on f32x4 lanes, see the file comment).
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const I8X16_SHUFFLE = 0x0d;
const F32X4_SQRT = 0xe3;
const F32X4_BINARY: Partial<Record<BinaryFunction, number>> = { add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7 };
// Rounding to an integer: a float32 value's integer is a float32, the same in either width.
const F32X4_UNARY: Partial<Record<UnaryFunction, number>> = {
  ceil: 0x67,
  floor: 0x68,
  trunc: 0x69,
  roundHalfEven: 0x6a,
  abs: 0xe0,
  neg: 0xe1,
};
const F32X4_MIN = 0xe8;
const F32X4_MAX = 0xe9;
const F32X4_COMPARE: Record<Comparison, number> = {
  equal: 0x41,
  notEqual: 0x42,
  less: 0x43,
  greater: 0x44,
  lessEqual: 0x45,
  greaterEqual: 0x46,
};
const I64X2_EXTEND_LOW_I32X4_S = 0xc7;
const I64X2_EXTEND_HIGH_I32X4_S = 0xc8;
const I32_AND = 0x71;
const I32_SHR_U = 0x76;
/** Shuffle lanes: bytes 8..15 of the first operand twice (its f32 lanes 2, 3 moved to 0, 1). */
const HIGH_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** Shuffle lanes: the low 8 bytes of each operand (two demoted halves joined into one quad). */
const LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * What the f32x4 lanes compute exactly as the JavaScript loop's doubles. `values`: inputs
 * (float32 tensors), float32-exact constants, any fround (of an operation on such values it is
 * the f32x4 operation, see {@link float32Operation}; of anything else a demotion), and neg,
 * abs, floor, ceil, trunc, roundHalfEven, min, max and select of such values (exact in either
 * width). `masks`: comparisons of such
 * values (exact in either width), and, or and not of those, as 32-bit lane masks.
 */
function float32Lanes(order: readonly Expression[]): { values: Set<Expression>; masks: Set<Expression> } {
  const values = new Set<Expression>();
  const masks = new Set<Expression>();
  for (const node of order) {
    switch (node.kind) {
      case 'input':
        values.add(node);
        break;
      case 'constant':
        if (Math.fround(node.value) === node.value || Number.isNaN(node.value)) values.add(node);
        break;
      case 'unary':
        if (node.function === 'fround' || (F32X4_UNARY[node.function] !== undefined && values.has(node.operand)))
          values.add(node);
        break;
      case 'binary':
        if ((node.function === 'min' || node.function === 'max') && values.has(node.left) && values.has(node.right))
          values.add(node);
        break;
      case 'select':
        if (masks.has(node.condition) && values.has(node.whenTrue) && values.has(node.whenFalse)) values.add(node);
        break;
      case 'compare':
        if (values.has(node.left) && values.has(node.right)) masks.add(node);
        break;
      case 'logical':
        if (masks.has(node.left) && masks.has(node.right)) masks.add(node);
        break;
      case 'not':
        if (masks.has(node.operand)) masks.add(node);
        break;
    }
  }
  return { values, masks };
}

/**
 * Whether `node` is an instruction on f32x4 lanes (not an input, a constant, nor an fround that
 * only reads a float32 value or demotes a double): what makes a kernel step over quads.
 */
function narrowInstruction(node: Expression, values: ReadonlySet<Expression>, masks: ReadonlySet<Expression>): boolean {
  if (masks.has(node)) return true;
  if (!values.has(node) || node.kind === 'input' || node.kind === 'constant') return false;
  return node.kind !== 'unary' || node.function !== 'fround' || float32Operation(node, values) !== undefined;
}

/**
 * The f32x4 instruction and operands that compute `node` where it is fround(a ∘ b) with ∘ one of
 * + − × ÷, or fround(√a), over float32 values a, b (`lanes`): the double result rounded once to
 * float32 equals the float32 operation's, since 53 ≥ 2·24 + 2 (Figueroa, "When is double
 * rounding innocuous?", 1995). Undefined for any other node.
 */
function float32Operation(
  node: Expression,
  lanes: ReadonlySet<Expression>,
): { instruction: number; operands: Expression[] } | undefined {
  if (node.kind !== 'unary' || node.function !== 'fround') return undefined;
  const inner = node.operand;
  if (inner.kind === 'binary') {
    const instruction = F32X4_BINARY[inner.function];
    if (instruction !== undefined && lanes.has(inner.left) && lanes.has(inner.right))
      return { instruction, operands: [inner.left, inner.right] };
  }
  if (inner.kind === 'unary' && inner.function === 'sqrt' && lanes.has(inner.operand))
    return { instruction: F32X4_SQRT, operands: [inner.operand] };
  return undefined;
}

/** The operations that read no input (computed once, before the loop); leaves are not listed. */
function loopInvariants(order: readonly Expression[]): Set<Expression> {
  const varying = new Set<Expression>();
  const invariant = new Set<Expression>();
  for (const node of order) {
    if (node.kind === 'input' || children(node).some((child) => varying.has(child))) varying.add(node);
    else if (node.kind !== 'scalar' && node.kind !== 'constant') invariant.add(node);
  }
  return invariant;
}

/** The operations computed only as the operand of one float32 operation (a + b of fround(a + b)). */
function narrowOnlyOperations(
  order: readonly Expression[],
  counts: ReadonlyMap<Expression, number>,
  values: ReadonlySet<Expression>,
): Set<Expression> {
  const narrowOnly = new Set<Expression>();
  for (const node of order)
    if (node.kind === 'unary' && float32Operation(node, values) !== undefined && counts.get(node.operand) === 1)
      narrowOnly.add(node.operand);
  return narrowOnly;
}

/**
 * Whether a kernel steps over quads: where it has f32x4 instructions and they are at least as
 * many as the operations left on f64x2 lanes (a function of simd-math.ts counted as 8), which a
 * quad runs twice. Why: a kernel of mostly double arithmetic gains nothing from its few f32x4
 * instructions and pays the conversions (sigmoid, one neg beside an exp, measured 4–14% slower).
 */
function stepsOverQuads(
  order: readonly Expression[],
  counts: ReadonlyMap<Expression, number>,
  invariant: ReadonlySet<Expression>,
  values: ReadonlySet<Expression>,
  masks: ReadonlySet<Expression>,
): boolean {
  const narrowOnly = narrowOnlyOperations(order, counts, values);
  let narrow = 0;
  let wide = 0;
  for (const node of order) {
    if (invariant.has(node) || narrowOnly.has(node) || node.kind === 'input') continue;
    if (node.kind === 'scalar' || node.kind === 'constant') continue;
    if (narrowInstruction(node, values, masks)) narrow++;
    else if (!values.has(node) && !masks.has(node)) {
      const heavy =
        (node.kind === 'unary' && SIMD_MATH[node.function] !== undefined) ||
        (node.kind === 'binary' && SIMD_BINARY_MATH[node.function] !== undefined);
      wide += heavy ? 8 : 1;
    }
  }
  return narrow > 0 && narrow >= wide;
}

/**
 * The float32 values and masks (`lanes`, `masks`) that an f64x2 operation of the loop reads: their widened halves
 * are kept in locals when they have locals (inputs, shared values). An operation is evaluated on
 * f64x2 lanes unless it is only the operand of one float32 operation.
 */
function wideUses(
  order: readonly Expression[],
  counts: ReadonlyMap<Expression, number>,
  lanes: ReadonlySet<Expression>,
  masks: ReadonlySet<Expression>,
  invariant: ReadonlySet<Expression>,
): Set<Expression> {
  const narrowOnly = narrowOnlyOperations(order, counts, lanes);
  const wide = new Set<Expression>();
  for (const node of order) {
    if (lanes.has(node) || masks.has(node) || invariant.has(node) || narrowOnly.has(node)) continue;
    for (const child of children(node)) if (lanes.has(child) || masks.has(child)) wide.add(child);
  }
  return wide;
}

/** fround(root): what a float32 store keeps of `root` (itself when it is an fround already). */
function storedValue(root: NumberExpression): NumberExpression {
  if (root.kind === 'unary' && root.function === 'fround') return root;
  return { type: 'number', kind: 'unary', function: 'fround', operand: root };
}

const f64Const = (value: number) => [0x44, ...new Uint8Array(new Float64Array([value]).buffer)];

/** A compiled expression, or why it cannot be compiled. */
export type SimdExpressionResult =
  | { readonly definition: FunctionDefinition; readonly inputsRead: readonly boolean[] }
  | { readonly unsupported: string };

// Functions the compiler treats as having no SIMD implementation (refuseSimdFunctionsForTesting).
const refusedForTesting = new Set<UnaryFunction | BinaryFunction | Comparison>();
let generation = 0;

/**
 * A number that changes whenever what the compiler accepts changes (only
 * {@link refuseSimdFunctionsForTesting} changes it), so that caches of compiled kernels
 * (simd-fused.ts, simd-fused-many.ts) can tell a stale entry.
 *
 * @example
 * if (cached.generation !== simdCompilerGeneration()) recompile();
 */
export function simdCompilerGeneration(): number {
  return generation;
}

/**
 * Test support: until the returned function is called, the compiler refuses `functions` (unary
 * and binary functions, and comparisons such as `greater`) as if they had no SIMD
 * implementation, so that tests of the fallback path (the JavaScript loop, the
 * kernelInfo().fallbacks count, fusedMapMany's separate passes) still have a kernel that falls
 * back now that every function compiles. Compiled kernels cached before are compiled again
 * (see {@link simdCompilerGeneration}), both when the refusal starts and when it ends.
 *
 * @example
 * const restore = refuseSimdFunctionsForTesting(['tan']);
 * try { fusedMap(tangentKernel, [x]); } finally { restore(); }
 */
export function refuseSimdFunctionsForTesting(
  functions: readonly (UnaryFunction | BinaryFunction | Comparison)[],
): () => void {
  const added = functions.filter((name) => !refusedForTesting.has(name));
  for (const name of added) refusedForTesting.add(name);
  generation++;
  return () => {
    for (const name of added) refusedForTesting.delete(name);
    generation++;
  };
}

function unsupportedReason(root: Expression): string | undefined {
  for (const node of postOrder(root)) {
    if (node.kind === 'compare' && refusedForTesting.has(node.comparison))
      return `'${node.comparison}' has no WebAssembly SIMD implementation`;
    if (node.kind !== 'unary' && node.kind !== 'binary') continue;
    const implemented =
      node.kind === 'unary'
        ? node.function === 'fround' ||
          F64X2_UNARY[node.function] !== undefined ||
          SIMD_MATH[node.function] !== undefined
        : F64X2_BINARY[node.function] !== undefined || SIMD_BINARY_MATH[node.function] !== undefined;
    if (!implemented || refusedForTesting.has(node.function))
      return `'${node.function}' has no WebAssembly SIMD implementation`;
  }
  return undefined;
}

/**
 * The SIMD function of `expression` for a kernel of `arity` inputs and `scalarCount` scalars,
 * or the reason it has none.
 *
 * @example
 * compileSimdExpression(mul(input(0), scalar(0)), 1, 1) // { definition, inputsRead: [true] }
 */
export function compileSimdExpression(
  expression: NumberExpression,
  arity: number,
  scalarCount: number,
): SimdExpressionResult {
  return compileSimdExpressions([expression], arity, scalarCount);
}

/**
 * The roots with structurally equal subtrees merged ACROSS roots: deduplicated as one tree
 * (a chain of adds holding them) and taken apart again.
 */
function deduplicateTogether(roots: readonly NumberExpression[]): NumberExpression[] {
  if (roots.length === 1) return [deduplicate(inlineCalls(roots[0]!))];
  let holder: NumberExpression = inlineCalls(roots[roots.length - 1]!);
  for (let index = roots.length - 2; index >= 0; index--)
    holder = { type: 'number', kind: 'binary', function: 'add', left: inlineCalls(roots[index]!), right: holder };
  let node = deduplicate(holder);
  const result: NumberExpression[] = [];
  for (let index = 0; index < roots.length - 1; index++) {
    if (node.kind !== 'binary') throw new Error('deduplicateTogether: the holder chain was not kept');
    result.push(node.left);
    node = node.right;
  }
  result.push(node);
  return result;
}

/**
 * The function `fused(in0, ..., out0, ..., pairs, s0, ...)` that evaluates every expression of
 * `expressions` in one pass (one store per output; subtrees shared between outputs evaluated
 * once), or the reason the first refused expression has none. With one expression it is the
 * single-output kernel of {@link compileSimdExpression}.
 *
 * @example
 * compileSimdExpressions([nextFirstMoment, nextSecondMoment], 3, 2) // { definition, inputsRead }
 */
export function compileSimdExpressions(
  expressions: readonly NumberExpression[],
  arity: number,
  scalarCount: number,
): SimdExpressionResult {
  // Equal subtrees merged, so that each is evaluated once (sigmoid's exp(x), say). Each root is
  // held as fround(root), what its float32 store makes of it, so that a root that is an
  // operation on float32 values is that f32x4 operation (p + u: one f32x4.add).
  const roots = deduplicateTogether(expressions.map(storedValue));
  for (const root of roots) {
    const reason = unsupportedReason(root);
    if (reason) return { unsupported: reason };
  }
  const outputs = roots.length;
  const read = Array.from({ length: arity }, () => false);
  for (const root of roots) usage(root).inputsRead.forEach((used, index) => (read[index] ||= used));
  // i32 parameters: inputs, outputs, pairs; then the f64 scalars.
  const firstOut = arity;
  const pairs = arity + outputs;
  const firstScalar = pairs + 1;
  const firstValue = firstScalar + scalarCount;
  // All roots under one counting pass, so that a node used by two outputs is shared.
  const counts = new Map<Expression, number>();
  const order: Expression[] = [];
  const seen = new Set<Expression>();
  for (const root of roots) {
    for (const [node, count] of referenceCounts(root)) counts.set(node, (counts.get(node) ?? 0) + count);
    for (const node of postOrder(root))
      if (!seen.has(node)) {
        seen.add(node);
        order.push(node);
      }
  }
  // Operations that read no input (1 − β, fround(β), ...) are computed once, before the loop.
  const invariant = loopInvariants(order);
  const candidates = float32Lanes(order);
  const quads = stepsOverQuads(order, counts, invariant, candidates.values, candidates.masks);
  // A pair kernel has every value on f64x2 lanes, a pair per step, as before.
  const lanes = quads ? candidates.values : new Set<Expression>();
  const masks = quads ? candidates.masks : new Set<Expression>();
  const isNarrow = (node: Expression) => lanes.has(node) || masks.has(node);
  // v128 locals: inputs, scalars, then the rest as they are asked for.
  let nextLocal = firstValue + arity + scalarCount;
  const newLocal = () => nextLocal++;
  const constants = new Map<string, { local: number; lanes: readonly number[] }>();
  // Imported Math functions (sin, cos and tan beyond their reduction's bound, simd-math.ts).
  const imports: TrigonometricFunction[] = [];
  const locals = {
    importedFunction: (name: TrigonometricFunction) => {
      if (!imports.includes(name)) imports.push(name);
      return imports.indexOf(name);
    },
    temporary: newLocal,
    constant: (bytes: readonly number[]) => {
      const key = bytes.join(',');
      let entry = constants.get(key);
      if (!entry) constants.set(key, (entry = { local: newLocal(), lanes: bytes }));
      return entry.local;
    },
  };
  const isLeaf = (node: Expression) => node.kind === 'input' || node.kind === 'scalar' || node.kind === 'constant';
  // Loop-invariant operations: one local each (float32 lanes: also their f64x2 widening).
  const hoisted = new Map<Expression, { wide: number; narrow?: number }>();
  // Nodes used more than once: a local per f64x2 half, or one f32x4 local (and its widened
  // halves where an f64x2 operation reads it).
  const shared = new Map<Expression, { halves?: [number, number]; narrow?: number; wide?: [number, number] }>();
  const widened = wideUses(order, counts, lanes, masks, invariant);
  // A root referenced by several roots' counts would double count its own subtree; that only
  // makes it shared (one local more), never wrong.
  for (const node of order) {
    if (isLeaf(node) && node.kind !== 'input') continue;
    if (invariant.has(node)) hoisted.set(node, { wide: newLocal(), narrow: isNarrow(node) ? newLocal() : undefined });
    else if (node.kind === 'input') {
      // The input's own local: its f32x4 quad, or (pair kernels) its widened pair.
      const own = firstValue + node.index;
      shared.set(
        node,
        quads ? { narrow: own, wide: widened.has(node) ? [newLocal(), newLocal()] : undefined } : { wide: [own, own] },
      );
    } else if ((counts.get(node) ?? 0) > 1) {
      if (isNarrow(node))
        shared.set(node, { narrow: newLocal(), wide: widened.has(node) ? [newLocal(), newLocal()] : undefined });
      else {
        const low = newLocal();
        shared.set(node, { halves: [low, quads ? newLocal() : low] });
      }
    }
  }
  // Code is emitted for a quad (4 elements: f32x4 lanes, or two f64x2 halves) or for a pair
  // (the odd pair of a quad kernel, or every step of a pair kernel: half 0 only, f32x4 lanes
  // 2 and 3 are zero and unused).
  let pairStep = !quads;
  // A narrow value's f64x2 half: float32 lanes promoted, 32-bit masks sign-extended to 64 bits.
  const widen = (narrow: number[], half: 0 | 1, mask = false): number[] => {
    if (mask) return [...narrow, ...op.simd(half === 0 ? I64X2_EXTEND_LOW_I32X4_S : I64X2_EXTEND_HIGH_I32X4_S)];
    if (half === 0) return [...narrow, ...op.simd(F64X2_PROMOTE_LOW_F32X4)];
    const spare = locals.temporary();
    return [
      ...narrow,
      ...op.localTee(spare),
      ...op.localGet(spare),
      ...op.simd(I8X16_SHUFFLE, ...HIGH_LANES),
      ...op.simd(F64X2_PROMOTE_LOW_F32X4),
    ];
  };
  const emitNarrow = (node: Expression, defining = false): number[] => {
    const hoist = hoisted.get(node);
    if (hoist?.narrow !== undefined && !defining) return op.localGet(hoist.narrow);
    const local = shared.get(node)?.narrow;
    if (local !== undefined && !defining) return op.localGet(local);
    switch (node.kind) {
      case 'constant':
        return op.localGet(locals.constant([...new Uint8Array(new Float32Array(4).fill(node.value).buffer)]));
      case 'compare':
        return [...emitNarrow(node.left), ...emitNarrow(node.right), ...op.simd(F32X4_COMPARE[node.comparison])];
      case 'logical':
        return [
          ...emitNarrow(node.left),
          ...emitNarrow(node.right),
          ...op.simd(node.operator === 'and' ? V128_AND : V128_OR),
        ];
      case 'not':
        return [...emitNarrow(node.operand), ...op.simd(V128_NOT)];
      case 'select':
        return [
          ...emitNarrow(node.whenTrue),
          ...emitNarrow(node.whenFalse),
          ...emitNarrow(node.condition),
          ...op.simd(V128_BITSELECT),
        ];
      case 'binary':
        if (node.function === 'min' || node.function === 'max')
          return [
            ...emitNarrow(node.left),
            ...emitNarrow(node.right),
            ...op.simd(node.function === 'min' ? F32X4_MIN : F32X4_MAX),
          ];
        break;
      case 'unary': {
        const instruction = F32X4_UNARY[node.function];
        if (instruction !== undefined) return [...emitNarrow(node.operand), ...op.simd(instruction)];
        if (node.function !== 'fround') break;
        const operand = node.operand;
        if (lanes.has(operand)) return emitNarrow(operand);
        const operation = float32Operation(node, lanes);
        if (operation !== undefined)
          return [...operation.operands.flatMap((child) => emitNarrow(child)), ...op.simd(operation.instruction)];
        const low = [...emitWide(operand, 0), ...op.simd(F32X4_DEMOTE_F64X2_ZERO)];
        if (pairStep) return low;
        return [
          ...low,
          ...emitWide(operand, 1),
          ...op.simd(F32X4_DEMOTE_F64X2_ZERO),
          ...op.simd(I8X16_SHUFFLE, ...LOW_HALVES),
        ];
      }
    }
    throw new Error(`compileSimdExpressions: a ${node.kind} node has no float32 lanes`);
  };
  const emitWide = (node: Expression, half: 0 | 1, defining = false): number[] => {
    const hoist = hoisted.get(node);
    if (hoist !== undefined && !defining) return op.localGet(hoist.wide);
    const entry = shared.get(node);
    if (entry?.halves !== undefined && !defining) return op.localGet(entry.halves[half]);
    if (entry?.wide !== undefined) return op.localGet(entry.wide[half]);
    if (masks.has(node)) return widen(emitNarrow(node), half, true);
    if (lanes.has(node) && node.kind !== 'constant') return widen(emitNarrow(node), half);
    switch (node.kind) {
      case 'input':
        throw new Error('compileSimdExpressions: inputs are loaded before use');
      case 'scalar':
        return op.localGet(firstValue + arity + node.index);
      case 'constant':
        return [...f64Const(node.value), ...op.simd(F64X2_SPLAT)];
      case 'unary': {
        // fround on a pair kernel's f64x2 lanes: to float32 and back, exactly.
        if (node.function === 'fround')
          return [
            ...emitWide(node.operand, half),
            ...op.simd(F32X4_DEMOTE_F64X2_ZERO),
            ...op.simd(F64X2_PROMOTE_LOW_F32X4),
          ];
        const instruction = F64X2_UNARY[node.function];
        if (instruction !== undefined) return [...emitWide(node.operand, half), ...op.simd(instruction)];
        return SIMD_MATH[node.function]!(emitWide(node.operand, half), locals);
      }
      case 'binary': {
        const instruction = F64X2_BINARY[node.function];
        if (instruction !== undefined)
          return [...emitWide(node.left, half), ...emitWide(node.right, half), ...op.simd(instruction)];
        return SIMD_BINARY_MATH[node.function]!(emitWide(node.left, half), emitWide(node.right, half), locals);
      }
      case 'compare':
        return [
          ...emitWide(node.left, half),
          ...emitWide(node.right, half),
          ...op.simd(F64X2_COMPARE[node.comparison]),
        ];
      case 'logical':
        return [
          ...emitWide(node.left, half),
          ...emitWide(node.right, half),
          ...op.simd(node.operator === 'and' ? V128_AND : V128_OR),
        ];
      case 'not':
        return [...emitWide(node.operand, half), ...op.simd(V128_NOT)];
      case 'select':
        return [
          ...emitWide(node.whenTrue, half),
          ...emitWide(node.whenFalse, half),
          ...emitWide(node.condition, half),
          ...op.simd(V128_BITSELECT),
        ];
      case 'call':
        throw new Error('compileSimdExpressions: calls are inlined first');
    }
  };
  const halves = (): (0 | 1)[] => (pairStep ? [0] : [0, 1]);
  const step = (bytes: number) => {
    const advance = (pointer: number) => [
      ...op.localGet(pointer),
      ...op.i32Const(bytes),
      ...op.i32Add(),
      ...op.localSet(pointer),
    ];
    return [
      ...order.flatMap((node) => {
        if (node.kind !== 'input') return [];
        const entry = shared.get(node)!;
        const load = [
          ...op.localGet(node.index),
          ...(pairStep ? op.simd(V128_LOAD64_ZERO, 3, 0) : op.simd(V128_LOAD, 2, 0)),
        ];
        return [
          ...(quads
            ? [
                ...load,
                ...op.localSet(entry.narrow!),
                ...(entry.wide
                  ? halves().flatMap((half) => [
                      ...widen(op.localGet(entry.narrow!), half),
                      ...op.localSet(entry.wide![half]),
                    ])
                  : []),
              ]
            : [...load, ...op.simd(F64X2_PROMOTE_LOW_F32X4), ...op.localSet(entry.wide![0])]),
          ...advance(node.index),
        ];
      }),
      ...order.flatMap((node) => {
        const entry = shared.get(node);
        if (entry === undefined || node.kind === 'input') return [];
        if (entry.halves)
          return halves().flatMap((half) => [...emitWide(node, half, true), ...op.localSet(entry.halves![half])]);
        return [
          ...emitNarrow(node, true),
          ...op.localSet(entry.narrow!),
          ...(entry.wide
            ? halves().flatMap((half) => [
                ...widen(op.localGet(entry.narrow!), half, masks.has(node)),
                ...op.localSet(entry.wide![half]),
              ])
            : []),
        ];
      }),
      ...roots.flatMap((root, output) => [
        ...(lanes.has(root) && quads
          ? [
              ...op.localGet(firstOut + output),
              ...emitNarrow(root),
              ...(pairStep ? op.simd(V128_STORE64_LANE, 3, 0, 0) : op.simd(V128_STORE, 2, 0)),
            ]
          : halves().flatMap((half) => [
              ...op.localGet(firstOut + output),
              // The store rounds: fround(x) is stored as x unless it has a local of its own.
              ...emitWide(shared.has(root) || root.kind !== 'unary' ? root : root.operand, half),
              ...op.simd(F32X4_DEMOTE_F64X2_ZERO),
              ...op.simd(V128_STORE64_LANE, 3, 8 * half, 0),
            ])),
        ...advance(firstOut + output),
      ]),
    ];
  };
  // Before the loop: the scalars' splats, then the invariant operations in order.
  const prologue = [
    ...Array.from({ length: scalarCount }, (_, index) => [
      ...op.localGet(firstScalar + index),
      ...op.simd(F64X2_SPLAT),
      ...op.localSet(firstValue + arity + index),
    ]).flat(),
    ...[...hoisted].flatMap(([node, { wide, narrow }]) =>
      narrow === undefined
        ? [...emitWide(node, 0, true), ...op.localSet(wide)]
        : [...emitNarrow(node, true), ...widen(op.localTee(narrow), 0, masks.has(node)), ...op.localSet(wide)],
    ),
  ];
  const countDown = [...op.localGet(pairs), ...op.i32Const(1), ...op.i32Sub(), ...op.localTee(pairs), ...op.brIf(0)];
  let loops: number[];
  if (!quads) loops = [...op.loop(), ...step(8), ...countDown, ...op.end()];
  else {
    // The odd pair first, then pairs/2 quads.
    pairStep = true;
    const oddPair = step(8);
    pairStep = false;
    const quad = step(16);
    loops = [
      ...op.localGet(pairs),
      ...op.i32Const(1),
      I32_AND,
      ...op.if(),
      ...oddPair,
      ...op.end(),
      ...op.localGet(pairs),
      ...op.i32Const(1),
      I32_SHR_U,
      ...op.localTee(pairs),
      ...op.if(),
      ...op.loop(),
      ...quad,
      ...countDown,
      ...op.end(),
      ...op.end(),
    ];
  }
  const body = [
    ...[...constants.values()].flatMap(({ local, lanes: bytes }) => [
      ...op.simd(V128_CONST, ...bytes),
      ...op.localSet(local),
    ]),
    ...prologue,
    ...loops,
  ];
  const temporaries = nextLocal - (firstValue + arity + scalarCount);
  return {
    definition: {
      name: 'fused',
      parameters: [
        ...Array.from({ length: arity + outputs + 1 }, () => ValueType.i32),
        ...Array.from({ length: scalarCount }, () => ValueType.f64),
      ],
      results: [],
      locals: [{ count: arity + scalarCount + temporaries, type: ValueType.v128 }],
      body,
      imports: imports.map((name) => ({ name, parameters: [ValueType.f64], results: [ValueType.f64] })),
    },
    inputsRead: read,
  };
}
