/**
 * Fused elementwise kernels (`fusedMap`, used by every optimizer update) compiled to
 * WebAssembly SIMD for float32 tensors.
 *
 * Why: in Node 20 a JavaScript loop over typed arrays that arrive as arguments runs at about
 * 3 ns per element (a plain copy too), several times slower than the same loop over arrays the
 * optimizer can treat as constants, so the scalar fused loop bounded the optimizer rows.
 *
 * A kernel qualifies when its function is a single `return <expression>` made of its parameters,
 * numeric literals, + − × ÷, unary minus, parentheses and Math.sqrt / abs / min / max / fround;
 * anything else (ternaries, comparisons, other calls) returns undefined and keeps the JavaScript
 * loop. Math.fround matters because kernels that fold a multiplier into an epilogue (Adam times
 * ActiveLR's gain) round the epilogue to float32 first, to equal a separate multiply pass.
 * The expression is evaluated on f64x2 lanes: inputs are widened from float32 to float64,
 * every operation is the IEEE double operation JavaScript performs, and the result is rounded
 * to float32 once, as a Float32Array store does. The results therefore equal the scalar loop's
 * bit for bit (NaN payloads aside), which the tests check.
 */
import type { FusedKernel } from '../kernels/elementwise-kernels';
import { encodeModule, op, ValueType, type FunctionDefinition } from './wasm-encoder';
import { instantiateOnKernelMemory, reserve, simdKernels } from './kernel-runtime';

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'unary'; operand: Node }
  | { kind: 'binary'; operator: '+' | '-' | '*' | '/'; left: Node; right: Node }
  | { kind: 'call'; callee: Callee; args: Node[] };

type Callee = 'sqrt' | 'abs' | 'min' | 'max' | 'fround';

const TOKEN = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(Math\.(?:sqrt|abs|min|max|fround)\b)|([A-Za-z_$][\w$]*)|([-+*/(),]))/y;

function tokenize(source: string): string[] | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < source.length) {
    if (/^\s*$/.test(source.slice(position))) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(source);
    if (!match) return undefined;
    tokens.push((match[1] ?? match[2] ?? match[3] ?? match[4])!);
    position = TOKEN.lastIndex;
  }
  return tokens;
}

