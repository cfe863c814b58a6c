import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from './index.js';

describe('base64', () => {
  it('encodes and decodes the RFC 4648 section 10 test vectors', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['Zg==', 'f'],
      ['Zm8=', 'fo'],
      ['Zm9v', 'foo'],
      ['Zm9vYg==', 'foob'],
      ['Zm9vYmE=', 'fooba'],
      ['Zm9vYmFy', 'foobar'],
    ];
    for (const [encoded, plain] of vectors) {
      expect(new TextDecoder().decode(decodeBase64(encoded))).toBe(plain);
      expect(encodeBase64(new TextEncoder().encode(plain))).toBe(encoded);
    }
  });

  it('agrees with Node Buffer on arbitrary bytes, both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
      }),
    );
  });

  it('encodes across its chunk boundary (49,152 bytes) as one text', () => {
    const bytes = Uint8Array.from({ length: 3 * 16384 + 5 }, (_, index) => (index * 7) & 255);
    expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('rejects bad input with a clear message', () => {
    expect(() => decodeBase64('abc')).toThrow('decodeBase64: text length 3 is not a multiple of 4');
    expect(() => decodeBase64('ab*d')).toThrow("decodeBase64: invalid character '*' at offset 2");
    expect(() => decodeBase64('ab=d')).toThrow("decodeBase64: invalid character '=' at offset 2");
  });
});
