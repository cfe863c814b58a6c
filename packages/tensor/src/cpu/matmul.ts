/**
 * A packed, register-blocked matrix multiply for the CPU (GEBP style).
 *
 * C[m×n] = A[m×k] · B[k×n], where A and B are arbitrary strided views (so transposed operands
 * cost nothing extra: packing reads them through their strides). B is packed in panels of
 * NR = 8 columns and A in panels of MR = 4 rows, for blocks of KC = 256 along k; a 4×8
 * micro-kernel keeps its 32 accumulators in locals. Accumulation is in double precision.
 */
import type { TypedArray } from '../dtype.js';
import type { MatrixOperand } from '../kernel-operands.js';
import { simdGemm } from '../wasm/simd-gemm.js';

const MR = 4;
const NR = 8;
const KC = 256;
const MC = 128;

type MicroKernel = (
  kc: number,
  aPack: TypedArray,
  aBase: number,
  bPack: TypedArray,
  bBase: number,
  out: TypedArray,
  outBase: number,
  outRowStride: number,
  rows: number,
  columns: number,
) => void;

// Generated once: 32 named accumulators, a k-loop of 12 loads and 32 multiply-adds, and a
// store that adds into C (C is zeroed by the caller and summed over k-blocks).
const microKernel: MicroKernel = (() => {
  const names: string[] = [];
  for (let i = 0; i < MR; i++) for (let j = 0; j < NR; j++) names.push(`c${i}${j}`);
  const body = [
    `let ${names.map((name) => `${name} = 0`).join(', ')};`,
    'let ap = aBase, bp = bBase;',
    'for (let p = 0; p < kc; p++) {',
    `  ${Array.from({ length: MR }, (_, i) => `const a${i} = aPack[ap + ${i}];`).join(' ')}`,
    `  ${Array.from({ length: NR }, (_, j) => `const b${j} = bPack[bp + ${j}];`).join(' ')}`,
    ...Array.from(
      { length: MR },
      (_, i) => `  ${Array.from({ length: NR }, (_, j) => `c${i}${j} += a${i} * b${j};`).join(' ')}`,
    ),
    `  ap += ${MR}; bp += ${NR};`,
    '}',
    `if (rows === ${MR} && columns === ${NR}) {`,
    ...Array.from(
      { length: MR },
      (_, i) =>
        `  { const row = outBase + ${i} * outRowStride; ${Array.from({ length: NR }, (_, j) => `out[row + ${j}] += c${i}${j};`).join(' ')} }`,
    ),
    '} else {',
    ...Array.from(
      { length: MR },
      (_, i) =>
        `  if (${i} < rows) { const row = outBase + ${i} * outRowStride; ${Array.from({ length: NR }, (_, j) => `if (${j} < columns) out[row + ${j}] += c${i}${j};`).join(' ')} }`,
    ),
    '}',
  ].join('\n');
  return new Function(
    'kc',
    'aPack',
    'aBase',
    'bPack',
    'bBase',
    'out',
    'outBase',
    'outRowStride',
    'rows',
    'columns',
    body,
  ) as MicroKernel;
})();

const packCache = new Map<string, TypedArray>();

function scratch(kind: 'a' | 'b', size: number, like: TypedArray): TypedArray {
  const key = `${kind}:${like.constructor.name}`;
  let buffer = packCache.get(key);
  if (!buffer || buffer.length < size) {
    buffer = new (like.constructor as new (length: number) => TypedArray)(size);
    packCache.set(key, buffer);
  }
  return buffer;
}

/**
 * Writes A·B into `out[outOffset ...]` as a contiguous m×n block (overwriting it).
 *
 * @example
 * gemm(2, 2, 2, { values: a, offset: 0, rowStride: 2, columnStride: 1 }, bOperand, out, 0)
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: MatrixOperand,
  b: MatrixOperand,
  out: TypedArray,
  outOffset: number,
): void {
  // Float32 goes to the WebAssembly SIMD kernel when it is available and enabled; float64
  // (and everything else) stays on this scalar reference kernel.
  if (
    out instanceof Float32Array &&
    a.values instanceof Float32Array &&
    b.values instanceof Float32Array &&
    simdGemm(m, n, k, a, b, out, outOffset)
  )
    return;
  out.fill(0, outOffset, outOffset + m * n);
  if (m === 0 || n === 0 || k === 0) return;
  const panelsN = Math.ceil(n / NR);
  const bPack = scratch('b', panelsN * NR * Math.min(k, KC), out);
  const aPack = scratch('a', Math.ceil(Math.min(m, MC) / MR) * MR * Math.min(k, KC), out);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    packB(b, k0, kc, n, bPack);
    for (let m0 = 0; m0 < m; m0 += MC) {
      const mc = Math.min(MC, m - m0);
      packA(a, m0, mc, k0, kc, aPack);
      for (let jp = 0; jp < panelsN; jp++) {
        const columns = Math.min(NR, n - jp * NR);
        const bBase = jp * NR * kc;
        for (let ip = 0; ip * MR < mc; ip++) {
          const rows = Math.min(MR, mc - ip * MR);
          microKernel(
            kc,
            aPack,
            ip * MR * kc,
            bPack,
            bBase,
            out,
            outOffset + (m0 + ip * MR) * n + jp * NR,
            n,
            rows,
            columns,
          );
        }
      }
    }
  }
}

function packB(b: MatrixOperand, k0: number, kc: number, n: number, into: TypedArray): void {
  const { values, offset, rowStride, columnStride } = b;
  const panels = Math.ceil(n / NR);
  for (let jp = 0; jp < panels; jp++) {
    const columns = Math.min(NR, n - jp * NR);
    let target = jp * NR * kc;
    for (let p = 0; p < kc; p++) {
      const source = offset + (k0 + p) * rowStride + jp * NR * columnStride;
      let j = 0;
      for (; j < columns; j++) into[target + j] = values[source + j * columnStride]!;
      for (; j < NR; j++) into[target + j] = 0;
      target += NR;
    }
  }
}

function packA(a: MatrixOperand, m0: number, mc: number, k0: number, kc: number, into: TypedArray): void {
  const { values, offset, rowStride, columnStride } = a;
  const panels = Math.ceil(mc / MR);
  for (let ip = 0; ip < panels; ip++) {
    const rows = Math.min(MR, mc - ip * MR);
    let target = ip * MR * kc;
    const rowBase = offset + (m0 + ip * MR) * rowStride + k0 * columnStride;
    for (let p = 0; p < kc; p++) {
      const source = rowBase + p * columnStride;
      let i = 0;
      for (; i < rows; i++) into[target + i] = values[source + i * rowStride]!;
      for (; i < MR; i++) into[target + i] = 0;
      target += MR;
    }
  }
}
