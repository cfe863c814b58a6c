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
 * sin, cos and tan beyond |x| = 1647098 call the module's imported Math.sin/cos/tan for those
 * lanes (`env.sin`, `env.cos`, `env.tan`: SIMD_MATH_IMPORTS, which every instantiation
 * provides). Every function of the expression language compiles; a function added to the
 * language without a SIMD implementation would make the expression unsupported
 * ({@link compileSimdExpression} says which, and the caller counts the fallback), and tests
 * reach that path with {@link refuseSimdFunctionsForTesting}.
 */
import { inlineCalls, postOrder, referenceCounts, usage } from '../kernels/expression/analysis.js';
import { deduplicate } from '../kernels/expression/deduplicate.js';
import type {
  BinaryFunction,
  Comparison,
  Expression,
  NumberExpression,
  UnaryFunction,
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
  // Equal subtrees merged, so that each is evaluated once (sigmoid's exp(x), say).
  const roots = deduplicateTogether(expressions);
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
  // A root referenced by several roots' counts would double count its own subtree; that only
  // makes it shared (one local more), never wrong.
  const sharedLocals = new Map<Expression, number>();
  for (const node of order) {
    if ((counts.get(node) ?? 0) > 1 && node.kind !== 'input' && node.kind !== 'scalar' && node.kind !== 'constant') {
      sharedLocals.set(node, firstValue + arity + scalarCount + sharedLocals.size);
    }
  }
  let temporaries = 0;
  const constants = new Map<string, { local: number; lanes: readonly number[] }>();
  // Imported Math functions (sin, cos and tan beyond their reduction's bound, simd-math.ts).
  const imports: TrigonometricFunction[] = [];
  const locals = {
    importedFunction: (name: TrigonometricFunction) => {
      if (!imports.includes(name)) imports.push(name);
      return imports.indexOf(name);
    },
    temporary: () => firstValue + arity + scalarCount + sharedLocals.size + temporaries++,
    constant: (lanes: readonly number[]) => {
      const key = lanes.join(',');
      let entry = constants.get(key);
      if (!entry) constants.set(key, (entry = { local: locals.temporary(), lanes }));
      return entry.local;
    },
  };
  const emit = (node: Expression, defining = false): number[] => {
    const local = sharedLocals.get(node);
    if (local !== undefined && !defining) return op.localGet(local);
    switch (node.kind) {
      case 'input':
        return op.localGet(firstValue + node.index);
      case 'scalar':
        return op.localGet(firstValue + arity + node.index);
      case 'constant':
        return [...f64Const(node.value), ...op.simd(F64X2_SPLAT)];
      case 'unary':
        if (node.function === 'fround')
          return [...emit(node.operand), ...op.simd(F32X4_DEMOTE_F64X2_ZERO), ...op.simd(F64X2_PROMOTE_LOW_F32X4)];
        {
          const instruction = F64X2_UNARY[node.function];
          if (instruction !== undefined) return [...emit(node.operand), ...op.simd(instruction)];
          return SIMD_MATH[node.function]!(emit(node.operand), locals);
        }
      case 'binary': {
        const instruction = F64X2_BINARY[node.function];
        if (instruction !== undefined) return [...emit(node.left), ...emit(node.right), ...op.simd(instruction)];
        return SIMD_BINARY_MATH[node.function]!(emit(node.left), emit(node.right), locals);
      }
      case 'compare':
        return [...emit(node.left), ...emit(node.right), ...op.simd(F64X2_COMPARE[node.comparison])];
      case 'logical':
        return [...emit(node.left), ...emit(node.right), ...op.simd(node.operator === 'and' ? V128_AND : V128_OR)];
      case 'not':
        return [...emit(node.operand), ...op.simd(V128_NOT)];
      case 'select':
        return [...emit(node.whenTrue), ...emit(node.whenFalse), ...emit(node.condition), ...op.simd(V128_BITSELECT)];
      case 'call':
        throw new Error('compileSimdExpressions: calls are inlined first');
    }
  };
  const advance = (pointer: number) => [
    ...op.localGet(pointer),
    ...op.i32Const(8),
    ...op.i32Add(),
    ...op.localSet(pointer),
  ];
  const loopBody = [
    ...Array.from({ length: arity }, (_, input) =>
      read[input]
        ? [
            ...op.localGet(input),
            ...op.simd(V128_LOAD64_ZERO, 3, 0),
            ...op.simd(F64X2_PROMOTE_LOW_F32X4),
            ...op.localSet(firstValue + input),
            ...advance(input),
          ]
        : [],
    ).flat(),
    ...order
      .filter((node) => sharedLocals.has(node))
      .flatMap((node) => [...emit(node, true), ...op.localSet(sharedLocals.get(node)!)]),
    ...roots.flatMap((root, output) => [
      ...op.localGet(firstOut + output),
      ...emit(root),
      ...op.simd(F32X4_DEMOTE_F64X2_ZERO),
      ...op.simd(V128_STORE64_LANE, 3, 0, 0),
      ...advance(firstOut + output),
    ]),
    ...op.localGet(pairs),
    ...op.i32Const(1),
    ...op.i32Sub(),
    ...op.localTee(pairs),
    ...op.brIf(0),
  ];
  const body = [
    ...Array.from({ length: scalarCount }, (_, index) => [
      ...op.localGet(firstScalar + index),
      ...op.simd(F64X2_SPLAT),
      ...op.localSet(firstValue + arity + index),
    ]).flat(),
    ...[...constants.values()].flatMap(({ local, lanes }) => [...op.simd(V128_CONST, ...lanes), ...op.localSet(local)]),
    ...op.loop(),
    ...loopBody,
    ...op.end(),
  ];
  return {
    definition: {
      name: 'fused',
      parameters: [
        ...Array.from({ length: arity + outputs + 1 }, () => ValueType.i32),
        ...Array.from({ length: scalarCount }, () => ValueType.f64),
      ],
      results: [],
      locals: [{ count: arity + scalarCount + sharedLocals.size + temporaries, type: ValueType.v128 }],
      body,
      imports: imports.map((name) => ({ name, parameters: [ValueType.f64], results: [ValueType.f64] })),
    },
    inputsRead: read,
  };
}
