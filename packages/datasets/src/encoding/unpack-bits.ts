/**
 * Unpacks `count` unsigned integers of `bitsPerValue` bits each from an MSB-first bit stream.
 *
 * Value `i` occupies stream bits `[i·b, (i+1)·b)`, where stream bit `k` is bit `7 − (k mod 8)`
 * of byte `⌊k/8⌋` (most significant bit first), matching the packer in
 * `scripts/embed-digits.mjs`.
 *
 * @example
 * unpackBits(Uint8Array.of(0b10001_000, 0b11_000000), 5, 2); // Uint8Array [17, 3]
 */
export function unpackBits(packed: Uint8Array, bitsPerValue: number, count: number): Uint8Array {
  if (!Number.isInteger(bitsPerValue) || bitsPerValue < 1 || bitsPerValue > 8) {
    throw new Error(`unpackBits: bitsPerValue must be an integer in 1..8, got ${bitsPerValue}`);
  }
  const neededBytes = Math.ceil((count * bitsPerValue) / 8);
  if (packed.length < neededBytes) {
    throw new Error(
      `unpackBits: ${count} values of ${bitsPerValue} bits need ${neededBytes} bytes, got ${packed.length}`,
    );
  }
  const values = new Uint8Array(count);
  let bitPosition = 0;
  for (let index = 0; index < count; index += 1) {
    let value = 0;
    for (let bit = 0; bit < bitsPerValue; bit += 1) {
      value = (value << 1) | ((packed[bitPosition >> 3] >> (7 - (bitPosition & 7))) & 1);
      bitPosition += 1;
    }
    values[index] = value;
  }
  return values;
}
