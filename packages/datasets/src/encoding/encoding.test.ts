import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fnv1a32 } from './fnv1a.js';
import { unpackBits } from './unpack-bits.js';

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    expect(fnv1a32([encode('')])).toBe(0x811c9dc5);
    expect(fnv1a32([encode('a')])).toBe(0xe40c292c);
    expect(fnv1a32([encode('foobar')])).toBe(0xbf9cf968);
    expect(fnv1a32([encode('foo'), encode('bar')])).toBe(0xbf9cf968);
  });
});

describe('unpackBits', () => {
  it('reads MSB-first fields', () => {
    expect(Array.from(unpackBits(Uint8Array.of(0b10001000, 0b11000000), 5, 2))).toEqual([17, 3]);
    expect(Array.from(unpackBits(Uint8Array.of(0x9a, 0xbc), 4, 4))).toEqual([9, 10, 11, 12]);
  });

  it('inverts an independent bit-string packer for any width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.nat(255), { maxLength: 40 }), (bits, raw) => {
        const values = raw.map((value) => value % (1 << bits));
        const bitString = values.map((value) => value.toString(2).padStart(bits, '0')).join('');
        const padded = bitString.padEnd(Math.ceil(bitString.length / 8) * 8, '0');
        const bytes = Uint8Array.from(padded.match(/.{8}/g) ?? [], (byte) => parseInt(byte, 2));
        expect(Array.from(unpackBits(bytes, bits, values.length))).toEqual(values);
      }),
    );
  });

  it('rejects too few bytes', () => {
    expect(() => unpackBits(new Uint8Array(1), 5, 2)).toThrow('unpackBits: 2 values of 5 bits need 2 bytes, got 1');
  });
});
