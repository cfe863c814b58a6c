/**
 * The instruction runs that every loop of the hand-written kernel emitters repeats: a pointer
 * or an index advanced by a constant or by a stride held in a local, and the countdown that
 * ends a do-while loop. The reduction, scan, broadcast and copy emitters (simd-reductions.ts,
 * simd-running-products.ts, simd-arg-reductions.ts, simd-broadcast.ts, ...) each spelled these
 * out as four or five instructions; they are written once here so that the loop skeletons read
 * as what they do. The emitted bytes are the same instructions in the same order.
 */
import { op } from './wasm-encoder.js';

/**
 * `local += amount` (i32), `amount` being the instructions that push the addend.
 *
 * @example
 * addToLocal(pointer, [...op.localGet(columns), ...op.i32Const(4), ...op.i32Mul()]) // pointer += columns·4
 */
export function addToLocal(local: number, amount: readonly number[]): number[] {
  return [...op.localGet(local), ...amount, ...op.i32Add(), ...op.localSet(local)];
}

/**
 * `local += bytes` (i32): a pointer moved on by a constant number of bytes, or an index by a
 * constant step.
 *
 * @example
 * advanceLocal(pointer, 16) // the next 128-bit vector
 */
export function advanceLocal(local: number, bytes: number): number[] {
  return addToLocal(local, op.i32Const(bytes));
}

/**
 * `local += stride` (i32), the stride held in a local: a pointer moved on to the next row.
 *
 * @example
 * advanceByLocal(src, rowBytes)
 */
export function advanceByLocal(local: number, stride: number): number[] {
  return addToLocal(local, op.localGet(stride));
}

/**
 * The end of a do-while loop that counts `counter` down: `counter -= 1`, then a branch back to
 * the enclosing loop's start while it is not zero (so the count must be at least 1).
 *
 * @example
 * [...op.loop(), ...step, ...countDown(rows), ...op.end()] // `step` rows times
 */
export function countDown(counter: number): number[] {
  return [...op.localGet(counter), ...op.i32Const(1), ...op.i32Sub(), ...op.localTee(counter), ...op.brIf(0)];
}

/**
 * A while loop that walks `pointer` up to `end` (both locals) in steps of `stepBytes`: `body`
 * runs while pointer < end (not at all when it starts at or past the end), and the pointer
 * advances after each run.
 *
 * @example
 * whilePointerBelow(src, end8, 32, sumEightFloats) // blocks of eight floats
 */
export function whilePointerBelow(pointer: number, end: number, stepBytes: number, body: readonly number[]): number[] {
  return [
    ...op.block(),
    ...op.localGet(pointer),
    ...op.localGet(end),
    ...op.i32GeU(),
    ...op.brIf(0),
    ...op.loop(),
    ...body,
    ...op.localGet(pointer),
    ...op.i32Const(stepBytes),
    ...op.i32Add(),
    ...op.localTee(pointer),
    ...op.localGet(end),
    ...op.i32LtU(),
    ...op.brIf(0),
    ...op.end(),
    ...op.end(),
  ];
}

/** The locals and steps of {@link vectorRowsLoop}. */
export interface VectorRowsLoop {
  /** The row counter (at least 1), counted down. */
  rows: number;
  /** The local holding the vectors per row (at least 1). */
  vectors: number;
  /** A scratch local counting the vectors of the current row down. */
  left: number;
  /** Pairs [walker, base]: each walker starts every row at its base. */
  walkers: readonly (readonly [walker: number, base: number])[];
  /** One vector's work; it moves the walkers on itself. */
  step: readonly number[];
  /** What ends a row (moving the bases on to the next one). */
  afterRow: readonly number[];
}

/**
 * The row-by-row walk of the column kernels (simd-reductions.ts, simd-running-products.ts,
 * simd-arg-reductions.ts): for each of `rows` rows, the walkers start at their bases and
 * `step` runs `vectors` times, then `afterRow` runs. Written once because the three column
 * kernels differ only in their step and in what they move on per row.
 *
 * @example
 * vectorRowsLoop({ rows, vectors, left, walkers: [[pointer, src]], step, afterRow: advanceByLocal(src, rowBytes) })
 */
export function vectorRowsLoop({ rows, vectors, left, walkers, step, afterRow }: VectorRowsLoop): number[] {
  return [
    ...op.loop(),
    ...walkers.flatMap(([walker, base]) => [...op.localGet(base), ...op.localSet(walker)]),
    ...op.localGet(vectors),
    ...op.localSet(left),
    ...op.loop(),
    ...step,
    ...countDown(left),
    ...op.end(),
    ...afterRow,
    ...countDown(rows),
    ...op.end(),
  ];
}
