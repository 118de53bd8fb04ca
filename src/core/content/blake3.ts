// SPDX-License-Identifier: MIT

/**
 * An incremental BLAKE3 hasher (256-bit output). Core takes it as an
 * argument so it stays free of WASM loading: workers pass hash-wasm's,
 * tests also pass an independent implementation as an oracle.
 */
export interface Blake3 {
  /** Starts a new hash, forgetting anything fed before. */
  init(): void;
  /** Feeds bytes. */
  update(data: Uint8Array): void;
  /** Finishes the current hash and returns its 32 bytes. */
  digest(): Uint8Array;
}

/** BLAKE3 of one byte string, using (and resetting) `hasher`. */
export function blake3Of(hasher: Blake3, data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest();
}
