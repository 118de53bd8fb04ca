// SPDX-License-Identifier: MIT
import { type IDBPDatabase, openDB } from 'idb';
import { blockCount } from '../core/constants';
import { blockLength } from '../core/content/outboard';
import type { ManifestSummary } from '../core/library/manifest-summary';
import { sweepStaleDrafts } from './draft-store';
import { readRecords } from './record-reads';
import { badBlock, notReceived, notReceiving, storeError, unavailable } from './store-errors';
import {
  type BlockWrite,
  DB_VERSION,
  DEFAULT_DB_NAME,
  dropBlocks,
  type FilesTx,
  freshRecord,
  isComplete,
  type StoredCollection,
  type StoredFile,
  type TransferDB,
  upgradeSchema,
} from './store-schema';
import {
  isBlobRefusal,
  type StoredBlock,
  storedBlockSize,
  toStoredBlock,
  withBytes,
} from './stored-block';

export type { BlockWrite, StoredCollection, StoredFile, TransferDB } from './store-schema';
export { DEFAULT_DB_NAME, isComplete, isVerified } from './store-schema';

/** Blocks read per IndexedDB request when a stored file is put together (16 MiB of 1 MiB blocks). */
const BLOB_SLICE_BLOCKS = 16;

/**
 * Received blocks and what is known about them, in IndexedDB. A block and
 * its "verified" bit are written in one transaction: after a crash either
 * both are there or neither, so resume never trusts a block it lacks.
 * Records are keyed by `recordKey`; see `store-schema` for the layout.
 */
export class BlockStore {
  /** True once the browser closed the connection under us (disk full, storage cleared). */
  private lost = false;
  /** False once this browser's IndexedDB refused a Blob (WebKit): blocks are then kept as bytes. */
  private blobs = true;
  /**
   * One-block files' records as `ensureFiles` registered them in this page.
   * Storing such a file's only block decides its whole record (verified,
   * proven), so `putBatch` writes it without reading it first, and a new
   * one is not written before its block: a thousand small files cost two
   * thousand fewer requests. Deleted with the record; a record deleted in
   * another tab comes back only together with its block, whole and
   * consistent.
   */
  private readonly oneBlock = new Map<string, StoredFile>();

  private constructor(
    private db: IDBPDatabase<TransferDB>,
    private readonly name: string,
  ) {}

  private static connect(name: string, onLost: () => void): Promise<IDBPDatabase<TransferDB>> {
    const pending = openDB<TransferDB>(name, DB_VERSION, {
      upgrade: (db, oldVersion, _newVersion, tx) => {
        // A failed migration must change nothing: aborting keeps the old version, whole.
        upgradeSchema(db, oldVersion, tx).catch(() => tx.abort());
      },
      blocking() {
        // A newer tab wants to upgrade: step aside rather than block it.
        void pending.then((db) => db.close());
      },
      terminated: onLost,
    });
    return pending;
  }

  /** Opens (creating or upgrading) the store; `Store/Unavailable` when IndexedDB is not usable. */
  static async open(name: string = DEFAULT_DB_NAME): Promise<BlockStore> {
    try {
      let store: BlockStore | null = null;
      const db = await BlockStore.connect(name, () => {
        if (store) store.lost = true;
      });
      store = new BlockStore(db, name);
      // Drafts never adopted (their sender went away) must not hold space for ever.
      await store.inFilesTx((tx) => sweepStaleDrafts(tx, Date.now())).catch(() => {});
      return store;
    } catch (err) {
      throw unavailable(err);
    }
  }

  /**
   * The connection, opened again if the browser closed it (Chromium does when
   * the disk fills up): after the person frees space, storing works again.
   */
  private async live(): Promise<IDBPDatabase<TransferDB>> {
    if (!this.lost) return this.db;
    try {
      this.db = await BlockStore.connect(this.name, () => {
        this.lost = true;
      });
      this.lost = false;
      return this.db;
    } catch (err) {
      throw storeError(err);
    }
  }

  /**
   * Runs `work` in one readwrite transaction over records and blocks: for
   * modules that extend the store (`draft-store`). Any failure aborts the
   * whole transaction and is thrown as a store error a person can read.
   */
  async inFilesTx<T>(work: (tx: FilesTx) => Promise<T>): Promise<T> {
    const tx = (await this.live()).transaction(['files', 'blocks'], 'readwrite');
    tx.done.catch(() => {});
    try {
      const out = await work(tx);
      await tx.done;
      return out;
    } catch (err) {
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      throw storeError(err);
    }
  }

  /** Closes the connection. */
  close(): void {
    this.db.close();
  }

