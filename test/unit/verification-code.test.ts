import { describe, expect, it } from 'vitest';
import { VERIFICATION_CODE_BITS, verificationCode } from '../../src/core/verification-code';

describe('verificationCode', () => {
  it('carries at least 64 bits of the hash', () => {
    expect(VERIFICATION_CODE_BITS).toBeGreaterThanOrEqual(64);
    // Each of the 80 bits shows: flipping any one of them changes the code.
    const zero = verificationCode(new Uint8Array(32));
    for (let bit = 0; bit < 80; bit++) {
      const hash = new Uint8Array(32);
      hash[bit >> 3] = 0x80 >> (bit & 7);
      expect(verificationCode(hash)).not.toBe(zero);
    }
    // Bits past the 80th do not: the code is a prefix of the hash, nothing more.
    const tail = new Uint8Array(32);
    tail[10] = 0xff;
    expect(verificationCode(tail)).toBe(zero);
  });

  it('gives 16 Crockford base32 characters in four groups', () => {
    expect(verificationCode(new Uint8Array(32))).toBe('0000-0000-0000-0000');
    expect(verificationCode(new Uint8Array(32).fill(0xff))).toBe('ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    // 0x0123456789abcdeffedc in 5-bit groups, computed apart from this code (Python).
    const hash = Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc]);
    expect(verificationCode(hash)).toBe('04HM-ASW9-NF6Y-ZZPW');
  });

  it('refuses a hash too short to fill it', () => {
    expect(() => verificationCode(new Uint8Array(9))).toThrow(RangeError);
  });
});
