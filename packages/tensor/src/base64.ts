/**
 * Base64 (RFC 4648 §4, standard alphabet, with `=` padding) of raw bytes: the one
 * implementation the packages share (optimizer state in @vane/optim's `serializeState`, the
 * embedded digits in @vane/datasets).
 *
 * Written out instead of using `atob`/`Buffer` so it behaves the same in Node and in browsers,
 * without a binary-string detour, and encodes hundreds of megabytes in chunks.
 *
 * Source: RFC 4648, "The Base16, Base32, and Base64 Data Encodings", section 4.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let index = 0; index < ALPHABET.length; index++) DECODE[ALPHABET.charCodeAt(index)] = index;
const PADDING = 61; // '='

/**
 * Encodes bytes as base64 text.
 *
 * @example
 * encodeBase64(Uint8Array.of(1, 2, 3)); // 'AQID'
 */
export function encodeBase64(bytes: Uint8Array): string {
  const chunks: string[] = [];
  // Whole triples per chunk, so only the last chunk is padded; chunks keep each join small.
  const chunkBytes = 3 * 16384;
  for (let start = 0; start < bytes.length; start += chunkBytes) {
    const end = Math.min(bytes.length, start + chunkBytes);
    const characters: string[] = [];
    for (let index = start; index < end; index += 3) {
      const a = bytes[index]!;
      const b = index + 1 < end ? bytes[index + 1]! : 0;
      const c = index + 2 < end ? bytes[index + 2]! : 0;
      const triple = (a << 16) | (b << 8) | c;
      characters.push(
        ALPHABET[(triple >> 18) & 63]! +
          ALPHABET[(triple >> 12) & 63]! +
          (index + 1 < end ? ALPHABET[(triple >> 6) & 63]! : '=') +
          (index + 2 < end ? ALPHABET[triple & 63]! : '='),
      );
    }
    chunks.push(characters.join(''));
  }
  return chunks.join('');
}

/**
 * Decodes base64 text to bytes.
 *
 * @throws when the length is not a multiple of 4, or at the first character outside the
 *   alphabet (naming it and its offset).
 * @example
 * decodeBase64('AQID'); // Uint8Array [1, 2, 3]
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error(`decodeBase64: text length ${text.length} is not a multiple of 4`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let out = 0;
  for (let index = 0; index < text.length; index += 4) {
    let triple = 0;
    for (let offset = 0; offset < 4; offset++) {
      const code = text.charCodeAt(index + offset);
      const isPadding = code === PADDING && index + offset >= text.length - padding;
      const value = isPadding ? 0 : code < 128 ? DECODE[code]! : -1;
      if (value < 0)
        throw new Error(`decodeBase64: invalid character '${text[index + offset]}' at offset ${index + offset}`);
      triple = (triple << 6) | value;
    }
    if (out < bytes.length) bytes[out++] = (triple >> 16) & 255;
    if (out < bytes.length) bytes[out++] = (triple >> 8) & 255;
    if (out < bytes.length) bytes[out++] = triple & 255;
  }
  return bytes;
}
