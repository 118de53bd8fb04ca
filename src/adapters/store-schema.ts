// SPDX-License-Identifier: MIT
import { blake3 } from '@noble/hashes/blake3.js';
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import { fromHex } from '../core/bytes';
import { blockCount, HASH_SIZE } from '../core/constants';
import { EMPTY_FILE_HASH_HEX, recordKey } from '../core/content/record-key';
import type { ManifestSummary } from '../core/library/manifest-summary';
import type { StoredBlock } from './stored-block';

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
  /** The record's key (`recordKey`): file hash, and outboard hash for a file of several blocks. */
  key: string;
  /**
   * First part of its blocks' keys (`[blockKey, index]`): the record key,
   * except for records kept from version 1, whose blocks stay where they
   * were (moving them would copy every Blob on disk).
   */
  blockKey: string;
  size: number;
  /** Block hashes (32 bytes each) for files of more than one block, else null. */
  outboard: Uint8Array | null;
  /** Bit i set when block i is verified and stored (LSB first within each byte). */
  verified: Uint8Array;
  /** Number of bits set in `verified`. */
  verifiedCount: number;
  /**
   * True once the stored bytes are known to hash to the file hash: a
   * one-block file when its block is stored (its block hash is the file
   * hash), a larger one when the receiver hashed the whole file. Only a
   * proven file counts as received.
   */
  proven: boolean;
  /**
   * Milliseconds since the epoch of the last write, on draft records only
   * (absent on others, and on records kept before it existed): a draft not
   * written for `DRAFT_MAX_AGE_MS` is removed.
   */
  updatedAt?: number;
}

/**
 * The IndexedDB schema. Full-size blocks are Blobs so large files stay on
 * disk, not in the JS heap; small ones are bytes (see `INLINE_BLOCK_BYTES`).
 */
export interface TransferDB extends DBSchema {
  collections: { key: string; value: StoredCollection };
  /** `byBlockKey`: which records' blocks lie under a `blockKey` (deleting one must not take another's). */
  files: { key: string; value: StoredFile; indexes: { byBlockKey: string } };
  blocks: { key: [string, number]; value: StoredBlock };
}

/** A verified block to store. */
export interface BlockWrite {
  index: number;
  data: Uint8Array | Blob;
}

/** Name of the IndexedDB database. */
export const DEFAULT_DB_NAME = 'ferry';

/** Version 2: records keyed by `recordKey`, with `blockKey` and `proven`. */
export const DB_VERSION = 2;

/** A file record as version 1 kept it: keyed by the file hash alone, nothing proven. */
interface FileV1 {
  hash: string;
  size: number;
  outboard: Uint8Array | null;
  verified: Uint8Array;
  verifiedCount: number;
}

/** A new, empty record for a file of `size` bytes, its blocks under its own key. */
export function freshRecord(key: string, size: number, outboard: Uint8Array | null): StoredFile {
  return {
    key,
    blockKey: key,
    size,
    outboard,
    verified: new Uint8Array(Math.ceil(blockCount(size) / 8)),
    verifiedCount: 0,
    // An empty file has nothing to fetch: it is proven when it claims the hash of no bytes.
    proven: size === 0 && key === EMPTY_FILE_HASH_HEX,
  };
}

/** True when block `index` is marked verified in `file`. */
export function isVerified(file: StoredFile, index: number): boolean {
  return ((file.verified[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
}

/** True when every block of `file` is verified and stored (it may still be unproven). */
export function isComplete(file: StoredFile): boolean {
  return file.verifiedCount === blockCount(file.size);
}

/** A readwrite transaction over records and blocks. */
export type FilesTx = IDBPTransaction<TransferDB, ('files' | 'blocks')[], 'readwrite'>;

/**
 * Deletes the blocks under `file.blockKey` unless another record keeps its
 * blocks there (a record kept from version 1 keeps them under its bare file
 * hash, which a false one-block claim of that hash would also name; an
 * adopted draft's record keeps them under the draft's key).
 */
export async function dropBlocks(tx: FilesTx, file: StoredFile): Promise<void> {
  const owners = await tx.objectStore('files').index('byBlockKey').getAllKeys(file.blockKey);
  if (owners.some((k) => k !== file.key)) return;
  await tx.objectStore('blocks').delete(blockRange(file.blockKey));
}

/** Every key of `blockKey`'s blocks. */
export function blockRange(blockKey: string): IDBKeyRange {
  return IDBKeyRange.bound([blockKey, 0], [blockKey, Number.MAX_SAFE_INTEGER]);
}

/**
 * A version 1 record as version 2 keeps it, or null when it cannot be keyed
 * (a file of several blocks without a whole outboard, which version 1 never
 * wrote). Its blocks stay where they are. A complete one-block file stays
 * proven (version 1 checked its block against the file hash itself); a
 * larger one is proven again before it counts, as version 1 never hashed it
 * whole. The outboard's hash is needed at once, inside the upgrade's
 * transaction, where nothing may be awaited but IndexedDB: hence a
 * synchronous BLAKE3 here (a 4 GiB file's outboard is 128 KiB, hashed once).
 */
function fromV1(old: FileV1): StoredFile | null {
  const count = blockCount(old.size);
  let outboardHash: Uint8Array | null = null;
  if (count > 1) {
    if (!old.outboard || old.outboard.length !== count * HASH_SIZE) return null;
    outboardHash = blake3(old.outboard);
  }
  const complete = old.verifiedCount === count;
  return {
    key: recordKey({ fileHash: fromHex(old.hash), outboardHash }),
    blockKey: old.hash,
    size: old.size,
    outboard: count > 1 ? old.outboard : null,
    verified: old.verified,
    verifiedCount: old.verifiedCount,
    proven: complete && (count === 1 || (count === 0 && old.hash === EMPTY_FILE_HASH_HEX)),
  };
}

/** Creates the stores, or brings a version 1 database to version 2 keeping every verified block. */
export async function upgradeSchema(
  db: IDBPDatabase<TransferDB>,
  oldVersion: number,
  tx: IDBPTransaction<TransferDB, StoreNames<TransferDB>[], 'versionchange'>,
): Promise<void> {
  if (oldVersion < 1) {
    db.createObjectStore('collections', { keyPath: 'hash' });
    db.createObjectStore('blocks');
  }
  if (oldVersion < 2) {
    const old =
      oldVersion === 1 ? ((await tx.objectStore('files').getAll()) as unknown as FileV1[]) : [];
    if (oldVersion === 1) db.deleteObjectStore('files');
    const files = db.createObjectStore('files', { keyPath: 'key' });
    files.createIndex('byBlockKey', 'blockKey');
    for (const v1 of old) {
      let record: StoredFile | null = null;
      try {
        record = fromV1(v1);
      } catch {
        // A record version 1 could not have written (its hash not hex): nothing to keep.
      }
      if (record) void files.put(record);
      // Blocks no record can name again would only take space.
      else if (typeof v1.hash === 'string')
        void tx.objectStore('blocks').delete(blockRange(v1.hash));
    }
  }
}
