// SPDX-License-Identifier: MIT

// Crockford base32: no I, L, O, U, so a code read aloud is not misheard.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Bits of the collection hash a verification code carries (16 characters of 5 bits). */
export const VERIFICATION_CODE_BITS = 80;

/**
 * A code from a collection hash ("7K3M-Q9XA-4B2C-DE5F", 80 bits) that people
 * on both devices compare by eye: equal codes mean the same files were
 * offered. At least 64 bits, so finding other files that show the same code
 * is out of reach, not a matter of an afternoon of hashing (40 bits was).
 */
export function verificationCode(hash: Uint8Array): string {
  const bytes = VERIFICATION_CODE_BITS / 8;
  if (hash.length < bytes) throw new RangeError(`verificationCode needs at least ${bytes} bytes`);
  let bits = 0n;
  for (let i = 0; i < bytes; i++) bits = (bits << 8n) | BigInt(hash[i]!);
  let out = '';
  for (let i = VERIFICATION_CODE_BITS / 5 - 1; i >= 0; i--)
    out += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return out.match(/.{4}/g)!.join('-');
}
