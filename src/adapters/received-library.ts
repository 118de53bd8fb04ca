// SPDX-License-Identifier: MIT
import { fromHex } from '../core/bytes';
import { blockCount } from '../core/constants';
import { decodeManifest, type ManifestEntry } from '../core/content/manifest';
import { recordKey } from '../core/content/record-key';
import { type CollectionSummary, summarizeCollection } from '../core/library/collection-summary';
import { verificationCode } from '../core/verification-code';
import { type BlockStore, isVerified } from './block-store';
import type { ZipEntry } from './save';

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
  /** Complete, proven files, ready to save, in path order. */
  files: ZipEntry[];
}

/** Manifest entries of a stored collection, or null when its bytes no longer decode. */
function entriesOf(manifest: Uint8Array): ManifestEntry[] | null {
  try {
    return decodeManifest(manifest).files;
  } catch {
    return null;
  }
}

/** Every transfer kept in the store, newest first, with what it holds. */
export async function listReceived(store: BlockStore): Promise<ReceivedCollection[]> {
  const result: ReceivedCollection[] = [];
  for (const c of await store.listCollections()) {
    const entries = entriesOf(c.manifest) ?? [];
    const hashes = entries.map(recordKey);
    const records = await store.getFiles(hashes);
    const progress = records.map((r) =>
      r
        ? {
            size: r.size,
            verifiedCount: r.verifiedCount,
            lastBlockVerified: r.size === 0 || isVerified(r, blockCount(r.size) - 1),
          }
        : undefined,
    );
    const summary = summarizeCollection(entries, progress);
    const files: ZipEntry[] = entries
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
      .sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }));
    result.push({
      ...summary,
      hash: c.hash,
      code: verificationCode(fromHex(c.hash)),
      receivedAt: c.updatedAt,
      link: c.link ?? null,
      files,
    });
  }
  return result;
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
    for (const e of entriesOf(c.manifest) ?? []) elsewhere.add(recordKey(e));
  }
  for (const e of entriesOf(target.manifest) ?? []) {
    const key = recordKey(e);
    if (!elsewhere.has(key)) await store.deleteFile(key);
  }
  await store.deleteCollection(hash);
}
