/**
 * Fused elementwise kernels (`fusedMap`, used by every optimizer update) compiled to
 * WebAssembly SIMD for float32 tensors.
 *
 * Why: in Node 20 a JavaScript loop over typed arrays that arrive as arguments runs at about
 * 3 ns per element (a plain copy too), several times slower than the same loop over arrays the
 * optimizer can treat as constants, so the scalar fused loop bounded the optimizer rows.
 *
 * A kernel qualifies when its function is `const` declarations then one `return`, each an
 * expression of its parameters, earlier constants, numeric literals, + − × ÷, unary minus,
 * parentheses, Math.sqrt / abs / min / max / fround, and conditionals `a < b ? x : y` whose
 * condition is one comparison (< > <= >= === !==); anything else (other calls, bare truthiness
 * tests, && ||) returns undefined and keeps the JavaScript loop. Conditionals evaluate both
 * branches and pick per lane with the comparison's mask (the expressions have no side effects),
 * which matters because the optimizers' sign, clip and gain-change kernels are written as ternaries. Math.fround matters because kernels that fold a multiplier into an epilogue (Adam times
 * ActiveLR's gain) round the epilogue to float32 first, to equal a separate multiply pass.
 * The expression is evaluated on f64x2 lanes: inputs are widened from float32 to float64,
 * every operation is the IEEE double operation JavaScript performs, and the result is rounded
 * to float32 once, as a Float32Array store does. The results therefore equal the scalar loop's
 * bit for bit (NaN payloads aside), which the tests check.
 */
import { isExpressionKernel, type FusedKernel } from '../kernels/elementwise-kernels';
import { encodeModule, op, ValueType, type FunctionDefinition } from './wasm-encoder';
import { instantiateOnKernelMemory, reserve, simdKernels } from './kernel-runtime';

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'unary'; operand: Node }
  | { kind: 'binary'; operator: '+' | '-' | '*' | '/'; left: Node; right: Node }
  | { kind: 'call'; callee: Callee; args: Node[] }
  | { kind: 'select'; comparison: Comparison; left: Node; right: Node; whenTrue: Node; whenFalse: Node };

type Comparison = '<' | '>' | '<=' | '>=' | '===' | '!==';
const COMPARISONS: readonly string[] = ['<', '>', '<=', '>=', '===', '!=='];

type Callee = 'sqrt' | 'abs' | 'min' | 'max' | 'fround';

const TOKEN = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(Math\.(?:sqrt|abs|min|max|fround)\b)|([A-Za-z_$][\w$]*)|(===|!==|<=|>=|[-+*/(),<>?:]))/y;

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

/** Recursive descent over conditionals (lowest), + −, × ÷, unary minus, then atoms. */
function parse(tokens: string[], names: readonly string[]): Node | undefined {
  let index = 0;
  const peek = () => tokens[index];
  // A comparison is accepted only as a conditional's condition: elsewhere JavaScript would
  // yield a boolean, which has no float lane value here.
  const conditional = (): Node => {
    const left = expression();
    const comparison = peek();
    if (comparison === undefined || !COMPARISONS.includes(comparison)) return left;
    index++;
    const right = expression();
    if (tokens[index++] !== '?') throw new Error('expected ?');
    const whenTrue = conditional();
    if (tokens[index++] !== ':') throw new Error('expected :');
    return { kind: 'select', comparison: comparison as Comparison, left, right, whenTrue, whenFalse: conditional() };
  };
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
      const inner = conditional();
      if (tokens[index++] !== ')') throw new Error('expected )');
      return inner;
    }
    if (token.startsWith('Math.')) {
      const callee = token.slice(5) as Callee;
      if (tokens[index++] !== '(') throw new Error('expected (');
      const args = [conditional()];
      while (peek() === ',') {
        index++;
        args.push(conditional());
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
    const node = conditional();
    return index === tokens.length ? node : undefined;
  } catch {
    return undefined;
  }
}

interface Constant {
  name: string;
  expression: string;
}

/**
 * The parameter names, `const` declarations and returned expression of
 * `function f(a, b) { const c = e1; return e2; }`, `(a, b) => { ... }` or `(a, b) => e`.
 */
