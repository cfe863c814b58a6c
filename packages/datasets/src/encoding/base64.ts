/**
 * Decodes standard base64 (RFC 4648 §4, with `=` padding) into bytes.
 *
 * Written out instead of using `atob`/`Buffer` so the embedded datasets decode the same way
 * in Node and in browsers, without a binary-string detour.
 *
 * @example
 * decodeBase64('AQID'); // Uint8Array [1, 2, 3]
 *
 * Source: RFC 4648, "The Base16, Base32, and Base64 Data Encodings", section 4.
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) {
    throw new Error(`decodeBase64: text length ${text.length} is not a multiple of 4`);
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let byteIndex = 0;
  for (let index = 0; index < text.length; index += 4) {
    let group = 0;
    for (let offset = 0; offset < 4; offset += 1) {
      const character = text.charCodeAt(index + offset);
      const isPadding = character === 61 && index + offset >= text.length - padding;
      const value = isPadding ? 0 : sextet(character);
      if (value < 0) {
        throw new Error(`decodeBase64: invalid character '${text[index + offset]}' at offset ${index + offset}`);
      }
      group = (group << 6) | value;
    }
    for (let shift = 16; shift >= 0 && byteIndex < bytes.length; shift -= 8) {
      bytes[byteIndex] = (group >> shift) & 0xff;
      byteIndex += 1;
    }
  }
  return bytes;
}

function sextet(character: number): number {
  if (character >= 65 && character <= 90) return character - 65; // A-Z
  if (character >= 97 && character <= 122) return character - 71; // a-z
  if (character >= 48 && character <= 57) return character + 4; // 0-9
  if (character === 43) return 62; // +
  if (character === 47) return 63; // /
  return -1;
}
