// SPDX-License-Identifier: MIT

/** Files up to this size (256 KiB, not empty) are read through a SmallFileReader. */
export const SMALL_FILE_BYTES = 256 * 1024;
/** Most files (16) read together in one group. */
export const GROUP_FILES = 16;
/** Most bytes (1 MiB) read together in one group. */
export const GROUP_BYTES = 1024 * 1024;
/** Most bytes (4 MiB) read ahead and not yet asked for; the oldest go first. */
const CACHE_BYTES = 4 * 1024 * 1024;
/** How many recently served files count when telling an in-order run of requests. */
const RECENT_FILES = 64;

/** Reads a Blob's bytes (injected in tests to count reads). */
export type ReadBlob = (blob: Blob) => Promise<ArrayBuffer>;

interface Cached {
  bytes: number;
  /** The file's bytes, from its group's read, or read alone if the group's read failed. */
  take: () => Promise<Uint8Array>;
}

/**
 * Reads a sender's small files, several at once when they are asked for in
 * order. Every read of a picked file is a round trip to the browser process
 * that costs about as much CPU as the bytes of a small file themselves:
 * measured over a raw channel here (bench `ceiling-small` against reading 16
 * files as one Blob), a thousand 64 KiB files cost 87 CPU ms/MB read one by
 * one and 80 read sixteen at a time. A receiver asks for files in manifest
 * order, spread over its streams, so once a file's predecessor was just
 * served, this file and up to 15 after it (≤ 1 MiB) are read as one Blob and
 * kept until asked for (≤ 4 MiB in all, the oldest dropped first). Requests
 * out of order (a resume, a chosen few) read one file each, so nothing is
 * read much ahead of need. A group that fails to read (a file changed or
 * vanished since it was picked) falls back to reading each file alone, so
 * the error lands on the file it belongs to.
 */
export class SmallFileReader {
  private readonly cache = new Map<number, Cached>();
  private cachedBytes = 0;
  private readonly recent: number[] = [];

  constructor(
    private readonly files: readonly Blob[],
    private readonly readBlob: ReadBlob = (blob) => blob.arrayBuffer(),
  ) {}

  /** Whether file `index` is read here: it exists, is not empty, and is at most SMALL_FILE_BYTES. */
  handles(index: number): boolean {
    const size = this.files[index]?.size ?? 0;
    return size > 0 && size <= SMALL_FILE_BYTES;
  }

  /** The whole of file `index` (one that `handles`). */
  read(index: number): Promise<Uint8Array> {
    const inOrder = this.recent.includes(index - 1);
    this.recent.push(index);
    if (this.recent.length > RECENT_FILES) this.recent.shift();
    const cached = this.cache.get(index);
    if (cached) {
      this.cache.delete(index);
      this.cachedBytes -= cached.bytes;
      return cached.take();
    }
    const group = inOrder ? this.groupAfter(index) : [];
    if (group.length === 0) return this.readOne(index);
    return this.readGroup([index, ...group]);
  }

  /** Files to read along with `index`: the next small ones not already served, cached or too many. */
  private groupAfter(index: number): number[] {
    const group: number[] = [];
    let bytes = this.files[index]!.size;
    for (let i = index + 1; i < this.files.length && group.length < GROUP_FILES - 1; i++) {
      if (!this.handles(i)) break;
      if (this.cache.has(i) || this.recent.includes(i)) continue;
      bytes += this.files[i]!.size;
      if (bytes > GROUP_BYTES) break;
      group.push(i);
    }
    return group;
  }

  private readOne(index: number): Promise<Uint8Array> {
    return this.readBlob(this.files[index]!).then((buffer) => new Uint8Array(buffer));
  }

  /** Reads `indices` as one Blob; returns the first file's bytes and keeps the others. */
  private readGroup(indices: readonly number[]): Promise<Uint8Array> {
    const sizes = indices.map((i) => this.files[i]!.size);
    const total = sizes.reduce((a, b) => a + b, 0);
    const whole = this.readBlob(new Blob(indices.map((i) => this.files[i]!))).then((buffer) => {
      if (buffer.byteLength !== total) throw new Error('A file changed size since it was picked.');
      return buffer;
    });
    // Observed by each file when it is asked for; one never asked for must not report it.
    whole.catch(() => {});
    let offset = 0;
    const takes = indices.map((index, k) => {
      const at = offset;
      offset += sizes[k]!;
      return () =>
        whole.then(
          (buffer) => new Uint8Array(buffer, at, sizes[k]!),
          () => this.readOne(index),
        );
    });
    for (let k = 1; k < indices.length; k++) this.keep(indices[k]!, sizes[k]!, takes[k]!);
    return takes[0]!();
  }

  private keep(index: number, bytes: number, take: () => Promise<Uint8Array>): void {
    for (const [old, entry] of this.cache) {
      if (this.cachedBytes + bytes <= CACHE_BYTES) break;
      this.cache.delete(old);
      this.cachedBytes -= entry.bytes;
    }
    this.cache.set(index, { bytes, take });
    this.cachedBytes += bytes;
  }
}
