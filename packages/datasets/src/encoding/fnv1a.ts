/**
 * 32-bit FNV-1a hash of the concatenation of byte arrays.
 *
 * `h₀ = 2166136261`; for each byte `b`: `h ← (h XOR b) · 16777619 mod 2³²`.
 * Not cryptographic; it guards the embedded data against accidental corruption.
 *
 * @example
 * fnv1a32([new TextEncoder().encode('a')]); // 0xe40c292c
 *
 * Source: G. Fowler, L. C. Noll, K.-P. Vo, "The FNV Non-Cryptographic Hash Algorithm"
 * (IETF draft-eastlake-fnv), FNV-1a with the 32-bit offset basis and prime.
 */
export function fnv1a32(chunks: readonly Uint8Array[]): number {
  let hash = 0x811c9dc5;
  for (const chunk of chunks) {
    for (let index = 0; index < chunk.length; index += 1) {
      hash ^= chunk[index];
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return hash >>> 0;
}
