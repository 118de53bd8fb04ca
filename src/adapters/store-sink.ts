// SPDX-License-Identifier: MIT
import { bytesEqual } from '../core/bytes';
import { blockLength, expectedBlockHash } from '../core/content/outboard';
import type { BlockSink } from '../core/transfer/receive-engine';
import type { BlockStore } from './block-store';
import type { HashPool } from './hash-pool';

/** What the sink knows of each file (by manifest index). */
export interface SinkFile {
  /** File hash, hex: the store's key. */
  hashHex: string;
  fileHash: Uint8Array;
  size: number;
  outboard: Uint8Array;
}

/**
 * Most blocks written in one IndexedDB transaction (8, of any files), and
 * the longest a block waits for its batch (10 ms). One block per transaction
 * ran at half the speed here (`npm run bench`: store-write against
 * idb-raw-write), and 1,000 small files must not cost 1,000 commits.
 */
const BATCH_BLOCKS = 8;
const BATCH_WAIT_MS = 10;

interface Pending {
  hash: string;
  block: number;
  data: Uint8Array;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The receiving engine's sink in the browser: verifies blocks in the hash
 * workers against the outboard, and stores them in IndexedDB in batches
 * across files. A block's promise resolves only once its transaction has
 * committed.
 */
export function storeSink(
  store: BlockStore,
  pool: HashPool,
  files: readonly SinkFile[],
): BlockSink {
  let pending: Pending[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    store.putBatch(batch.map((p) => ({ hash: p.hash, index: p.block, data: p.data }))).then(
      () => {
        for (const p of batch) p.resolve();
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
      },
    );
  };

  return {
    async verify(file, block, data) {
      const f = files[file];
      if (!f || data.length !== blockLength(f.size, block)) return null;
      const result = await pool.hashBytes(data);
      return bytesEqual(result.hash, expectedBlockHash(f.size, f.fileHash, f.outboard, block))
        ? result.data
        : null;
    },
    store(file, block, data) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ hash: files[file]!.hashHex, block, data, resolve, reject });
        if (pending.length >= BATCH_BLOCKS) flush();
        else timer ??= setTimeout(flush, BATCH_WAIT_MS);
      });
    },
  };
}
