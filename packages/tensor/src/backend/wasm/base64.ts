/** @file Base64 → bytes without `atob` or `Buffer`, neither of which the ES2022 target declares everywhere. */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const sextet = new Uint8Array(128);
for (let i = 0; i < alphabet.length; i++) sextet[alphabet.charCodeAt(i)] = i;

/** Decodes standard (RFC 4648, padded) base64. */
export function decodeBase64(text: string): Uint8Array {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let j = 0;
  for (let i = 0; i < text.length; i += 4) {
    const bits =
      (sextet[text.charCodeAt(i)] << 18) |
      (sextet[text.charCodeAt(i + 1)] << 12) |
      (sextet[text.charCodeAt(i + 2)] << 6) |
      sextet[text.charCodeAt(i + 3)];
    bytes[j++] = bits >> 16;
    if (j < bytes.length) bytes[j++] = (bits >> 8) & 0xff;
    if (j < bytes.length) bytes[j++] = bits & 0xff;
  }
  return bytes;
}
