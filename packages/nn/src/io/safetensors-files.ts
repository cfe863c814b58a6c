/**
 * Safetensors files (Node only): the streaming reader and writer. The header is written or
 * read first, then each tensor's bytes move between the file and the tensor's typed array in
 * chunks, so no buffer of the whole file is ever built and files over 2 GiB work. The format
 * in memory (`encodeSafetensors`, `decodeSafetensors`) is in `safetensors.ts`, which browsers
 * use; this file is reached through `@vane/nn/node`.
 *
 * Source: `packages/nn/src/io/safetensors-files.ts`.
 */
import { checkOptionKeys, formatShape, type DType, type Tensor } from '@vane/tensor';
import { writeFileAtomicWith } from './atomic-write.js';
import {
  checkChunkBytes,
  DEFAULT_CHUNK_BYTES,
  readRangeSync,
  withFileForReading,
  writeAllSync,
} from './chunked-file.js';
import { describeSource, type SafetensorsContents, type SafetensorsIoOptions } from './safetensors.js';
import {
  bytesToTensor,
  checkHeaderLength,
  MAX_HEADER_BYTES,
  parseSafetensorsHeader,
  planSafetensors,
} from './safetensors-format.js';

const IO_OPTION_KEYS = ['chunkBytes', 'maxHeaderBytes'] as const;

function ioLimits(owner: string, options: SafetensorsIoOptions): { chunkBytes: number; maxHeaderBytes: number } {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  checkChunkBytes(owner, chunkBytes);
  const maxHeaderBytes = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(maxHeaderBytes) || maxHeaderBytes < 8)
    throw new Error(`${owner}: maxHeaderBytes must be an integer of at least 8, got ${String(maxHeaderBytes)}`);
  return { chunkBytes, maxHeaderBytes };
}

/** Options of {@link saveSafetensors}. */
export interface SaveSafetensorsOptions extends SafetensorsIoOptions {
  /** String metadata stored in the header's `__metadata__`. */
  metadata?: Record<string, string>;
}

/**
 * Writes `tensors` (and string `metadata`) to `path` in the safetensors format, streaming
 * each tensor's bytes from its typed array, atomically: a crash during the write leaves any
 * previous file intact, and temporaries left by killed writers are removed. Everything
 * {@link readSafetensors} would refuse (reserved or malformed names, unsupported dtypes,
 * a header over the size limit, bool bytes other than 0/1) is refused before writing, naming
 * the tensor; so is a `path` that is a directory.
 *
 * @example
 * saveSafetensors('model.safetensors', Object.fromEntries(model.namedParameters()));
 * // Python: safetensors.torch.load_file('model.safetensors')
 */
export function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor> | ReadonlyMap<string, Tensor>,
  options: SaveSafetensorsOptions = {},
): void {
  checkOptionKeys('saveSafetensors', options, ['metadata', ...IO_OPTION_KEYS]);
  writeSafetensorsFile('saveSafetensors', path, tensors, options.metadata ?? {}, options);
}

/**
 * The streaming writer behind {@link saveSafetensors} and `saveCheckpoint`: errors name
 * `owner` and `path`.
 */
export function writeSafetensorsFile(
  owner: string,
  path: string,
  tensors: Record<string, Tensor> | ReadonlyMap<string, Tensor>,
  metadata: Record<string, string>,
  options: SafetensorsIoOptions = {},
): void {
  const where = `${owner}: '${path}'`;
  const { chunkBytes, maxHeaderBytes } = ioLimits(owner, options);
  const plan = planSafetensors(where, tensors, metadata, maxHeaderBytes);
  writeFileAtomicWith(owner, path, (handle) => {
    writeAllSync(handle, plan.prefix, chunkBytes);
    for (const { bytes } of plan.blobs) writeAllSync(handle, bytes, chunkBytes);
  });
}

/** Options of {@link loadSafetensors}. */
export interface LoadSafetensorsOptions extends SafetensorsIoOptions {
  /** Shapes and dtypes the file must have (by name); a mismatch is an error naming the tensor. */
  expected?: Record<string, { shape: readonly number[]; dtype?: DType }>;
}

