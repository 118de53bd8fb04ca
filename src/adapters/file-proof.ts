// SPDX-License-Identifier: MIT
import { bytesEqual } from '../core/bytes';
import { blockCount } from '../core/constants';
import type { ManifestEntry } from '../core/content/manifest';
import type { ReceiveEvent } from '../core/transfer/receive-engine';
import type { BlockStore } from './block-store';
import type { HashPool } from './hash-pool';

/** What proving a stored file found. */
export type ProofVerdict =
  /** Its bytes hash to its file hash: marked proven. */
  | 'proven'
  /** They do not: the file's record and blocks are deleted. */
  | 'refused'
  /** It could not be checked here (storage or workers failed, or stopped): kept, unproven. */
  | { unchecked: unknown };

/**
 * Hashes a complete stored file's bytes in a hash worker (read in place
 * from IndexedDB) and compares them with the hash its manifest claims. On a
 * match the record is marked proven; otherwise the record and its blocks
 * are deleted, so none of those bytes stay under that hash.
 */
export async function proveStored(
  store: BlockStore,
  pool: HashPool,
  key: string,
  fileHash: Uint8Array,
  signal?: AbortSignal,
): Promise<ProofVerdict> {
  try {
    const bytes = await store.storedBytes(key);
    const actual = await pool.hashWhole(bytes, signal ? { signal } : {});
    if (!bytesEqual(actual, fileHash)) {
      await store.deleteFile(key);
      return 'refused';
    }
    return (await store.markProven(key)) ? 'proven' : { unchecked: new Error('File deleted.') };
  } catch (err) {
    return { unchecked: err };
  }
}

/**
 * Proves a complete stored file from the whole-file hash its blocks built
 * as they were checked (`HashPool.finishProof`), with no read-back; null
 * when there is none, or when it is not the file hash (the caller then
 * reads the file back with `proveStored`, which alone may refuse it: a
 * block replaced after it was hashed here must not condemn a good file).
 */
export async function proveRunning(
  store: BlockStore,
  pool: HashPool,
  key: string,
  size: number,
  fileHash: Uint8Array,
): Promise<ProofVerdict | null> {
  const actual = await pool.finishProof(key, blockCount(size));
  if (!actual || !bytesEqual(actual, fileHash)) return null;
  try {
    return (await store.markProven(key)) ? 'proven' : { unchecked: new Error('File deleted.') };
  } catch (err) {
    return { unchecked: err };
  }
}

/** Options for a `ProofGate`. */
export interface ProofGateInit {
  store: BlockStore;
  pool: HashPool;
  entries: readonly ManifestEntry[];
  /** The store key of each entry (`recordKey`), by manifest index. */
  keys: readonly string[];
  /** Where events go once passed, as the engine would send them. */
  onEvent(event: ReceiveEvent): void;
}

/**
 * Stands between the receive engine and the screen: a file's `file-done`
 * passes only once its stored bytes are proven to hash to its file hash,
 * from the hash its blocks built as they were checked, or else by reading
 * them back.
 * The engine checks each block against the sender's outboard; only this
 * proves the outboard itself describes the file the manifest names.
 */
export class ProofGate {
  private readonly proofs = new Map<string, Promise<ProofVerdict>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly proven = new Set<number>();
  private readonly stopper = new AbortController();
  /** Files whose bytes did not match their hash: deleted, not to be asked for again from this sender. */
  readonly refused = new Set<number>();
  /** Files that failed their check here (kept unproven: the next run proves them). */
  readonly unchecked = new Set<number>();

  constructor(private readonly init: ProofGateInit) {}

  /** Records that file `index` is proven already (its record says so), so its `file-done` passes at once. */
  markProven(index: number): void {
    this.proven.add(index);
  }

  /** Passes an engine event on, holding back `file-done` of a file not yet proven until it is. */
  event(event: ReceiveEvent): void {
    // A file given up frees the blocks its running hash held.
    if (event.type === 'file-failed') this.init.pool.forgetProof(this.init.keys[event.file]!);
    const file = event.type === 'file-done' ? event.file : -1;
    // A one-block file's only block was checked against the file hash itself.
    if (file < 0 || this.proven.has(file) || blockCount(this.init.entries[file]!.size) === 1) {
      this.init.onEvent(event);
      return;
    }
    const done = this.prove(file).then((verdict) => this.report(file, verdict));
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Proves file `index`'s stored bytes (once per key at a time, shared by entries of equal content). */
  prove(index: number): Promise<ProofVerdict> {
    const key = this.init.keys[index]!;
    let proof = this.proofs.get(key);
    if (!proof) {
      const { store, pool, entries } = this.init;
      const { size, fileHash } = entries[index]!;
      const signal = this.stopper.signal;
      proof = proveRunning(store, pool, key, size, fileHash).then(
        (verdict) => verdict ?? proveStored(store, pool, key, fileHash, signal),
      );
      this.proofs.set(key, proof);
      void proof.finally(() => this.proofs.delete(key));
    }
    return proof.then((verdict) => {
      if (verdict === 'proven') {
        this.proven.add(index);
        this.unchecked.delete(index);
      }
      return verdict;
    });
  }

  private report(file: number, verdict: ProofVerdict): void {
    if (verdict === 'proven') {
      this.init.onEvent({ type: 'file-done', file });
      return;
    }
    if (this.stopper.signal.aborted) return;
    const path = this.init.entries[file]!.path;
    if (verdict === 'refused') {
      this.refused.add(file);
      this.init.onEvent({
        type: 'file-failed',
        file,
        reason: `"${path}" is not the file its sender named: its bytes do not match the file's own hash, so none of them were kept. Do not trust this sender.`,
      });
      return;
    }
    this.unchecked.add(file);
    const cause = (verdict.unchecked as Error | undefined)?.message ?? String(verdict.unchecked);
    this.init.onEvent({
      type: 'file-failed',
      file,
      reason: `Could not check "${path}" on this device (${cause}). What arrived is kept: receive it again to check it.`,
    });
  }

  /** Stops the proofs under way (a cancel); their files stay stored, unproven, and report nothing. */
  stop(): void {
    this.stopper.abort();
  }

  /** Resolves once every proof started has reported. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}
