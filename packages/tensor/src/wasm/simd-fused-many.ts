/**
 * Multi-output fused maps (`fusedMapMany`) compiled to WebAssembly SIMD for float32: several
 * expressions over the same inputs and scalars, evaluated in ONE pass that loads each input
 * pair once and stores each output pair, instead of one pass per expression.
 *
 * Why: Adam's step is three such expressions over the same elements (m, v, the direction);
 * separate passes read and write every moment twice. Subtrees shared between the outputs are
 * merged first (the direction embeds the new moments' expressions under fround), so each is
 * evaluated once per element.
 *
 * The code generation mirrors `simd-expression.ts` (the single-output compiler, which decides
 * what compiles: an expression it refuses is refused here too), with one store per output. Each
 * output is rounded to float32 once, as a Float32Array store does, so every output equals the
 * single-output kernel's bit for bit.
 */
import { inlineCalls, postOrder, referenceCounts, usage } from '../kernels/expression/analysis.js';
import { deduplicate } from '../kernels/expression/deduplicate.js';
import type { FusedKernel } from '../kernels/elementwise-kernels.js';
import type {
  BinaryFunction,
  Comparison,
  Expression,
  NumberExpression,
  UnaryFunction,
} from '../kernels/expression/expression.js';
import { recordFallback } from '../kernels/expression/fallbacks.js';
import { heapAddress } from './kernel-heap.js';
import { instantiateOnKernelMemory, reserve, simdKernels } from './kernel-runtime.js';
import { compileSimdExpression } from './simd-expression.js';
import { SIMD_MATH } from './simd-math.js';
import { registerMapKernelModule, runMapKernelInParallel } from './thread-pool.js';
import { encodeModule, op, ValueType, type FunctionDefinition } from './wasm-encoder.js';

// SIMD opcodes (WebAssembly SIMD specification numbering), as in simd-expression.ts.
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
 * The multi-output function `fused(in0, ..., out0, ..., pairs, s0, ...)`, or why it does not
 * compile (the first root the single-output compiler refuses).
 */
function compileSimdExpressions(
  expressions: readonly NumberExpression[],
  arity: number,
  scalarCount: number,
): { definition: FunctionDefinition; inputsRead: readonly boolean[] } | { unsupported: string } {
  for (const expression of expressions) {
    const single = compileSimdExpression(expression, arity, scalarCount);
    if ('unsupported' in single) return single;
  }
  const roots = deduplicateTogether(expressions);
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
  // Imported Math functions (sin and cos beyond their reduction's bound, simd-math.ts).
  const imports: ('sin' | 'cos')[] = [];
  const locals = {
    importedFunction: (name: 'sin' | 'cos') => {
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
      case 'binary':
        return [...emit(node.left), ...emit(node.right), ...op.simd(F64X2_BINARY[node.function]!)];
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

type CompiledMany = (...values: number[]) => void;
type Plan = { kernel: CompiledMany; inputsRead: readonly boolean[]; moduleId: number } | { unsupported: string };
const compiled = new Map<string, { sources: readonly unknown[]; plan: Plan }>();

/** The name under which a set of kernels is compiled and counted. */
export function fusedManyName(kernels: readonly FusedKernel[]): string {
  return kernels.map((kernel) => kernel.name).join('+');
}

function plan(kernels: readonly FusedKernel[]): Plan | undefined {
  if (!simdKernels()) return undefined;
  const name = fusedManyName(kernels);
  const cached = compiled.get(name);
  if (cached && cached.sources.every((source, index) => source === kernels[index]?.expression)) return cached.plan;
  let result: Plan;
  const simd = compileSimdExpressions(
    kernels.map((kernel) => kernel.expression),
    kernels[0]!.arity,
    kernels[0]!.scalarCount,
  );
  if ('unsupported' in simd) result = simd;
  else {
    const instance = instantiateOnKernelMemory((limits) => encodeModule(limits, [simd.definition]));
    const fused = instance?.exports.fused as CompiledMany | undefined;
    result =
      instance && fused
        ? { kernel: fused, inputsRead: simd.inputsRead, moduleId: registerMapKernelModule(instance.module) }
        : { unsupported: 'the WebAssembly module did not compile' };
  }
  compiled.set(name, { sources: kernels.map((kernel) => kernel.expression), plan: result });
  return result;
}

/**
 * Whether `kernels` (same arity and scalar count) run as one SIMD pass: false when SIMD is off
 * or one of them does not compile.
 *
 * @example
 * simdFusedManyCompiles([first, second]) // true
 */
export function simdFusedManyCompiles(kernels: readonly FusedKernel[]): boolean {
  const result = plan(kernels);
  return result !== undefined && 'kernel' in result;
}

/**
 * outs[k][0..size) = kernels[k] of inputs[0][offsets[0] + i], ..., scalars, all in one SIMD pass,
 * for float32 inputs and outputs. Returns false (doing nothing) when SIMD is off or a kernel
 * does not compile (counting the fallback); the caller then runs each kernel on its own.
 *
 * @example
 * if (!simdFusedMany([nextM, nextV], [m, v, g], [0, 0, 0], [0.9, 0.999], [outM, outV], size)) ...
 */
export function simdFusedMany(
  kernels: readonly FusedKernel[],
  inputs: readonly Float32Array[],
  offsets: readonly number[],
  scalars: readonly number[],
  outs: readonly Float32Array[],
  size: number,
): boolean {
  const runtime = simdKernels();
  if (!runtime) return false;
  const result = plan(kernels);
  if (!result) return false;
  if ('unsupported' in result) {
    recordFallback('simd', fusedManyName(kernels), result.unsupported);
    return false;
  }
  if (size === 0) return true;
  const pairs = Math.ceil(size / 2);
  const bytes = pairs * 8;
  const addresses = inputs.map((input, index) => {
    const address = heapAddress(input);
    return address === undefined ? undefined : address + offsets[index]! * 4;
  });
  const outAddresses = outs.map((out) => heapAddress(out));
  const copies = addresses.filter((address, index) => address === undefined && result.inputsRead[index]).length;
  const outCopies = outAddresses.filter((address) => address === undefined).length;
  const scratch =
    copies + outCopies > 0
      ? reserve(
          runtime.memory,
          Array.from({ length: copies + outCopies }, () => bytes),
        )
      : [];
  const view = scratch.length > 0 ? new Float32Array(runtime.memory.buffer) : undefined;
  let nextScratch = 0;
  const pointers = inputs.map((input, index) => {
    if (addresses[index] !== undefined) return addresses[index];
    if (!result.inputsRead[index]) return 0;
    const base = scratch[nextScratch++]!;
    const offset = offsets[index]!;
    view!.set(input.subarray(offset, offset + size), base / 4);
    return base;
  });
  const outBases = outAddresses.map((address) => address ?? scratch[nextScratch++]!);
  pointers.push(...outBases);
  runMapKernelInParallel(runtime.module, runtime.memory, result.kernel, result.moduleId, pointers, pairs, scalars);
  outs.forEach((out, index) => {
    if (outAddresses[index] === undefined) out.set(view!.subarray(outBases[index]! / 4, outBases[index]! / 4 + size));
  });
  return true;
}
