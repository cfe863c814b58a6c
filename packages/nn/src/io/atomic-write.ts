/**
 * Crash-safe file replacement: write a temporary file next to the target, flush it to disk,
 * rename it over the target, and flush the directory. A process killed at any point leaves
 * either the old file or the new one, never a mixture, because rename is atomic on POSIX
 * file systems.
 *
 * Source: `packages/nn/src/io/atomic-write.ts`.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/**
 * Writes `bytes` to `path` atomically (temporary file, fsync, rename, fsync of the directory).
 *
 * @example
 * writeFileAtomic('/tmp/model.safetensors', bytes);
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  const handle = openSync(temporary, 'w', 0o644);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(handle, bytes, written, bytes.length - written);
    fsyncSync(handle); // the data must be on disk before the rename makes it visible
  } catch (error) {
    closeSync(handle);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(handle);
  try {
    renameSync(temporary, path);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
  // Persist the rename itself; some platforms (Windows) cannot open directories, which is harmless.
  try {
    const directoryHandle = openSync(directory, 'r');
    try {
      fsyncSync(directoryHandle);
    } finally {
      closeSync(directoryHandle);
    }
  } catch {
    // Directory fsync unsupported: the file content is already durable.
  }
}