function splitSource(source: string): { names: string[]; constants: Constant[]; expression: string } | undefined {
  const compact = source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  const functionForm = /^\s*function\s*[\w$]*\s*\(([^)]*)\)\s*\{([^{}]*)\}\s*$/.exec(compact);
  // Arrow functions with parenthesised parameters, or a single bare one (`x=>x*x`, the form
  // esbuild and tsx emit for one-parameter arrows).
  const arrowForm =
    /^\s*\(([^)]*)\)\s*=>\s*(?:\{([^{}]*)\}|([^{][^;{}]*?))\s*$/.exec(compact) ??
    /^\s*([A-Za-z_$][\w$]*)\s*=>\s*(?:\{([^{}]*)\}|([^{][^;{}]*?))\s*$/.exec(compact);
  const parameters = functionForm?.[1] ?? arrowForm?.[1];
  const body = functionForm?.[2] ?? arrowForm?.[2];
  if (parameters === undefined) return undefined;
  const names = parameters.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  if (!names.every((name) => /^[A-Za-z_$][\w$]*$/.test(name))) return undefined;
  if (body === undefined) return arrowForm?.[3] === undefined ? undefined : { names, constants: [], expression: arrowForm[3] };
  const statements = body.split(';').map((statement) => statement.trim()).filter((statement) => statement.length > 0);
  const constants: Constant[] = [];
  for (const statement of statements.slice(0, -1)) {
    const declaration = /^const\s+([A-Za-z_$][\w$]*)\s*=\s*([\s\S]+)$/.exec(statement);
    // Shadowing or redeclaring a name would change what later expressions mean: keep JS.
    if (!declaration || names.includes(declaration[1]!) || constants.some((constant) => constant.name === declaration[1])) return undefined;
    constants.push({ name: declaration[1]!, expression: declaration[2]! });
  }
  const last = /^return\s+([\s\S]+)$/.exec(statements.at(-1) ?? '');
  return last ? { names, constants, expression: last[1]! } : undefined;
}

// SIMD opcodes used here (WebAssembly SIMD specification numbering).
const F64X2_SPLAT = 0x14;
const V128_STORE64_LANE = 0x5b;
const V128_LOAD64_ZERO = 0x5d;
const F32X4_DEMOTE_F64X2_ZERO = 0x5e;
const F64X2_PROMOTE_LOW_F32X4 = 0x5f;
const V128_BITSELECT = 0x52;
const F64X2_COMPARE: Record<Comparison, number> = { '===': 0x47, '!==': 0x48, '<': 0x49, '>': 0x4a, '<=': 0x4b, '>=': 0x4c };
const F64X2 = { abs: 0xec, neg: 0xed, sqrt: 0xef, '+': 0xf0, '-': 0xf1, '*': 0xf2, '/': 0xf3, min: 0xf4, max: 0xf5 } as const;

const f64Const = (value: number) => [0x44, ...new Uint8Array(new Float64Array([value]).buffer)];

/**
 * The kernel's function: fused(in0, ..., out, pairs, s0, ...) over `pairs` pairs of float32
 * elements (the caller pads to an even count). `names` are the parameters then the constants,
 * whose nodes `constants` holds in order.
 */
function definition(node: Node, constants: readonly Node[], names: readonly string[], parameterCount: number, arity: number): FunctionDefinition {
  const scalarCount = parameterCount - arity;
  const out = arity;
  const pairs = arity + 1;
  const firstScalar = arity + 2;
  // v128 locals: one per input's widened pair, one per splatted scalar, one per constant.
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
      case 'select':
        // v128.bitselect(whenTrue, whenFalse, mask) takes whenTrue's bits where the comparison
        // holds. f64x2 comparisons are false for NaN except !==, as in JavaScript.
        return [
          ...emit(current.whenTrue), ...emit(current.whenFalse),
          ...emit(current.left), ...emit(current.right), ...op.simd(F64X2_COMPARE[current.comparison]),
          ...op.simd(V128_BITSELECT),
        ];
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
    ...constants.flatMap((constant, index) => [...emit(constant), ...op.localSet(firstValue + parameterCount + index)]),
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
  if (isExpressionKernel(kernel)) return undefined;
  const cached = compiled.get(kernel.name);
  if (cached && cached.fn === kernel.fn) return cached.kernel;
  let result: CompiledFused | undefined;
  const split = splitSource(Function.prototype.toString.call(kernel.fn));
  if (split && split.names.length === kernel.fn.length && split.names.length >= kernel.arity && kernel.arity >= 1) {
    const names = [...split.names];
    const constants: Node[] = [];
    for (const constant of split.constants) {
      const tokens = tokenize(constant.expression);
      const parsed = tokens && parse(tokens, names);
      if (!parsed) break;
      constants.push(parsed);
      names.push(constant.name);
    }
    const tokens = constants.length === split.constants.length ? tokenize(split.expression) : undefined;
    const node = tokens && parse(tokens, names);
    if (node) {
      const exports = instantiateOnKernelMemory((limits) => encodeModule(limits, [definition(node, constants, names, split.names.length, kernel.arity)]));
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
