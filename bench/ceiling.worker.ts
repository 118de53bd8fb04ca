// SPDX-License-Identifier: MIT
// The ceiling cases' hashing worker: BLAKE3 of one received block with
// hash-wasm and nothing else, then the block in the form IndexedDB keeps it
// (the app's own rule: a Blob above 256 KiB, else the bytes, handed back).
// Plain postMessage, no Comlink: the least a verifying receiver must do.
import { createBLAKE3 } from 'hash-wasm';
import { INLINE_BLOCK_BYTES } from '../src/adapters/stored-block';

const hasher = createBLAKE3();

self.onmessage = async (e: MessageEvent<{ id: number; data: Uint8Array<ArrayBuffer> }>) => {
  const { id, data } = e.data;
  const h = await hasher;
  h.init();
  h.update(data);
  const hash = h.digest('binary');
  if (data.byteLength > INLINE_BLOCK_BYTES)
    self.postMessage({ id, hash, stored: new Blob([data]) });
  else self.postMessage({ id, hash, stored: data }, { transfer: [data.buffer] });
};
