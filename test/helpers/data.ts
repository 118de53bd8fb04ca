// SPDX-License-Identifier: MIT
import { blake3 } from '@noble/hashes/blake3.js';
import type { Blake3 } from '../../src/core/content/blake3';

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function pseudoRandomBytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** An independent BLAKE3 (@noble/hashes, pure JS) behind core's interface: the test oracle. */
export function nobleBlake3(): Blake3 {
  let h = blake3.create();
  return {
    init: () => {
      h = blake3.create();
    },
    update: (data) => {
      h.update(data);
    },
    digest: () => h.digest(),
  };
}

/** One-shot oracle BLAKE3. */
export function oracleHash(data: Uint8Array): Uint8Array {
  return blake3(data);
}
