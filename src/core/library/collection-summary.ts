// SPDX-License-Identifier: MIT
import { BLOCK_SIZE, blockCount } from '../constants';
import { blockLength } from '../content/outboard';
import { formatCount, formatNumber } from '../format';

/** What the store knows about one received file (none of it trusted to be consistent: it is clamped). */
export interface StoredProgress {
  size: number;
  /** Blocks verified and stored. */
  verifiedCount: number;
  /** True when the last (possibly short) block is among them. */
  lastBlockVerified: boolean;
  /** False while its bytes are not yet proven to hash to the file hash: not done, whatever is stored. */
  proven?: boolean;
}

/** One past or unfinished transfer, as the Received screen lists it. */
export interface CollectionSummary {
  /** A name a person recognises: the one top folder, or the first file and how many more. */
  title: string;
  /** Files the sender offered. */
  offeredFiles: number;
  /** Files this device chose to receive (those with a stored record). */
  chosenFiles: number;
  chosenBytes: number;
  /** Chosen files whose every block is verified. */
  doneFiles: number;
  verifiedBytes: number;
  /** True when every chosen file is complete. */
  complete: boolean;
}

/** Exact bytes verified: whole blocks, less what the last block lacks when it is short. */
export function verifiedBytes(p: StoredProgress): number {
  const blocks = blockCount(p.size);
  const count = Math.min(Math.max(0, p.verifiedCount), blocks);
  if (count === 0) return 0;
  const short = BLOCK_SIZE - blockLength(p.size, blocks - 1);
  return Math.min(p.size, count * BLOCK_SIZE - (p.lastBlockVerified ? short : 0));
}

// As localeCompare orders them, with one collator rather than one made per comparison.
const byName = new Intl.Collator();

/** The title of a collection from its paths (manifest order); linear in their number. */
export function collectionTitle(paths: readonly string[]): string {
  if (paths.length === 0) return 'Nothing';
  const top = paths[0]!.split('/')[0]!;
  if (paths.every((p) => p.startsWith(`${top}/`))) {
    return `${top} (${formatCount(paths.length, 'file')})`;
  }
  // The first as a person sorts them, found in one pass rather than by sorting them all.
  let first = paths[0]!;
  for (const p of paths) if (byName.compare(p, first) < 0) first = p;
  const name = first.split('/').pop()!;
  return paths.length === 1 ? name : `${name} and ${formatNumber(paths.length - 1)} more`;
}

/**
 * Sums a collection's stored progress: `kept` is its title and file sizes
 * (from the manifest, see `ManifestSummary`), `records[i]` belongs to file i
 * (undefined: not chosen).
 */
export function summarizeCollection(
  kept: { title: string; sizes: readonly number[] },
  records: readonly (StoredProgress | undefined)[],
): CollectionSummary {
  let chosenFiles = 0;
  let chosenBytes = 0;
  let doneFiles = 0;
  let verified = 0;
  kept.sizes.forEach((size, i) => {
    const record = records[i];
    if (!record) return;
    chosenFiles++;
    chosenBytes += size;
    const bytes = Math.min(size, verifiedBytes({ ...record, size }));
    verified += bytes;
    if (bytes === size && record.verifiedCount >= blockCount(size) && record.proven !== false)
      doneFiles++;
  });
  return {
    title: kept.title,
    offeredFiles: kept.sizes.length,
    chosenFiles,
    chosenBytes,
    doneFiles,
    verifiedBytes: verified,
    complete: chosenFiles > 0 && doneFiles === chosenFiles,
  };
}
