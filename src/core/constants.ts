// SPDX-License-Identifier: MIT

/** Bytes per block (1 MiB): the unit of request, verification, storage and resume. */
export const BLOCK_SIZE = 1024 * 1024;

/**
 * Bytes a hash worker reads from a picked file at a time (8 MiB). Reads of a
 * disk-backed File cross to the browser process, so few large reads beat many
 * small ones (1 MiB reads ran at about half the speed of 16 MiB reads here).
 * A file no larger than this has no progress to report before it is done.
 */
export const HASH_READ_SIZE = 8 * 1024 * 1024;

/** Bytes in a BLAKE3 digest (256 bits). */
export const HASH_SIZE = 32;

/** Largest file size accepted, 2^53 - 1 bytes: the largest exact integer in JS. */
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;

/**
 * Most files in one collection. A peer could announce billions to make us
 * allocate; 100,000 is far past any real share and keeps a manifest under
 * about 8 MiB.
 */
export const MAX_FILES = 100_000;

/** Longest encoded manifest accepted, in bytes (64 MiB); decoding refuses more before parsing. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/**
 * Most UTF-8 bytes of all a collection's paths together (8 MiB): 100,000
 * files at 80 bytes each, past any real share. Every check of a manifest
 * looks at each path byte a few times, so this bounds the time a hostile
 * manifest can cost the page; MAX_MANIFEST_BYTES alone would let 64 MiB of
 * names through.
 */
export const MAX_TOTAL_PATH_BYTES = 8 * 1024 * 1024;

/** Longest path in UTF-8 bytes (4096, Linux PATH_MAX). */
export const MAX_PATH_BYTES = 4096;

/** Longest single path segment in UTF-8 bytes (255, the common filesystem NAME_MAX). */
export const MAX_NAME_BYTES = 255;

/** Deepest folder nesting accepted (64 segments): deeper trees break real filesystems and tools. */
export const MAX_PATH_DEPTH = 64;

/** Longest relay URL in a ticket, in bytes: keeps the QR code scannable. */
export const MAX_RELAY_URL_BYTES = 200;

/** Bytes in a ticket's room secret (256 bits). */
export const SECRET_SIZE = 32;

/** Number of blocks in a file of `size` bytes (0 for an empty file). */
export function blockCount(size: number): number {
  return Math.ceil(size / BLOCK_SIZE);
}
