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

/** The title of a collection from its paths (manifest order). */
export function collectionTitle(paths: readonly string[]): string {
  if (paths.length === 0) return 'Nothing';
  const tops = new Set(paths.map((p) => p.split('/')[0]));
  if (tops.size === 1 && paths.every((p) => p.includes('/'))) {
    return `${[...tops][0]} (${formatCount(paths.length, 'file')})`;
  }
  const first = [...paths].sort((a, b) => a.localeCompare(b))[0]!;
  const name = first.split('/').pop()!;
  return paths.length === 1 ? name : `${name} and ${formatNumber(paths.length - 1)} more`;
}

/** Sums a collection's stored progress; `records[i]` belongs to `files[i]` (undefined: not chosen). */
export function summarizeCollection(
  files: readonly { path: string; size: number }[],
  records: readonly (StoredProgress | undefined)[],
): CollectionSummary {
  let chosenFiles = 0;
  let chosenBytes = 0;
  let doneFiles = 0;
  let verified = 0;
  files.forEach((f, i) => {
    const record = records[i];
    if (!record) return;
    chosenFiles++;
    chosenBytes += f.size;
    const bytes = Math.min(f.size, verifiedBytes({ ...record, size: f.size }));
    verified += bytes;
    if (bytes === f.size && record.verifiedCount >= blockCount(f.size)) doneFiles++;
  });
  return {
    title: collectionTitle(files.map((f) => f.path)),
    offeredFiles: files.length,
    chosenFiles,
    chosenBytes,
    doneFiles,
    verifiedBytes: verified,
    complete: chosenFiles > 0 && doneFiles === chosenFiles,
  };
}
