// SPDX-License-Identifier: MIT
import { bytesEqual } from '../bytes';
import { blockCount, HASH_SIZE } from '../constants';
import { type DraftFile, matchDraft } from '../content/draft';
import type { ManifestEntry } from '../content/manifest';

/** Prefix of every draft record's key; record keys proper are hex, so they never start with it. */
export const DRAFT_KEY_PREFIX = 'draft:';

/**
 * The store key of a draft file's record and blocks: the same for the same
 * link, path and size, so a reload resumes it, whether the sender then
 * answers with its draft again or, done hashing, with its final manifest
 * (whose indices differ when a file failed). `link` is a hex digest of the
 * ticket's secret, never the secret itself.
 */
export function draftKey(link: string, path: string, size: number): string {
  return `${draftLinkPrefix(link)}${size}:${path}`;
}

/** The start of every draft key of one link. */
export function draftLinkPrefix(link: string): string {
  return `${DRAFT_KEY_PREFIX}${link}:`;
}

/** True for the key of a draft record. */
export function isDraftKey(key: string): boolean {
  return key.startsWith(DRAFT_KEY_PREFIX);
}

/**
 * Draft records not written for this long (7 days) are removed when the
 * store opens: a draft never adopted (the sender went away) must not hold
 * space for ever, and a week covers any pause a person would resume.
 */
export const DRAFT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Verified bits after the sender reports `now` (a prefix of block hashes)
 * for a draft file whose blocks were stored against `recorded`: a block
 * counts only if its recorded hash is the one reported now. Blocks past the
 * new prefix keep their bit only if nothing is reported for them yet and
 * their recorded hash is still on record (kept in `recorded`'s longer tail).
 */
export function keptBits(
  size: number,
  verified: Uint8Array,
  recorded: Uint8Array | null,
  now: Uint8Array,
): Uint8Array {
  const count = blockCount(size);
  const out = new Uint8Array(Math.ceil(count / 8));
  const old = recorded ?? new Uint8Array(0);
  for (let b = 0; b < count; b++) {
    if (((verified[b >> 3] ?? 0) & (1 << (b & 7))) === 0) continue;
    const at = b * HASH_SIZE;
    const was = old.subarray(at, at + HASH_SIZE);
    if (was.length < HASH_SIZE) continue; // stored under no recorded hash: not trusted
    const is = now.subarray(at, at + HASH_SIZE);
    if (is.length === HASH_SIZE ? bytesEqual(was, is) : true) out[b >> 3]! |= 1 << (b & 7);
  }
  return out;
}

/** The hash list to record: the newly reported prefix, then the old tail beyond it (still unconfirmed). */
export function mergedHashes(recorded: Uint8Array | null, now: Uint8Array): Uint8Array {
  if (!recorded || recorded.length <= now.length) return now;
  const out = recorded.slice();
  out.set(now, 0);
  return out;
}

/** Where each selected draft file went in the final manifest, or why it is not there. */
export interface FinalMatch {
  /** Draft index → manifest index. */
  entryOf: Map<number, number>;
  /** Draft index → a sentence. */
  failed: Map<number, string>;
}

/**
 * Checks the final manifest against the draft for the selected draft files:
 * each must be there with the same path and size. One missing or changed
 * fails with a sentence; the others go on.
 */
export function matchFinal(
  draft: readonly DraftFile[],
  selected: readonly number[],
  entries: readonly ManifestEntry[],
): FinalMatch {
  const match = matchDraft(draft, entries);
  const entryOf = new Map<number, number>();
  match.forEach((d, e) => {
    if (d !== null) entryOf.set(d, e);
  });
  const paths = new Map(entries.map((e) => [e.path, e]));
  const failed = new Map<number, string>();
  for (const d of selected) {
    if (entryOf.has(d)) continue;
    const f = draft[d]!;
    const final = paths.get(f.path);
    failed.set(
      d,
      final
        ? `The sender's file changed size while it was being checked (${f.size} bytes, now ${final.size}). Ask the sender to send it again.`
        : 'The sender could not read this file, so it is not in its final list.',
    );
  }
  for (const d of [...entryOf.keys()]) if (!selected.includes(d)) entryOf.delete(d);
  return { entryOf, failed };
}

/**
 * Whether the blocks a draft record holds may become the final entry's:
 * only when every block hash they were checked against is the final one.
 * For a file of several blocks that is when the draft's whole hash list
 * hashes to the entry's outboard hash (`listHash`, computed off the main
 * thread); for one block, when its hash is the entry's file hash. A record
 * already stored under the final key wins: the draft is dropped.
 */
export function adoptionVerdict(
  entry: Pick<ManifestEntry, 'size' | 'fileHash' | 'outboardHash'>,
  draft: { size: number; hashes: Uint8Array | null },
  listHash: Uint8Array | null,
  finalExists: boolean,
): 'adopt' | 'drop' {
  const count = blockCount(entry.size);
  if (finalExists || count === 0 || draft.size !== entry.size) return 'drop';
  if (!draft.hashes || draft.hashes.length !== count * HASH_SIZE) return 'drop';
  if (count === 1) return bytesEqual(draft.hashes, entry.fileHash) ? 'adopt' : 'drop';
  return entry.outboardHash && listHash && bytesEqual(listHash, entry.outboardHash)
    ? 'adopt'
    : 'drop';
}
