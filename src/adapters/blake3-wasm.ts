// SPDX-License-Identifier: MIT
import { createBLAKE3 } from 'hash-wasm';
import type { Blake3 } from '../core/content/blake3';

/** A fresh incremental BLAKE3 backed by hash-wasm's WebAssembly build. */
export async function createBlake3(): Promise<Blake3> {
  const hasher = await createBLAKE3();
  return {
    init: () => {
      hasher.init();
    },
    update: (data) => {
      hasher.update(data);
    },
    digest: () => hasher.digest('binary'),
  };
}
