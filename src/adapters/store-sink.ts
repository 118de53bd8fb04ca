// SPDX-License-Identifier: MIT
import { blockLength, expectedBlockHash } from '../core/content/outboard';
import { isFerryError } from '../core/errors';
import { type BlockSink, CheckLost } from '../core/transfer/receive-engine';
import type { BlockStore } from './block-store';
import type { HashPool } from './hash-pool';
import { type StoredBlock, storedBlockSize } from './stored-block';

/** What the sink knows of each file (by manifest index). */
export interface SinkFile {
  /** The store's key for the file (`recordKey`). */
  key: string;
  fileHash: Uint8Array;
  size: number;
  outboard: Uint8Array;
  /**
   * True for a file of several blocks none of which was stored before this
   * receive: its whole-file hash is built as its blocks are checked
   * (`HashPool.finishProof`), so proving it needs no read-back.
   */
  runningProof?: boolean;
}

/**
 * A block's check that failed on this device for good (the pool was
 * closed): not a verdict on the sender's data. (A check lost with its
 * worker is a `CheckLost`: the block is asked for again.) Storing it
 * rejects with `error`, which stops the run as a storage failure would
 * (paused, everything kept), instead of counting a bad copy against the
 * sender and failing a good file.
 */
export interface LocalFault {
  localFault: unknown;
}

/** What the sink's verify hands to its store: a checked block, or a local fault. */
export type SinkKept = StoredBlock | LocalFault;

/**
 * Most bytes (8 MiB) and blocks (64, of any files) written in one IndexedDB
 * transaction, and the longest a block waits for its batch (10 ms). One
 * block per transaction ran at half the speed here (`npm run bench`:
 * store-write against idb-raw-write), and 1,000 small files must not cost
 * 1,000 commits.
 */
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_BLOCKS = 64;
const BATCH_WAIT_MS = 10;

interface Pending {
  key: string;
  block: number;
  data: StoredBlock;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The receiving engine's sink in the browser: verifies blocks in the hash
 * workers against the outboard (which hand back good blocks in the form
 * they are stored, Blobs made there or small blocks' bytes, so the main
 * thread makes no Blob), and stores them in IndexedDB in batches across
 * files. A block's promise resolves only once its transaction has
 * committed.
 */
export function storeSink(
  store: BlockStore,
  pool: HashPool,
  files: readonly SinkFile[],
): BlockSink<SinkKept> {
  let pending: Pending[] = [];
  let pendingBytes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    if (batch.length === 0) return;
    store.putBatch(batch.map((p) => ({ key: p.key, index: p.block, data: p.data }))).then(
      () => {
        for (const p of batch) p.resolve();
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
      },
    );
  };

  return {
    verify(file, block, data) {
      const f = files[file];
      if (!f || data.length !== blockLength(f.size, block)) return Promise.resolve(null);
      // The pool rejects only for faults of its own (it answers null for a bad block).
      const expected = expectedBlockHash(f.size, f.fileHash, f.outboard, block);
      return pool
        .verifyBlock(data, expected, f.runningProof ? { key: f.key, block } : undefined)
        .catch((fault: unknown): LocalFault | CheckLost =>
          // The worker stopped with the block, which was transferred to it: ask the sender again.
          isFerryError(fault) && fault.name === 'Hash/WorkerFailed'
            ? new CheckLost(fault)
            : { localFault: fault },
        );
    },
    store(file, block, kept) {
      if (!(kept instanceof Blob) && !(kept instanceof Uint8Array))
        return Promise.reject(kept.localFault);
      return new Promise<void>((resolve, reject) => {
        pending.push({ key: files[file]!.key, block, data: kept, resolve, reject });
        pendingBytes += storedBlockSize(kept);
        if (pending.length >= BATCH_BLOCKS || pendingBytes >= BATCH_BYTES) flush();
        else timer ??= setTimeout(flush, BATCH_WAIT_MS);
      });
    },
  };
}
