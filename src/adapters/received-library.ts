// SPDX-License-Identifier: MIT
import { fromHex } from '../core/bytes';
import { blockCount } from '../core/constants';
import { decodeManifest } from '../core/content/manifest';
import { recordKey } from '../core/content/record-key';
import { FerryError } from '../core/errors';
import { type CollectionSummary, summarizeCollection } from '../core/library/collection-summary';
import {
  isManifestSummary,
  type ManifestSummary,
  summarizeManifest,
  summaryEntries,
} from '../core/library/manifest-summary';
import { verificationCode } from '../core/verification-code';
import { type BlockStore, isVerified, type StoredCollection } from './block-store';
import type { ZipEntry } from './save';

// One collator for every comparison: localeCompare with options builds one per call
// (sorting 100,000 names that way took seconds here, ten times what this takes).
const byName = new Intl.Collator(undefined, { numeric: true });

/** One past or unfinished transfer kept in this browser. */
export interface ReceivedCollection extends CollectionSummary {
  /** Collection hash, hex. */
  hash: string;
  /** Verification code (what both screens showed). */
  code: string;
  /** Milliseconds since the epoch. */
  receivedAt: number;
  /** The link it came from, to resume it; null for collections kept before links were stored. */
  link: string | null;
}

/**
 * A kept collection's summary. One kept before summaries were is decoded
 * this once and its summary saved; one whose manifest no longer decodes is
 * listed as holding nothing (and decoded again next time, in case).
 */
async function summaryOf(store: BlockStore, c: StoredCollection): Promise<ManifestSummary> {
  if (isManifestSummary(c.summary)) return c.summary;
  let files: ReturnType<typeof decodeManifest>['files'];
  try {
    files = decodeManifest(c.manifest).files;
  } catch {
    return summarizeManifest([]);
  }
  const summary = summarizeManifest(files);
  // Listing goes on without it if storing fails: the summary is only a shortcut.
  await store.putSummary(c.hash, summary).catch(() => {});
  return summary;
}

/** Every transfer kept in the store, newest first, with what it holds; no manifest is decoded. */
export async function listReceived(store: BlockStore): Promise<ReceivedCollection[]> {
  const result: ReceivedCollection[] = [];
  for (const c of await store.listCollections()) {
    const summary = await summaryOf(store, c);
    const records = await store.getFiles(summaryEntries(summary).map(recordKey));
    const progress = records.map((r) =>
      r
        ? {
            size: r.size,
            verifiedCount: r.verifiedCount,
            proven: r.proven,
            lastBlockVerified: r.size === 0 || isVerified(r, blockCount(r.size) - 1),
          }
        : undefined,
    );
    result.push({
      ...summarizeCollection(summary, progress),
      hash: c.hash,
      code: verificationCode(fromHex(c.hash)),
      receivedAt: c.updatedAt,
      link: c.link ?? null,
    });
  }
  return result;
}

/**
 * A kept transfer's complete files, ready to save, in path order: its
 * manifest is decoded here, when the person saves it, and only then.
 */
export async function completeFiles(store: BlockStore, hash: string): Promise<ZipEntry[]> {
  const c = await store.getCollection(hash);
  if (!c)
    throw new FerryError('Store/NotFound', 'That transfer is no longer kept in this browser.');
  const entries = decodeManifest(c.manifest).files;
  const records = await store.getFiles(entries.map(recordKey));
  return entries
    .filter((e, i) => {
      const r = records[i];
      // Only bytes proven to hash to the file hash are offered as that file.
      return r?.proven === true && r.verifiedCount >= blockCount(e.size);
    })
    .map((e) => ({
      path: e.path,
      mtime: e.mtime,
      open: () => store.fileBlob(recordKey(e)),
    }))
    .sort((a, b) => byName.compare(a.path, b.path));
}

/**
 * Deletes a kept transfer and its files' bytes, except files another kept
 * transfer also holds (the same content is stored once).
 */
export async function deleteReceived(store: BlockStore, hash: string): Promise<void> {
  const all = await store.listCollections();
  const target = all.find((c) => c.hash === hash);
  if (!target) return;
  const elsewhere = new Set<string>();
  for (const c of all) {
    if (c.hash === hash) continue;
    for (const e of summaryEntries(await summaryOf(store, c))) elsewhere.add(recordKey(e));
  }
  for (const e of summaryEntries(await summaryOf(store, target))) {
    const key = recordKey(e);
    if (!elsewhere.has(key)) await store.deleteFile(key);
  }
  await store.deleteCollection(hash);
}
