// SPDX-License-Identifier: MIT

// Crockford base32: no I, L, O, U, so a code read aloud is not misheard.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A short code from a collection hash ("7K3M-Q9XA", 40 bits) that people on
 * both devices compare by eye: equal codes mean the same files were offered.
 */
export function verificationCode(hash: Uint8Array): string {
  if (hash.length < 5) throw new RangeError('verificationCode needs at least 5 bytes');
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(hash[i]!);
  let out = '';
  for (let i = 7; i >= 0; i--) out += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}
