/**
 * The chunk ranges of a parallel section (guided self-scheduling, thread-pool.ts): they must
 * cover the section's units exactly once, in order, whatever thread claims them, or a threaded
 * kernel would skip or repeat work. Exact checks, no tolerance.
 */
import { describe, expect, it } from 'vitest';
import { chunkCount, chunkStart } from './thread-pool.js';

describe('chunkStart', () => {
  it('cuts the units into consecutive, non-empty, non-increasing chunks that end at the total', () => {
    for (const total of [1, 2, 3, 7, 32, 33, 100, 1000, 32768, 100352])
      for (const divisor of [2, 4, 8])
        for (const minimum of [1, 2, 5, 1343]) {
          const parts = chunkCount(total, divisor, minimum);
          const starts = Array.from({ length: parts + 1 }, (_, part) => chunkStart(part, total, divisor, minimum));
          expect(starts[0]).toBe(0);
          expect(starts[parts]).toBe(total);
          const sizes = starts.slice(1).map((start, part) => start - starts[part]!);
          for (let part = 0; part < parts; part++) {
            expect(sizes[part]!).toBeGreaterThan(0);
            if (part > 0) expect(sizes[part]!).toBeLessThanOrEqual(sizes[part - 1]!);
          }
          // A claim past the last chunk finds an empty range.
          expect(chunkStart(parts + 1, total, divisor, minimum)).toBe(total);
        }
  });

  it('gives the MLP product 128×784·784×256 on two threads chunks of 8, 6, 5, 4, 3, 2, 1, 1, 1, 1 row panels', () => {
    const starts = Array.from({ length: chunkCount(32, 4, 1) + 1 }, (_, part) => chunkStart(part, 32, 4, 1));
    expect(starts.slice(1).map((start, part) => start - starts[part]!)).toEqual([8, 6, 5, 4, 3, 2, 1, 1, 1, 1]);
  });
});
