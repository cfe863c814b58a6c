/**
 * Crash-safe file replacement: write a temporary file next to the target, flush it to disk,
 * rename it over the target, and flush the directory. A process killed at any point leaves
 * either the old file or the new one, never a mixture, because rename is atomic on POSIX
 * file systems.
 *
 * A process killed mid-write leaves its temporary file behind. Its name,
 * `.<target name>.<pid>.<counter>.tmp`, records the writer's process id, so the next write
 * to the same target removes temporaries of processes that no longer exist (and never any
 * other file, nor the temporary of a writer that is still running).
 *
 * Source: `packages/nn/src/io/atomic-write.ts`.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_CHUNK_BYTES, writeAllSync } from './chunked-file.js';

let counter = 0;
// Temporaries this process is writing right now (never removed as stale).
const inFlight = new Set<string>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: an existence check, nothing is sent
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporaries that killed writers left next to `path`: files named
 * `.<name>.<pid>.<counter>.tmp` whose process is gone (or is this process but not writing
 * that file now). Returns the names removed.
 *
 * @example
 * removeStaleTemporaries('run/checkpoint.safetensors'); // ['.checkpoint.safetensors.4711.0.tmp']
 */
export function removeStaleTemporaries(path: string): string[] {
  const directory = dirname(path);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(path))}\\.(\\d+)\\.(\\d+)\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return []; // an unlistable directory: the write itself reports the real problem
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    const full = join(directory, name);
    if (inFlight.has(full) || (pid !== process.pid && processIsAlive(pid))) continue;
    try {
      unlinkSync(full);
      removed.push(name);
    } catch {
      // Removed concurrently by another writer, or not ours to remove: leave it.
    }
  }
  return removed;
}

/**
 * Checks that `path` can be a file: not a directory, and its directory exists. Throws an
 * error naming `owner` and the path.
 */
function checkTarget(owner: string, path: string): void {
  if (typeof path !== 'string' || path === '')
    throw new Error(`${owner}: the path must be a non-empty string, got ${JSON.stringify(path)}`);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // Not there yet (the usual case); problems with the directory are reported below.
  }
  if (isDirectory)
    throw new Error(
      `${owner}: '${path}' is a directory; give a file path inside it, such as '${join(path, 'model.safetensors')}'`,
    );
  const directory = dirname(path);
  let directoryStats;
  try {
    directoryStats = statSync(directory);
  } catch (error) {
    throw new Error(
      `${owner}: cannot write '${path}': its directory '${directory}' is not accessible (${(error as Error).message})`,
      { cause: error },
    );
  }
  if (!directoryStats.isDirectory())
    throw new Error(`${owner}: cannot write '${path}': '${directory}' is not a directory`);
}

/**
 * Replaces `path` atomically with what `write` writes to the open temporary file (through
 * its descriptor, sequentially): temporary file, fsync, rename, fsync of the directory. Stale
 * temporaries of killed writers are removed first. Errors name `owner` and the path; on any
 * error the previous file at `path` is untouched and the temporary is removed.
 *
 * @param owner - the public function, for messages (`saveCheckpoint`).
 * @example
 * writeFileAtomicWith('saveSafetensors', 'model.safetensors', (handle) => writeAllSync(handle, bytes, 1 << 26));
 */
export function writeFileAtomicWith(owner: string, path: string, write: (handle: number) => void): void {
  checkTarget(owner, path);
  removeStaleTemporaries(path);
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  let handle: number;
  try {
    handle = openSync(temporary, 'w', 0o644);
  } catch (error) {
    throw new Error(`${owner}: cannot write '${path}' (${(error as Error).message})`, { cause: error });
  }
  inFlight.add(temporary);
  try {
    try {
      write(handle);
      fsyncSync(handle); // the data must be on disk before the rename makes it visible
    } finally {
      closeSync(handle);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Already renamed or removed: nothing left behind.
    }
    throw (error as Error).message.startsWith(owner)
      ? error
      : new Error(`${owner}: writing '${path}' failed (${(error as Error).message}); the previous file is intact`, {
          cause: error,
        });
  } finally {
    inFlight.delete(temporary);
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

/**
 * Writes `bytes` to `path` atomically (temporary file, fsync, rename, fsync of the directory),
 * in chunks of at most 64 MiB.
 *
 * @example
 * writeFileAtomic('/tmp/model.safetensors', bytes);
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  writeFileAtomicWith('writeFileAtomic', path, (handle) => writeAllSync(handle, bytes, DEFAULT_CHUNK_BYTES));
}