/** Recursive descent over + − (lowest), × ÷, unary minus, then atoms. */
function parse(tokens: string[], names: readonly string[]): Node | undefined {
  let index = 0;
  const peek = () => tokens[index];
  const expression = (): Node => {
    let left = term();
    while (peek() === '+' || peek() === '-') {
      const operator = tokens[index++] as '+' | '-';
      left = { kind: 'binary', operator, left, right: term() };
    }
    return left;
  };
  const term = (): Node => {
    let left = unary();
    while (peek() === '*' || peek() === '/') {
      const operator = tokens[index++] as '*' | '/';
      left = { kind: 'binary', operator, left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    if (peek() === '-') {
      index++;
      return { kind: 'unary', operand: unary() };
    }
    if (peek() === '+') throw new Error('unary plus');
    return atom();
  };
  const atom = (): Node => {
    const token = tokens[index++];
    if (token === undefined) throw new Error('unexpected end');
    if (token === '(') {
      const inner = expression();
      if (tokens[index++] !== ')') throw new Error('expected )');
      return inner;
    }
    if (token.startsWith('Math.')) {
      const callee = token.slice(5) as Callee;
      if (tokens[index++] !== '(') throw new Error('expected (');
      const args = [expression()];
      while (peek() === ',') {
        index++;
        args.push(expression());
      }
      if (tokens[index++] !== ')') throw new Error('expected )');
      // Math.min/max with other than two arguments, or sqrt/abs/fround with other than one, stay in JS.
      if (args.length !== (callee === 'min' || callee === 'max' ? 2 : 1)) throw new Error('arity');
      return { kind: 'call', callee, args };
    }
    if (/^[\d.]/.test(token)) return { kind: 'number', value: Number(token) };
    if (names.includes(token)) return { kind: 'name', name: token };
    throw new Error(`unknown name ${token}`);
  };
  try {
    const node = expression();
    return index === tokens.length ? node : undefined;
  } catch {
    return undefined;
  }
}

/** The parameter names and returned expression of `function f(a, b) { return e; }` or `(a, b) => e`. */
function splitSource(source: string): { names: string[]; expression: string } | undefined {
  const compact = source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  const functionForm = /^\s*function\s*[\w$]*\s*\(([^)]*)\)\s*\{\s*return\s+([^;{}]*?)\s*;?\s*\}\s*$/.exec(compact);
  const arrowForm = /^\s*\(([^)]*)\)\s*=>\s*(?:\{\s*return\s+([^;{}]*?)\s*;?\s*\}|([^{][^;{}]*?))\s*$/.exec(compact);
  const parameters = functionForm?.[1] ?? arrowForm?.[1];
  const expression = functionForm?.[2] ?? arrowForm?.[2] ?? arrowForm?.[3];
  if (parameters === undefined || expression === undefined) return undefined;
  const names = parameters.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  if (!names.every((name) => /^[A-Za-z_$][\w$]*$/.test(name))) return undefined;
  return { names, expression };
}

// SIMD opcodes used here (WebAssembly SIMD specification numbering).
const F64X2_SPLAT = 0x14;
const V128_STORE64_LANE = 0x5b;
const V128_LOAD64_ZERO = 0x5d;
const F32X4_DEMOTE_F64X2_ZERO = 0x5e;
const F64X2_PROMOTE_LOW_F32X4 = 0x5f;
const F64X2 = { abs: 0xec, neg: 0xed, sqrt: 0xef, '+': 0xf0, '-': 0xf1, '*': 0xf2, '/': 0xf3, min: 0xf4, max: 0xf5 } as const;

const f64Const = (value: number) => [0x44, ...new Uint8Array(new Float64Array([value]).buffer)];

/**
 * The kernel's function: fused(in0, ..., out, pairs, s0, ...) over `pairs` pairs of float32
 * elements (the caller pads to an even count).
 */
function definition(node: Node, names: readonly string[], arity: number): FunctionDefinition {
  const scalarCount = names.length - arity;
  const out = arity;
  const pairs = arity + 1;
  const firstScalar = arity + 2;
  // v128 locals: one per input's widened pair, one per splatted scalar.
  const firstValue = arity + 2 + scalarCount;
  const valueLocal = (name: string) => {
    const position = names.indexOf(name);
    return firstValue + position;
  };
  const emit = (current: Node): number[] => {
    switch (current.kind) {
      case 'number':
        return [...f64Const(current.value), ...op.simd(F64X2_SPLAT)];
      case 'name':
        return op.localGet(valueLocal(current.name));
      case 'unary':
        return [...emit(current.operand), ...op.simd(F64X2.neg)];
      case 'binary':
        return [...emit(current.left), ...emit(current.right), ...op.simd(F64X2[current.operator])];
      case 'call':
        // fround: round both lanes to float32 (round to nearest, ties to even, subnormals kept,
        // as IEEE conversion and Math.fround do) and widen back exactly, so the rest of the
        // expression continues in float64 on the rounded value.
        if (current.callee === 'fround') return [...emit(current.args[0]!), ...op.simd(F32X4_DEMOTE_F64X2_ZERO), ...op.simd(F64X2_PROMOTE_LOW_F32X4)];
        return [...current.args.flatMap(emit), ...op.simd(F64X2[current.callee])];
    }
  };
  const body = [
    ...Array.from({ length: scalarCount }, (_, index) => [...op.localGet(firstScalar + index), ...op.simd(F64X2_SPLAT), ...op.localSet(firstValue + arity + index)]).flat(),
    ...op.loop(),
    ...Array.from({ length: arity }, (_, input) => [
      ...op.localGet(input), ...op.simd(V128_LOAD64_ZERO, 3, 0), ...op.simd(F64X2_PROMOTE_LOW_F32X4), ...op.localSet(firstValue + input),
      ...op.localGet(input), ...op.i32Const(8), ...op.i32Add(), ...op.localSet(input),
    ]).flat(),
    ...op.localGet(out), ...emit(node), ...op.simd(F32X4_DEMOTE_F64X2_ZERO), ...op.simd(V128_STORE64_LANE, 3, 0, 0),
    ...op.localGet(out), ...op.i32Const(8), ...op.i32Add(), ...op.localSet(out),
    ...op.localGet(pairs), ...op.i32Const(1), ...op.i32Sub(), ...op.localTee(pairs), ...op.brIf(0),
    ...op.end(),
  ];
  return {
    name: 'fused',
    parameters: [...Array.from({ length: arity + 2 }, () => ValueType.i32), ...Array.from({ length: scalarCount }, () => ValueType.f64)],
    results: [],
    locals: [{ count: names.length, type: ValueType.v128 }],
    body,
  };
}

type CompiledFused = (...values: number[]) => void;
const compiled = new Map<string, { fn: unknown; kernel: CompiledFused | undefined }>();

/**
 * The compiled kernel, or undefined if the function is outside the supported expression
 * language (see the file comment) or SIMD is off. Cached per kernel name and function.
 */
export function compileFusedKernel(kernel: FusedKernel): CompiledFused | undefined {
  const cached = compiled.get(kernel.name);
  if (cached && cached.fn === kernel.fn) return cached.kernel;
  let result: CompiledFused | undefined;
  const split = splitSource(Function.prototype.toString.call(kernel.fn));
  if (split && split.names.length === kernel.fn.length && split.names.length >= kernel.arity && kernel.arity >= 1) {
    const tokens = tokenize(split.expression);
    const node = tokens && parse(tokens, split.names);
    if (node) {
      const exports = instantiateOnKernelMemory((limits) => encodeModule(limits, [definition(node, split.names, kernel.arity)]));
      result = exports?.fused as CompiledFused | undefined;
    }
  }
  compiled.set(kernel.name, { fn: kernel.fn, kernel: result });
  return result;
}

/**
 * out[0..size) = kernel.fn(inputs[0][offsets[0] + i], ..., ...scalars) on the compiled SIMD
 * kernel, for float32 inputs and output. Returns false (doing nothing) when SIMD is off or the
 * kernel does not compile; the caller then runs the JavaScript loop.
 *
 * @example
 * if (!simdFused(kernel, [m, g], [0, 0], [0.9], out, out.length)) fusedLoop(kernel)(...);
 */
export function simdFused(kernel: FusedKernel, inputs: readonly Float32Array[], offsets: readonly number[], scalars: readonly number[], out: Float32Array, size: number): boolean {
  const kernels = simdKernels();
  if (!kernels) return false;
  const fused = compileFusedKernel(kernel);
  if (!fused) return false;
  if (size === 0) return true;
  const pairs = Math.ceil(size / 2);
  const bytes = pairs * 8;
  const bases = reserve(kernels.memory, Array.from({ length: inputs.length + 1 }, () => bytes));
  const view = new Float32Array(kernels.memory.buffer);
  for (let index = 0; index < inputs.length; index++) {
    const offset = offsets[index]!;
    view.set(inputs[index]!.subarray(offset, offset + size), bases[index]! / 4);
  }
  fused(...bases, pairs, ...scalars);
  const outBase = bases[inputs.length]! / 4;
  out.set(view.subarray(outBase, outBase + size));
  return true;
}
