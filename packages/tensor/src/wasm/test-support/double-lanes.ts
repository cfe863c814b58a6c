/**
 * Test support for the inline SIMD math (simd-math.ts): run one emitter on float64 lanes, a
 * seeded integer generator, and the distance of two numbers in representable values. Shared by
 * simd-math.test.ts and simd-trigonometry.test.ts; not part of the package build.
 */
import type { SimdMathEmitter } from '../simd-math.js';
import { encodeModule, op, ValueType } from '../wasm-encoder.js';

/**
 * One inline math emitter alone in a module, f(in, out, pairs) over float64 pairs, run over
 * `values` in chunks: the emitter's double-precision results, before any float32 rounding.
 */
export function doubleKernel(emitter: SimdMathEmitter): (values: Float64Array) => Float64Array {
  let temporaries = 0;
  const constants: number[] = [];
  const locals = {
    temporary: () => 3 + temporaries++,
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
  const apply = emitter([...op.localGet(0), ...op.simd(0x00, 4, 0)], locals);
  const body = [
    ...constants,
    ...op.loop(),
    ...op.localGet(1),
    ...apply,
    ...op.simd(0x0b, 4, 0),
    ...step(0, 16),
    ...step(1, 16),
    ...op.localGet(2),
    ...op.i32Const(1),
    ...op.i32Sub(),
    ...op.localTee(2),
    ...op.brIf(0),
    ...op.end(),
  ];
  const pages = 32;
  const chunk = (pages * 65536) / 16;
  const memory = new WebAssembly.Memory({ initial: pages });
  const bytes = encodeModule({ minimumPages: pages }, [
    {
      name: 'f',
      parameters: [ValueType.i32, ValueType.i32, ValueType.i32],
      results: [],
      locals: [{ count: temporaries, type: ValueType.v128 }],
      body,
    },
  ]);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
    env: { memory },
  });
  const run = instance.exports.f as (input: number, output: number, pairs: number) => void;
  return (values) => {
    const view = new Float64Array(memory.buffer);
    const result = new Float64Array(values.length);
    for (let start = 0; start < values.length; start += chunk) {
      const part = values.subarray(start, start + chunk);
      view.fill(0);
      view.set(part, 0);
      run(0, chunk * 8, Math.ceil(part.length / 2));
      result.set(view.subarray(chunk, chunk + part.length), start);
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