  /** Saves a collection's manifest, the link it came from and its summary (idempotent; newer ones replace the old). */
  async putCollection(
    hash: string,
    manifest: Uint8Array,
    link?: string,
    summary?: ManifestSummary,
  ): Promise<void> {
    const now = Date.now();
    const existing = await (await this.live()).get('collections', hash);
    try {
      await (await this.live()).put('collections', {
        hash,
        manifest,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        link: link ?? existing?.link,
        summary: summary ?? existing?.summary,
      });
    } catch (err) {
      throw storeError(err);
    }
  }

  /** Adds a summary to a collection kept before summaries were (its dates stay as they were). */
  async putSummary(hash: string, summary: ManifestSummary): Promise<void> {
    const existing = await (await this.live()).get('collections', hash);
    if (existing) await (await this.live()).put('collections', { ...existing, summary });
  }

  /** A stored collection, or undefined. */
  async getCollection(hash: string): Promise<StoredCollection | undefined> {
    return (await this.live()).get('collections', hash);
  }

  /** Every stored collection, newest first. */
  async listCollections(): Promise<StoredCollection[]> {
    const all = await (await this.live()).getAll('collections');
    return all.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /**
   * Registers many files in one transaction (1,000 small files must not cost
   * 1,000 commits); keeps what is stored for content already known. A record
   * of another size under the same key that is not proven was made from a
   * false claim (the key names the content, so names its size): it is
   * replaced, its blocks dropped. Returns each file's record, in order.
   */
  async ensureFiles(
    list: readonly { key: string; size: number; outboard: Uint8Array | null }[],
  ): Promise<StoredFile[]> {
    const tx = (await this.live()).transaction(['files', 'blocks'], 'readwrite');
    tx.done.catch(() => {});
    const files = tx.objectStore('files');
    try {
      // All records asked for at once (only those kept): awaiting each in turn kept a
      // thousand-file transfer from starting for as many round trips to the browser.
      const existing = await readRecords(
        files,
        list.map(({ key }) => key),
      );
      const fresh = new Map<string, StoredFile>();
      const out = list.map(({ key, size, outboard }, i) => {
        const known = fresh.get(key) ?? existing[i];
        if (known && (known.proven || known.size === size)) return known;
        if (known) void dropBlocks(tx, known).catch(() => {});
        const file = freshRecord(key, size, outboard);
        // Two entries with the same content share one record, as they did when read in turn.
        fresh.set(key, file);
        // A new one-block file's record is written with its block (`putBatch`), never empty:
        // a thousand small files cost a thousand fewer writes before the first request.
        if (!known && blockCount(size) === 1) return file;
        void files.put(file).catch(() => {});
        return file;
      });
      await tx.done;
      for (const file of out) {
        if (blockCount(file.size) === 1) this.oneBlock.set(file.key, file);
        else this.oneBlock.delete(file.key);
      }
      return out;
    } catch (err) {
      throw storeError(err);
    }
  }

  /** A file's record, or undefined. */
  async getFile(key: string): Promise<StoredFile | undefined> {
    return (await this.live()).get('files', key);
  }

  /** Many files' records (undefined where unknown), in order, read in one transaction. */
  async getFiles(keys: readonly string[]): Promise<(StoredFile | undefined)[]> {
    const tx = (await this.live()).transaction('files', 'readonly');
    const out = await readRecords(tx.store, keys);
    await tx.done;
    return out;
  }

  /**
   * Stores verified blocks of any number of files in one transaction (many
   * small files cost one commit, not one each) and marks them verified. The
   * caller must have checked each block against its expected hash; a
   * one-block file's expected hash is its file hash, so storing its block
   * proves it. On any failure, quota included, the whole batch is rolled
   * back and earlier data is intact. Returns the updated records by key.
   */
  async putBatch(
    writes: readonly (BlockWrite & { key: string })[],
  ): Promise<Map<string, StoredFile>> {
    // Blob blocks are turned into bytes before the transaction: it would not survive the wait.
    const blobs = this.blobs;
    if (!blobs) writes = await Promise.all(writes.map(withBytes));
    const tx = (await this.live()).transaction(['files', 'blocks'], 'readwrite');
    // Without this, a rejected put would surface as an unhandled rejection of tx.done.
    tx.done.catch(() => {});
    const requests: Promise<unknown>[] = [];
    const track = (request: Promise<unknown>) => {
      // Requests of an aborted transaction reject too; the cause is reported once, below.
      request.catch(() => {});
      requests.push(request);
    };
    try {
      // Every file's record asked for at once: one at a time, each waited for, cost a
      // thousand small files twice the CPU of the reads themselves (measured in Chromium).
      const files = new Map<string, StoredFile>();
      const unknown: string[] = [];
      for (const key of new Set(writes.map((w) => w.key))) {
        const registered = this.oneBlock.get(key);
        // Its one block is in this batch: the record is decided below, whatever it held.
        if (registered) files.set(key, { ...registered, verified: new Uint8Array(1) });
        else unknown.push(key);
      }
      const records = await Promise.all(unknown.map((k) => tx.objectStore('files').get(k)));
      unknown.forEach((k, i) => {
        const record = records[i];
        if (!record) throw notReceiving();
        files.set(k, record);
      });
      for (const { key, index, data } of writes) {
        const file = files.get(key)!;
        const count = blockCount(file.size);
        if (!Number.isInteger(index) || index < 0 || index >= count) {
          throw badBlock(`Block ${index} is outside a file of ${count} blocks.`);
        }
        const length = storedBlockSize(data as StoredBlock);
        if (length !== blockLength(file.size, index)) {
          throw badBlock(
            `Block ${index} has ${length} bytes; ${blockLength(file.size, index)} were expected.`,
          );
        }
        track(tx.objectStore('blocks').put(toStoredBlock(data, blobs), [file.blockKey, index]));
        const bit = 1 << (index & 7);
        if ((file.verified[index >> 3]! & bit) === 0) {
          file.verified[index >> 3]! |= bit;
          file.verifiedCount++;
        }
        if (count === 1) {
          file.verifiedCount = 1;
          file.proven = true;
        }
      }
      for (const file of files.values()) track(tx.objectStore('files').put(file));
      await Promise.all(requests);
      await tx.done;
      return files;
    } catch (err) {
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      // A request of an aborted transaction only says "aborted": the transaction knows why (e.g. quota).
      const cause =
        (err as Error)?.name === 'AbortError'
          ? await tx.done.then(
              () => err,
              (e) => e ?? err,
            )
          : err;
      // Nothing of the batch was kept: store it again, and from now on, as bytes.
      if (blobs && isBlobRefusal(cause)) {
        this.blobs = false;
        return this.putBatch(writes);
      }
      throw storeError(cause);
    }
  }

  /** Marks a complete file proven (its bytes hashed to its file hash); false when it is gone or incomplete. */
  async markProven(key: string): Promise<boolean> {
    const tx = (await this.live()).transaction('files', 'readwrite');
    tx.done.catch(() => {});
    try {
      const file = await tx.store.get(key);
      if (!file || !isComplete(file)) return false;
      file.proven = true;
      await tx.store.put(file);
      await tx.done;
      return true;
    } catch (err) {
      throw storeError(err);
    }
  }

  /** One stored block (bytes or a Blob, as `toStoredBlock` chose), or undefined; for tests and diagnostics. */
  async getBlock(key: string, index: number): Promise<StoredBlock | undefined> {
    const file = await this.getFile(key);
    return file && (await this.live()).get('blocks', [file.blockKey, index]);
  }

  /**
   * The stored bytes of a complete file as one Blob, proven or not: what a
   * proof hashes. Anything shown or saved must use `fileBlob`.
   */
  async storedBytes(key: string, type = 'application/octet-stream'): Promise<Blob> {
    const file = await this.getFile(key);
    if (!file || !isComplete(file)) throw notReceived();
    return this.blobOf(file, type);
  }

  /**
   * A received file as one Blob made of the stored blocks, only once it is
   * proven: the browser reads the full-size blocks from disk on demand; only
   * blocks kept as bytes (at most `INLINE_BLOCK_BYTES` each, a small file or
   * a file's short last block) pass through the JS heap.
   */
  async fileBlob(key: string, type = 'application/octet-stream'): Promise<Blob> {
    const file = await this.getFile(key);
    if (!file || !isComplete(file) || !file.proven) throw notReceived();
    return this.blobOf(file, type);
  }

  private async blobOf(file: StoredFile, type: string): Promise<Blob> {
    const count = blockCount(file.size);
    // A slice at a time, each made a Blob at once: where full blocks are kept as bytes
    // (a WebKit that refused Blobs) the JS heap holds one slice, not the whole file.
    // An empty file has no blocks (and an empty key range would throw).
    const parts: Blob[] = [];
    const db = await this.live();
    for (let first = 0; first < count; first += BLOB_SLICE_BLOCKS) {
      const last = Math.min(count, first + BLOB_SLICE_BLOCKS) - 1;
      const range = IDBKeyRange.bound([file.blockKey, first], [file.blockKey, last]);
      parts.push(new Blob(await db.getAll('blocks', range)));
    }
    return new Blob(parts, { type });
  }

  /** Deletes a file and all its blocks. */
  async deleteFile(key: string): Promise<void> {
    this.oneBlock.delete(key);
    const tx = (await this.live()).transaction(['files', 'blocks'], 'readwrite');
    tx.done.catch(() => {});
    const file = await tx.objectStore('files').get(key);
    if (file) {
      await tx.objectStore('files').delete(key);
      await dropBlocks(tx, file);
    }
    await tx.done;
  }

  /** Deletes a collection record (its files are deleted separately, as others may share them). */
  async deleteCollection(hash: string): Promise<void> {
    this.oneBlock.clear();
    await (await this.live()).delete('collections', hash);
  }
}