/**
 * Reads the tensors of a safetensors file (written by Vane, `safetensors`/PyTorch, or any
 * conforming writer), keyed by name. See `decodeSafetensors` (in `@vane/nn`) for dtypes and checks;
 * `readSafetensorsMetadata` gives the metadata.
 *
 * @example
 * const tensors = loadSafetensors('model.safetensors');
 * model.loadParameters(unflattenNamed(Object.entries(tensors)));
 */
export function loadSafetensors(path: string, options: LoadSafetensorsOptions = {}): Record<string, Tensor> {
  checkOptionKeys('loadSafetensors', options, ['expected', ...IO_OPTION_KEYS]);
  const { tensors } = readSafetensors(path, { chunkBytes: options.chunkBytes, maxHeaderBytes: options.maxHeaderBytes });
  for (const [name, want] of Object.entries(options.expected ?? {})) {
    const found = Object.hasOwn(tensors, name) ? tensors[name] : undefined;
    if (!found)
      throw new Error(
        `loadSafetensors: '${path}' has no tensor '${name}' (it has ${Object.keys(tensors).join(', ') || 'none'})`,
      );
    const shapeMatches =
      found.shape.length === want.shape.length && found.shape.every((size, axis) => size === want.shape[axis]);
    if (!shapeMatches || (want.dtype && want.dtype !== found.dtype)) {
      throw new Error(
        `loadSafetensors: '${path}' tensor '${name}' has shape ${formatShape(found.shape)} ${found.dtype}, expected ${formatShape(want.shape)}${want.dtype ? ` ${want.dtype}` : ''}`,
      );
    }
  }
  return tensors;
}

function readHeader(path: string, handle: number, size: number, maxHeaderBytes: number) {
  const where = describeSource(path);
  const first = new Uint8Array(8);
  if (size >= 8) readRangeSync(where, handle, first, 0, 8);
  const length = checkHeaderLength(where, first, size, maxHeaderBytes);
  const headerBytes = new Uint8Array(length);
  readRangeSync(where, handle, headerBytes, 8, DEFAULT_CHUNK_BYTES);
  return { where, dataStart: 8 + length, header: parseSafetensorsHeader(where, headerBytes, size - 8 - length) };
}

/**
 * The tensors and metadata of a safetensors file, read with a file handle: the header first,
 * then each tensor's byte range straight into its own typed array (in chunks of
 * `chunkBytes`), so files of any size load without a whole-file buffer. A path that is a
 * directory, missing or unreadable is an error naming the path.
 *
 * @example
 * const { tensors, metadata } = readSafetensors('model.safetensors');
 */
export function readSafetensors(path: string, options: SafetensorsIoOptions = {}): SafetensorsContents {
  checkOptionKeys('readSafetensors', options, IO_OPTION_KEYS);
  const { chunkBytes, maxHeaderBytes } = ioLimits('readSafetensors', options);
  return withFileForReading('readSafetensors', path, ({ handle, size }) => {
    const { where, dataStart, header } = readHeader(path, handle, size, maxHeaderBytes);
    const tensors: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
    for (const [name, entry] of header.entries) {
      const bytes = new Uint8Array(entry.end - entry.begin);
      readRangeSync(where, handle, bytes, dataStart + entry.begin, chunkBytes);
      tensors[name] = bytesToTensor(where, name, entry, bytes);
    }
    return { tensors, metadata: header.metadata };
  });
}

/**
 * The `__metadata__` strings of a safetensors file; reads only the header.
 *
 * @example
 * readSafetensorsMetadata('model.safetensors').format; // 'pt'
 */
export function readSafetensorsMetadata(path: string): Record<string, string> {
  return withFileForReading(
    'readSafetensorsMetadata',
    path,
    ({ handle, size }) => readHeader(path, handle, size, MAX_HEADER_BYTES).header.metadata,
  );
}
