/**
 * File reads and writes in bounded chunks through a file descriptor. Node cannot read or
 * write more than 2 GiB in one call (`readFileSync` fails with `File size … is greater than
 * 2 GiB`, and one `readSync`/`writeSync` moves at most 2^31 − 1 bytes), so large files are
 * never handled as one buffer: each tensor's byte range moves in pieces of at most
 * `chunkBytes`, straight between the file and the tensor's own typed array.
 *
 * Source: `packages/nn/src/io/chunked-file.ts`.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/** Bytes moved per read or write call unless a caller asks otherwise (64 MiB). */
export const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024;

/** Throws unless `chunkBytes` is a usable chunk size (a positive integer below 2 GiB). */
export function checkChunkBytes(owner: string, chunkBytes: number): void {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > 0x7fffffff) {
    throw new Error(`${owner}: chunkBytes must be an integer from 1 to 2147483647, got ${String(chunkBytes)}`);
  }
}

/**
 * Writes all of `bytes` at the descriptor's current position, at most `chunkBytes` per call.
 */
export function writeAllSync(handle: number, bytes: Uint8Array, chunkBytes: number): void {
  let written = 0;
  while (written < bytes.length) {
    written += writeSync(handle, bytes, written, Math.min(chunkBytes, bytes.length - written));
  }
}

/**
 * Fills `target` from the file bytes starting at `position`, at most `chunkBytes` per call.
 * Throws naming `where` if the file ends first (it shrank while being read).
 */
export function readRangeSync(
  where: string,
  handle: number,
  target: Uint8Array,
  position: number,
  chunkBytes: number,
): void {
  let filled = 0;
  while (filled < target.length) {
    const count = readSync(handle, target, filled, Math.min(chunkBytes, target.length - filled), position + filled);
    if (count === 0)
      throw new Error(
        `${where}: the file ended at byte ${position + filled} while reading ${target.length} bytes from byte ${position} (was it truncated while being read?)`,
      );
    filled += count;
  }
}

/** An open regular file and its size. */
export interface OpenFile {
  readonly handle: number;
  readonly size: number;
}

/**
 * Opens `path` for reading and runs `use` with it, closing it afterwards. A directory, a
 * missing file or an unreadable one is an error naming `owner` and the path (with the system
 * code, such as ENOENT, kept in the message).
 */
export function withFileForReading<T>(owner: string, path: string, use: (file: OpenFile) => T): T {
  if (typeof path !== 'string' || path === '')
    throw new Error(`${owner}: the path must be a non-empty string, got ${JSON.stringify(path)}`);
  let handle: number;
  try {
    handle = openSync(path, 'r');
  } catch (error) {
    throw new Error(`${owner}: cannot open '${path}' (${(error as Error).message})`, { cause: error });
  }
  try {
    const stats = fstatSync(handle);
    if (stats.isDirectory()) throw new Error(`${owner}: '${path}' is a directory, not a safetensors file`);
    if (!stats.isFile()) throw new Error(`${owner}: '${path}' is not a regular file`);
    return use({ handle, size: stats.size });
  } finally {
    closeSync(handle);
  }
}
