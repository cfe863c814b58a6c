/**
 * The WebAssembly definition of `gather_panels(table, count, src, dst, panels, srcPanel,
 * dstPanel)`, the vector gather through an offset table described in simd-gather-panels.ts.
 * In a file of its own because two modules include it: the gather's own module (the calling
 * thread) and the kernel module that the worker threads instantiate (simd-kernels-module.ts),
 * so that a threaded gemm's chunks can gather their own row panels (thread-pool.ts).
 */
import { op, v128Load, v128Store, ValueType, type FunctionDefinition } from './wasm-encoder.js';
import { advanceByLocal, advanceLocal, countDown } from './loop-emitters.js';

// i32.load with a 4-byte alignment hint and offset 0 (not among the encoder's instructions).
const i32Load = [0x28, 2, 0];

/** The function definition of `gather_panels` (see the file comment). */
export function gatherPanelsDefinition(): FunctionDefinition {
  const [table, count, src, dst, panels, srcPanel, dstPanel] = [0, 1, 2, 3, 4, 5, 6];
  const [entry, target, left] = [7, 8, 9];
  const g = op.localGet;
  const s = op.localSet;
  const body = [
    ...op.loop(),
    ...g(table),
    ...s(entry),
    ...g(dst),
    ...s(target),
    ...g(count),
    ...s(left),
    ...op.loop(),
    // store(target, load(src + table[entry]))
    ...g(target),
    ...g(src),
    ...g(entry),
    ...i32Load,
    ...op.i32Add(),
    ...v128Load(0),
    ...v128Store(0),
    ...advanceLocal(entry, 4),
    ...advanceLocal(target, 16),
    ...countDown(left),
    ...op.end(),
    ...advanceByLocal(src, srcPanel),
    ...advanceByLocal(dst, dstPanel),
    ...countDown(panels),
    ...op.end(),
  ];
  return {
    name: 'gather_panels',
    parameters: Array.from({ length: 7 }, () => ValueType.i32),
    results: [],
    locals: [{ count: 3, type: ValueType.i32 }],
    body,
  };
}
