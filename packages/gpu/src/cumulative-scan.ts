/**
 * cumsum/cumprod on the gpu backend as a blocked parallel scan.
 *
 * The input is `outer` blocks of `length × inner` values, row-major (element (o, a, i) at
 * `offset + (o·length + a)·inner + i`), scanned along `a`. An axis of at most
 * {@link SCAN_PIECE} values takes one pass: each output's thread combines its prefix in order.
 * A longer axis is cut into pieces of that many values:
 *
 * 1. totals: one thread per piece combines the piece (`outer × pieces × inner` values);
 * 2. the totals are scanned along their own axis, the same way (recursively: log-depth);
 * 3. each output's thread starts from the scanned total of the pieces before its own and
 *    combines its piece's prefix in order.
 *
 * So no thread walks more than {@link SCAN_PIECE} values and an axis of n values takes
 * 2·⌈log_16 n⌉ − 1 passes (2^20: 9). The combining order is not the sequential one: float32 sums and products
 * round differently from the CPU backend's (which accumulates in float64): a sum by at most
 * about 2·16·⌈log_16 n⌉·2^−24·Σ|x| (each value passes through at most 2·16 additions per level),
 * a product, in any order, by a·2^−24 relative at position a; test/cumulative-scan.test.ts
 * checks those bounds.
 * Intermediate totals stay float32 (exact for int32 sums below 2^24); only the final pass
 * stores the output dtype.
 */
import type { DType } from '@vane/tensor';
import { define, stored } from './kernel-definition.js';
import { deleteTexture, result, type GpuStorage } from './storage.js';
import { runKernel } from './kernel-runner.js';

type ScanKind = 'cumsum' | 'cumprod';

/**
 * Values a scan thread combines in order: a piece. Narrower than the reductions' fan-in
 * (256) because the prefix pass gives a thread to every output, each walking on average half a
 * piece, where a reduction gives one to every piece. On llvmpipe (benchmarks/src/gpu-scan-speed.ts,
 * cumsum of 2^20 values in one axis, whole result read, two sweeps at load average 7 to 12 on
 * 2 cores): piece 256 1145–1607 ms, 64 251–612 ms, 16 225–318 ms, 4 206–363 ms. Below 16 the
 * extra passes cost about what the shorter walks save.
 */
export const SCAN_PIECE = 16;

const IDENTITY: Record<ScanKind, string> = { cumsum: '0.0', cumprod: '1.0' };
// The binary kernels `add` and `mul` are these operators; written inline, the scan's loops
// need no helper functions.
const combine = (kind: ScanKind, accumulator: string, value: string) =>
  `${accumulator} ${kind === 'cumsum' ? '+' : '*'} ${value}`;

/** Position (o, a, i) of a thread over `outer × extent × inner` values, as kernel source. */
const POSITION = (extent: string) => `const flat = this.thread.x + 0.0;
  const block = Math.floor((flat + 0.5) / (${extent} * inner));
  const within = flat - block * ${extent} * inner;
  const along = Math.floor((within + 0.5) / inner);
  const innerIndex = within - along * inner;`;

/** Pass 1: the total of each piece (thread (o, piece, i)). */
function totalsBody(kind: ScanKind): string {
  return `${POSITION('pieces')}
  const start = along * piece;
  const pieceLength = Math.min(piece, length - start);
  const base = xOffset + (block * length + start) * inner + innerIndex;
  let accumulator = ${IDENTITY[kind]};
  for (let index = 0; index < pieceLength; index++) {
    accumulator = ${combine(kind, 'accumulator', 'x[base + index * inner]')};
  }
  return accumulator;`;
}

/**
 * Pass 3 (or the only pass): thread (o, a, i) combines its piece's prefix up to `a`, after the
 * scanned total of the pieces before (`withCarry`).
 */
function prefixBody(kind: ScanKind, withCarry: boolean, outDtype: DType): string {
  const carry = withCarry
    ? `if (pieceIndex > 0.5) {
    accumulator = carried[(block * pieces + pieceIndex - 1) * inner + innerIndex];
  }`
    : '';
  return `${POSITION('length')}
  const pieceIndex = Math.floor((along + 0.5) / piece);
  const start = pieceIndex * piece;
  const base = xOffset + (block * length + start) * inner + innerIndex;
  let accumulator = ${IDENTITY[kind]};
  ${carry}
  const prefixLength = along - start + 1;
  for (let index = 0; index < prefixLength; index++) {
    accumulator = ${combine(kind, 'accumulator', 'x[base + index * inner]')};
  }
  return ${stored('accumulator', outDtype)};`;
}

/**
 * The inclusive cumulative sum (`cumsum`) or product (`cumprod`) along the middle axis of
 * `outer × length × inner` row-major values starting at `offset` in `texture`; returns a
 * storage of as many values in that layout, stored as `outDtype`.
 */
export function cumulativeScan(
  kind: ScanKind,
  texture: unknown,
  offset: number,
  outer: number,
  length: number,
  inner: number,
  outDtype: DType,
): GpuStorage {
  const size = outer * length * inner;
  const piece = SCAN_PIECE;
  if (length <= piece) {
    const prefixes = runKernel(
      `cumulative/${kind}/prefix>${outDtype}`,
      () => define(['x', 'xOffset', 'length', 'inner', 'piece'], prefixBody(kind, false, outDtype)),
      size,
      [texture, offset, length, inner, piece],
    );
    return result(prefixes, size);
  }
  const pieces = Math.ceil(length / piece);
  const totals = result(
    runKernel(
      `cumulative/${kind}/totals`,
      () => define(['x', 'xOffset', 'length', 'inner', 'pieces', 'piece'], totalsBody(kind)),
      outer * pieces * inner,
      [texture, offset, length, inner, pieces, piece],
    ),
    outer * pieces * inner,
  );
  const carried = cumulativeScan(kind, totals.texture, 0, outer, pieces, inner, 'float32');
  deleteTexture(totals.texture);
  const prefixes = runKernel(
    `cumulative/${kind}/carried-prefix>${outDtype}`,
    () => define(['x', 'xOffset', 'length', 'inner', 'pieces', 'piece', 'carried'], prefixBody(kind, true, outDtype)),
    size,
    [texture, offset, length, inner, pieces, piece, carried.texture],
  );
  deleteTexture(carried.texture);
  return result(prefixes, size);
}
