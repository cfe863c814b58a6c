/**
 * Reads the Fashion-MNIST IDX files the user picked, in the page: gzip is undone with the
 * browser's DecompressionStream, and the images and labels files are told apart by their
 * header (3 dimensions or 1), so the names do not matter. Nothing is uploaded.
 */
import type { IdxPair } from '../training/task-data.js';

async function decompressed(file: File): Promise<Uint8Array> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new Error(
      `readIdxFiles: '${file.name}' starts like gzip but does not decompress (${(error as Error).message}); it is probably truncated`,
    );
  }
}

/**
 * The images and labels bytes among the picked files. With both a `train` and a `t10k` pair
 * picked, the training pair is used. Errors name the function and the file.
 *
 * @example
 * const pair = await readIdxFiles(input.files!);
 */
export async function readIdxFiles(files: FileList | File[]): Promise<IdxPair> {
  const found: { images: { name: string; bytes: Uint8Array }[]; labels: { name: string; bytes: Uint8Array }[] } = {
    images: [],
    labels: [],
  };
  for (const file of Array.from(files)) {
    const bytes = await decompressed(file);
    if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) {
      throw new Error(
        `readIdxFiles: '${file.name}' is not an IDX file of unsigned bytes (it should start with 00 00 08); pick the Fashion-MNIST images and labels files`,
      );
    }
    if (bytes[3] === 3) found.images.push({ name: file.name, bytes });
    else if (bytes[3] === 1) found.labels.push({ name: file.name, bytes });
    else throw new Error(`readIdxFiles: '${file.name}' has ${bytes[3]} dimensions; expected images (3) or labels (1)`);
  }
  const pick = (kind: 'images' | 'labels') => {
    const candidates = found[kind];
    if (candidates.length === 0)
      throw new Error(
        `readIdxFiles: no ${kind} file among the ${Array.from(files).length} picked (expected ${kind === 'images' ? 'train-images-idx3-ubyte(.gz)' : 'train-labels-idx1-ubyte(.gz)'})`,
      );
    return (candidates.find((candidate) => candidate.name.startsWith('train')) ?? candidates[0]!).bytes;
  };
  return { images: pick('images'), labels: pick('labels') };
}
