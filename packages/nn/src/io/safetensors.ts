/**
 * Safetensors (Hugging Face's format) in memory: `encodeSafetensors` and `decodeSafetensors`,
 * which browsers can use. The format rules themselves are in `safetensors-format.ts`; the
 * streaming file reader and writer (Node only) are in `safetensors-files.ts`.
 *
 * Reading is strict (any inconsistency is an error naming the source and the field) because a
 * silently misread checkpoint is worse than a refused one, and writing applies the same
 * checks, so Vane never writes what it would refuse to read.
 *
 * Source: `packages/nn/src/io/safetensors.ts`.
 */
import { checkOptionKeys, type Tensor } from '@vane/tensor';
import {
  bytesToTensor,
  checkHeaderLength,
  MAX_HEADER_BYTES,
  parseSafetensorsHeader,
  planSafetensors,
  type SafetensorsDType,
} from './safetensors-format.js';

export type { SafetensorsDType };
export { MAX_HEADER_BYTES };

/** A decoded file: tensors by name and the `__metadata__` strings (both null-prototype objects, so any name is a plain key). */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** Limits of the streaming reader and writer; the defaults suit every file, tests shrink them. */
export interface SafetensorsIoOptions {
  /** Bytes moved per read or write call (default 64 MiB; at most 2^31 − 1, Node's per-call limit). */
  chunkBytes?: number;
  /** Largest header accepted or written (default 100,000,000 bytes, the reference reader's limit). */
  maxHeaderBytes?: number;
}

/**
 * The bytes of a safetensors file holding `tensors` (float32 → F32, float64 → F64, int32 →
 * I32, bool → BOOL) and `metadata`, in memory (for files, `saveSafetensors` in `@vane/nn/node` streams
 * instead). Tensors are stored in the order given; the header is padded with spaces to a
 * multiple of 8 bytes, as the reference writer does, so data stays aligned.
 *
 * @example
 * const bytes = encodeSafetensors({ weight: ones([2, 2]) }, { format: 'pt' });
 */
export function encodeSafetensors(
  tensors: Record<string, Tensor> | ReadonlyMap<string, Tensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const plan = planSafetensors('encodeSafetensors', tensors, metadata);
  const result = new Uint8Array(plan.prefix.length + plan.dataBytes);
  result.set(plan.prefix);
  let position = plan.prefix.length;
  for (const { bytes } of plan.blobs) {
    result.set(bytes, position);
    position += bytes.length;
  }
  return result;
}

/** Options of {@link decodeSafetensors}. */
export interface DecodeOptions {
  /** How the bytes are named in errors (the path, for files). */
  source?: string;
}

/** How errors name a safetensors source: `decodeSafetensors: '<path>'` (or `input`). */
export function describeSource(source: string | undefined): string {
  return `decodeSafetensors: ${source === undefined ? 'input' : `'${source}'`}`;
}

/**
 * Parses a safetensors file held in memory. F32/F64/I32/BOOL load as float32/float64/int32/bool;
 * F16 and BF16 are widened to float32; I8/I16/U8 to int32; I64 to int32 when every value fits
 * (otherwise an error). Throws an error naming the source and the problem for a truncated
 * file, a bad header, unknown dtypes, shapes that disagree with the byte ranges, and
 * overlapping, out-of-range or gapped data.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(bytes);
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions = {}): SafetensorsContents {
  checkOptionKeys('decodeSafetensors', options, ['source']);
  const where = describeSource(options.source);
  const length = checkHeaderLength(where, bytes.subarray(0, 8), bytes.length);
  const dataStart = 8 + length;
  const { metadata, entries } = parseSafetensorsHeader(where, bytes.subarray(8, dataStart), bytes.length - dataStart);
  const tensors: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  // slice copies: each tensor owns an aligned buffer, independent of `bytes`.
  for (const [name, entry] of entries)
    tensors[name] = bytesToTensor(where, name, entry, bytes.slice(dataStart + entry.begin, dataStart + entry.end));
  return { tensors, metadata };
}
