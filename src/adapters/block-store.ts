// SPDX-License-Identifier: MIT
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import { blockCount } from '../core/constants';
import { blockLength } from '../core/content/outboard';
import { FerryError } from '../core/errors';
import type { ManifestSummary } from '../core/library/manifest-summary';
import { type StoredBlock, storedBlockSize, toStoredBlock } from './stored-block';

/** A received collection: its manifest bytes, kept so a reload can resume. */
export interface StoredCollection {
  /** Collection hash, hex. */
  hash: string;
  /** Canonical manifest bytes (their BLAKE3 is `hash`). */
  manifest: Uint8Array;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Milliseconds since the epoch of the last change. */
  updatedAt: number;
  /** The link it came from (so the Received screen can resume it), if known. */
  link?: string;
  /** What listing it needs of the manifest (absent in records kept before it existed). */
  summary?: ManifestSummary;
}

/** A file's metadata and which of its blocks are verified and stored. */
export interface StoredFile {
  /** File hash (BLAKE3 of the content), hex: the key. */
  hash: string;
  size: number;
  /** Block hashes (32 bytes each) for files of more than one block, else null. */
  outboard: Uint8Array | null;
  /** Bit i set when block i is verified and stored (LSB first within each byte). */
  verified: Uint8Array;
  /** Number of bits set in `verified`. */
  verifiedCount: number;
}

/**
 * The IndexedDB schema. Full-size blocks are Blobs so large files stay on
 * disk, not in the JS heap; small ones are bytes (see `INLINE_BLOCK_BYTES`).
 */
export interface TransferDB extends DBSchema {
  collections: { key: string; value: StoredCollection };
  files: { key: string; value: StoredFile };
  blocks: { key: [string, number]; value: StoredBlock };
}

/** A verified block to store. */
export interface BlockWrite {
  index: number;
  data: Uint8Array | Blob;
}

/** Name of the IndexedDB database. */
export const DEFAULT_DB_NAME = 'ferry';
const DB_VERSION = 1;

/** Turns a browser storage failure into a FerryError a person can act on. */
function storeError(err: unknown): unknown {
  const { name, message } = (err ?? {}) as { name?: string; message?: string };
  // Over the browser's quota, or the disk itself is full (Chromium then closes the connection).
  if (name === 'QuotaExceededError' || /NO_SPACE|no space left/i.test(message ?? '')) {
    return new FerryError(
      'Store/QuotaExceeded',
      'Paused: this device has no more storage space for Ferry. Free some space (or delete old transfers), then press Resume. Everything received so far is kept.',
      { cause: err },
    );
  }
  return err;
}

