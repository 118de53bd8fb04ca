// SPDX-License-Identifier: MIT

/**
 * Blocks up to this size (256 KiB) are kept in IndexedDB as plain bytes;
 * larger ones as Blobs. Every Blob costs the browser a registration and a
 * file of its own in IndexedDB's blob store: measured here (64 MiB written
 * in 8 MiB transactions), 64 KiB blocks cost 0.74 CPU-s as Blobs against
 * 0.40 as bytes, 16 KiB blocks 2.7 against 0.9, while 1 MiB blocks cost the
 * same either way. Reading a stored file brings only its bytes-kept blocks
 * into the JS heap, so that stays bounded by this size per file: a file of
 * many blocks keeps its full blocks as Blobs on disk.
 */
export const INLINE_BLOCK_BYTES = 256 * 1024;

/** A verified block as stored: bytes (small blocks) or a Blob (full-size ones). */
export type StoredBlock = Uint8Array<ArrayBuffer> | Blob;

/** Length in bytes of a stored block. */
export function storedBlockSize(block: StoredBlock): number {
  return block instanceof Blob ? block.size : block.byteLength;
}

/** A write whose data is bytes (a Blob's read out), for a store that keeps no Blobs. */
export async function withBytes<W extends { data: Uint8Array | Blob }>(write: W): Promise<W> {
  if (!(write.data instanceof Blob)) return write;
  return { ...write, data: new Uint8Array(await write.data.arrayBuffer()) };
}

/**
 * The form in which a verified block is kept: a small block stays bytes
 * (copied when it is a view into a larger buffer, which IndexedDB would
 * otherwise store whole); a large one becomes a Blob, unless `blobs` is
 * false (a store whose IndexedDB refused a Blob; the caller then passes bytes).
 */
export function toStoredBlock(data: Uint8Array | Blob, blobs = true): StoredBlock {
  if (data instanceof Blob) return data;
  if (blobs && data.byteLength > INLINE_BLOCK_BYTES)
    return new Blob([data as Uint8Array<ArrayBuffer>]);
  const exact = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return (exact ? data : data.slice()) as Uint8Array<ArrayBuffer>;
}

/**
 * True when IndexedDB refused to store a Blob value. WebKit does this
 * (Safari on macOS and iOS now and then, WebKitGTK's automation sessions
 * always): "UnknownError: Error preparing Blob/File data to be stored in
 * object store"; older WebKit said "DataCloneError: … BlobURLs are not yet
 * supported". The same bytes stored as a byte array go in.
 * @see https://github.com/dexie/Dexie.js/issues/1919
 */
export function isBlobRefusal(err: unknown): boolean {
  const { name, message } = (err ?? {}) as { name?: string; message?: string };
  return (name === 'UnknownError' || name === 'DataCloneError') && /blob/i.test(message ?? '');
}
