/**
 * Test support for the inline SIMD math (simd-math.ts): run one emitter on float64 lanes, a
 * seeded integer generator, and the distance of two numbers in representable values. Shared by
 * simd-math.test.ts, simd-trigonometry.test.ts and simd-power.test.ts; not part of the package build.
 */
import type { SimdBinaryMathEmitter, SimdMathEmitter, SimdMathLocals } from '../simd-math.js';
import { encodeModule, op, ValueType } from '../wasm-encoder.js';

/**
 * One inline math emitter alone in a module, f(in, out, pairs) over float64 pairs, run over
 * `values` in chunks: the emitter's double-precision results, before any float32 rounding.
 */
export function doubleKernel(emitter: SimdMathEmitter): (values: Float64Array) => Float64Array {
  const run = operandKernel(1, ([operand], locals) => emitter(operand!, locals));
  return (values) => run([values]);
}

/**
 * One inline binary math emitter (pow) alone in a module, as {@link doubleKernel}: its
 * double-precision results for the pairs (left[i], right[i]).
 */
export function binaryDoubleKernel(
  emitter: SimdBinaryMathEmitter,
): (left: Float64Array, right: Float64Array) => Float64Array {
  const run = operandKernel(2, ([left, right], locals) => emitter(left!, right!, locals));
  return (left, right) => {
    if (left.length !== right.length) throw new Error('binaryDoubleKernel: left and right differ in length');
    return run([left, right]);
  };
}

/**
 * f(in0, ..., out, pairs) over float64 pairs for `arity` operands: the memory is split into
 * arity + 1 equal regions (inputs, then the output), and long inputs run in chunks.
 */
function operandKernel(
  arity: number,
  emit: (operands: number[][], locals: SimdMathLocals) => number[],
): (operands: readonly Float64Array[]) => Float64Array {
  const out = arity;
  const pairs = arity + 1;
  let temporaries = 0;
  const constants: number[] = [];
  const locals: SimdMathLocals = {
    temporary: () => arity + 2 + temporaries++,
    constant: (lanes: readonly number[]) => {
      const local = locals.temporary();
      constants.push(...op.simd(0x0c, ...lanes), ...op.localSet(local));
      return local;
    },
  };
  const step = (local: number, bytes: number) => [
    ...op.localGet(local),
    ...op.i32Const(bytes),
    ...op.i32Add(),
    ...op.localSet(local),
  ];
  const apply = emit(
    Array.from({ length: arity }, (_, index) => [...op.localGet(index), ...op.simd(0x00, 4, 0)]),
    locals,
  );
  const body = [
    ...constants,
    ...op.loop(),
    ...op.localGet(out),
    ...apply,
    ...op.simd(0x0b, 4, 0),
    ...Array.from({ length: arity + 1 }, (_, index) => step(index, 16)).flat(),
    ...op.localGet(pairs),
    ...op.i32Const(1),
    ...op.i32Sub(),
    ...op.localTee(pairs),
    ...op.brIf(0),
    ...op.end(),
  ];
  const pages = 32;
  // Doubles per region, a whole number of 16-byte pairs.
  const chunk = Math.floor((pages * 65536) / 16 / (arity + 1)) * 2;
  const memory = new WebAssembly.Memory({ initial: pages });
  const bytes = encodeModule({ minimumPages: pages }, [
    {
      name: 'f',
      parameters: Array.from({ length: arity + 2 }, () => ValueType.i32),
      results: [],
      locals: [{ count: temporaries, type: ValueType.v128 }],
      body,
    },
  ]);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
    env: { memory },
  });
  const run = instance.exports.f as (...pointers: number[]) => void;
  return (operands) => {
    const length = operands[0]!.length;
    const view = new Float64Array(memory.buffer);
    const result = new Float64Array(length);
    for (let start = 0; start < length; start += chunk) {
      const count = Math.min(chunk, length - start);
      view.fill(0);
      operands.forEach((operand, index) => view.set(operand.subarray(start, start + count), index * chunk));
      run(...operands.map((_, index) => index * chunk * 8), arity * chunk * 8, Math.ceil(count / 2));
      result.set(view.subarray(arity * chunk, arity * chunk + count), start);
    }
    return result;
  };
}

/** xorshift32, so that every run checks the same inputs. */
export function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/** Distance in representable values (0 for equal, incl. NaN = NaN; ∞ for +0 against −0 or NaN against a number). */
export function ulpDistance(first: number, second: number, precision: 'float32' | 'float64'): number {
  if (Number.isNaN(first) || Number.isNaN(second)) return Number.isNaN(first) && Number.isNaN(second) ? 0 : Infinity;
  if (first === second) return Object.is(first, second) ? 0 : Infinity;
  if (precision === 'float32') {
    const bits = new Int32Array(new Float32Array([first, second]).buffer);
    const order = (value: number) => (value < 0 ? -2147483648 - value : value);
    return Math.abs(order(bits[0]!) - order(bits[1]!));
  }
  const bits = new BigInt64Array(new Float64Array([first, second]).buffer);
  const order = (value: bigint) => (value < 0n ? -(2n ** 63n) - value : value);
  const difference = order(bits[0]!) - order(bits[1]!);
  return Number(difference < 0n ? -difference : difference);
}