/** True when block `index` is marked verified in `file`. */
export function isVerified(file: StoredFile, index: number): boolean {
  return ((file.verified[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
}

/**
 * Received blocks and what is known about them, in IndexedDB. A block and
 * its "verified" bit are written in one transaction: after a crash either
 * both are there or neither, so resume never trusts a block it lacks.
 */
export class BlockStore {
  /** True once the browser closed the connection under us (disk full, storage cleared). */
  private lost = false;

  private constructor(
    private db: IDBPDatabase<TransferDB>,
    private readonly name: string,
  ) {}

  private static connect(name: string, onLost: () => void): Promise<IDBPDatabase<TransferDB>> {
    const pending = openDB<TransferDB>(name, DB_VERSION, {
      upgrade(database) {
        database.createObjectStore('collections', { keyPath: 'hash' });
        database.createObjectStore('files', { keyPath: 'hash' });
        database.createObjectStore('blocks');
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
      return store;
    } catch (err) {
      throw new FerryError(
        'Store/Unavailable',
        'This browser does not let Ferry store files (private browsing can do this). Try a normal window.',
        { cause: err },
      );
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

  /** Registers a file to receive; keeps what is already stored for the same content. */
  async ensureFile(hash: string, size: number, outboard: Uint8Array | null): Promise<StoredFile> {
    const [file] = await this.ensureFiles([{ hash, size, outboard }]);
    return file!;
  }

  /**
   * Registers many files in one transaction (1,000 small files must not cost
   * 1,000 commits); keeps what is stored for content already known. Returns
   * each file's record, in order.
   */
  async ensureFiles(
    list: readonly { hash: string; size: number; outboard: Uint8Array | null }[],
  ): Promise<StoredFile[]> {
    const tx = (await this.live()).transaction('files', 'readwrite');
    tx.done.catch(() => {});
    try {
      // All records asked for at once, as in `putBatch`: awaiting each in turn kept a
      // thousand-file transfer from starting for as many round trips to the browser.
      const existing = await Promise.all(list.map(({ hash }) => tx.store.get(hash)));
      const fresh = new Map<string, StoredFile>();
      const out = list.map(({ hash, size, outboard }, i) => {
        const known = existing[i] ?? fresh.get(hash);
        if (known) return known;
        const file: StoredFile = {
          hash,
          size,
          outboard,
          verified: new Uint8Array(Math.ceil(blockCount(size) / 8)),
          verifiedCount: 0,
        };
        // Two entries with the same content share one record, as they did when read in turn.
        fresh.set(hash, file);
        void tx.store.put(file).catch(() => {});
        return file;
      });
      await tx.done;
      return out;
    } catch (err) {
      throw storeError(err);
    }
  }

  /** A file's record, or undefined. */
  async getFile(hash: string): Promise<StoredFile | undefined> {
    return (await this.live()).get('files', hash);
  }

  /** Many files' records (undefined where unknown), in order, read in one transaction. */
  async getFiles(hashes: readonly string[]): Promise<(StoredFile | undefined)[]> {
    const tx = (await this.live()).transaction('files', 'readonly');
    const out = await Promise.all(hashes.map((h) => tx.store.get(h)));
    await tx.done;
    return out;
  }

  /**
   * Stores verified blocks of one file in a single transaction and marks them
   * verified. The caller must have checked each block's hash. On any failure,
   * quota included, the whole batch is rolled back and earlier data is intact.
   */
  async putBlocks(hash: string, blocks: readonly BlockWrite[]): Promise<StoredFile> {
    const files = await this.putBatch(blocks.map((b) => ({ hash, ...b })));
    return files.get(hash)!;
  }

  /**
   * Stores verified blocks of any number of files in one transaction (many
   * small files cost one commit, not one each) and marks them verified.
   * All or nothing, as `putBlocks`. Returns the updated file records.
   */
  async putBatch(
    writes: readonly (BlockWrite & { hash: string })[],
  ): Promise<Map<string, StoredFile>> {
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
      const hashes = [...new Set(writes.map((w) => w.hash))];
      const records = await Promise.all(hashes.map((h) => tx.objectStore('files').get(h)));
      const files = new Map<string, StoredFile>();
      hashes.forEach((h, i) => {
        const record = records[i];
        if (!record) throw new FerryError('Store/NotFound', 'That file is not being received.');
        files.set(h, record);
      });
      for (const { hash, index, data } of writes) {
        const file = files.get(hash)!;
        const count = blockCount(file.size);
        if (!Number.isInteger(index) || index < 0 || index >= count) {
          throw new FerryError(
            'Store/BadBlock',
            `Block ${index} is outside a file of ${count} blocks.`,
          );
        }
        const length = storedBlockSize(data as StoredBlock);
        if (length !== blockLength(file.size, index)) {
          throw new FerryError(
            'Store/BadBlock',
            `Block ${index} has ${length} bytes; ${blockLength(file.size, index)} were expected.`,
          );
        }
        track(tx.objectStore('blocks').put(toStoredBlock(data), [hash, index]));
        const bit = 1 << (index & 7);
        if ((file.verified[index >> 3]! & bit) === 0) {
          file.verified[index >> 3]! |= bit;
          file.verifiedCount++;
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
      throw storeError(cause);
    }
  }

  /** One stored block (bytes or a Blob, as `toStoredBlock` chose), or undefined. */
  async getBlock(hash: string, index: number): Promise<StoredBlock | undefined> {
    return (await this.live()).get('blocks', [hash, index]);
  }

  /** Indices of the blocks not yet verified, in order. */
  async missingBlocks(hash: string): Promise<number[]> {
    const file = await this.getFile(hash);
    if (!file) throw new FerryError('Store/NotFound', 'That file is not being received.');
    const missing: number[] = [];
    for (let i = 0; i < blockCount(file.size); i++) if (!isVerified(file, i)) missing.push(i);
    return missing;
  }

  /**
   * The whole file as one Blob made of the stored blocks: the browser reads
   * the full-size blocks from disk on demand; only blocks kept as bytes (at
   * most `INLINE_BLOCK_BYTES` each, a small file or a file's short last
   * block) pass through the JS heap.
   */
  async fileBlob(hash: string, type = 'application/octet-stream'): Promise<Blob> {
    const file = await this.getFile(hash);
    const count = file ? blockCount(file.size) : 0;
    if (!file || file.verifiedCount !== count) {
      throw new FerryError('Store/NotFound', 'That file has not been fully received yet.');
    }
    // An empty file has no blocks (and an empty key range would throw).
    const blocks =
      count === 0
        ? []
        : await (await this.live()).getAll(
            'blocks',
            IDBKeyRange.bound([hash, 0], [hash, count - 1]),
          );
    return new Blob(blocks, { type });
  }

  /** Deletes a file and all its blocks. */
  async deleteFile(hash: string): Promise<void> {
    const tx = (await this.live()).transaction(['files', 'blocks'], 'readwrite');
    await Promise.all([
      tx.objectStore('files').delete(hash),
      tx
        .objectStore('blocks')
        .delete(IDBKeyRange.bound([hash, 0], [hash, Number.MAX_SAFE_INTEGER])),
      tx.done,
    ]);
  }

  /** Deletes a collection record (its files are deleted separately, as others may share them). */
  async deleteCollection(hash: string): Promise<void> {
    await (await this.live()).delete('collections', hash);
  }
}
