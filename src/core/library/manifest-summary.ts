// SPDX-License-Identifier: MIT
import { HASH_SIZE } from '../constants';
import type { ManifestEntry } from '../content/manifest';
import { hasOutboard } from '../content/outboard';
import { collectionTitle } from './collection-summary';

/** Version of `ManifestSummary`'s layout; a record of another version is summarized again. */
export const MANIFEST_SUMMARY_VERSION = 1;

/**
 * What the Received screen needs of a kept collection's manifest, kept beside
 * it so that listing never decodes a manifest again: the title, each file's
 * size, and what finds each file's stored record (`recordKey` of the hashes).
 * Hashes are packed into two byte arrays, which IndexedDB stores and reads as
 * one value each rather than one object per file.
 */
export interface ManifestSummary {
  version: typeof MANIFEST_SUMMARY_VERSION;
  title: string;
  /** Each file's size in bytes, in manifest order. */
  sizes: number[];
  /** Each file's BLAKE3, 32 bytes each, in manifest order. */
  fileHashes: Uint8Array;
  /** The outboard hash of each file that has one (more than one block), 32 bytes each, in order. */
  outboardHashes: Uint8Array;
}

/** Summarizes a decoded (so valid) manifest's files. */
export function summarizeManifest(files: readonly ManifestEntry[]): ManifestSummary {
  const fileHashes = new Uint8Array(files.length * HASH_SIZE);
  const withOutboard = files.filter((f) => f.outboardHash !== null);
  const outboardHashes = new Uint8Array(withOutboard.length * HASH_SIZE);
  for (const [i, f] of files.entries()) fileHashes.set(f.fileHash, i * HASH_SIZE);
  for (const [i, f] of withOutboard.entries()) outboardHashes.set(f.outboardHash!, i * HASH_SIZE);
  return {
    version: MANIFEST_SUMMARY_VERSION,
    title: collectionTitle(files.map((f) => f.path)),
    sizes: files.map((f) => f.size),
    fileHashes,
    outboardHashes,
  };
}

/**
 * True when `value` is a summary this version wrote, consistent with itself
 * (an old, foreign or damaged record is not: it is summarized again).
 */
export function isManifestSummary(value: unknown): value is ManifestSummary {
  const s = value as Partial<ManifestSummary> | null | undefined;
  if (!s || s.version !== MANIFEST_SUMMARY_VERSION || typeof s.title !== 'string') return false;
  if (!Array.isArray(s.sizes) || !(s.fileHashes instanceof Uint8Array)) return false;
  if (!(s.outboardHashes instanceof Uint8Array)) return false;
  let outboards = 0;
  for (const size of s.sizes) {
    if (!Number.isSafeInteger(size) || size < 0) return false;
    if (hasOutboard(size)) outboards++;
  }
  return (
    s.fileHashes.length === s.sizes.length * HASH_SIZE &&
    s.outboardHashes.length === outboards * HASH_SIZE
  );
}

/** The summary's files as `recordKey` takes them (views into its arrays, not copies), in manifest order. */
export function summaryEntries(
  summary: ManifestSummary,
): Pick<ManifestEntry, 'size' | 'fileHash' | 'outboardHash'>[] {
  let outboard = 0;
  return summary.sizes.map((size, i) => ({
    size,
    fileHash: summary.fileHashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE),
    outboardHash: hasOutboard(size)
      ? summary.outboardHashes.subarray(outboard * HASH_SIZE, ++outboard * HASH_SIZE)
      : null,
  }));
}
