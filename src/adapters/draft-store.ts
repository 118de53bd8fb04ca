// SPDX-License-Identifier: MIT
import { bytesEqual } from '../core/bytes';
import { blockCount } from '../core/constants';
import type { ManifestEntry } from '../core/content/manifest';
import { recordKey } from '../core/content/record-key';
import {
  adoptionVerdict,
  DRAFT_KEY_PREFIX,
  DRAFT_MAX_AGE_MS,
  draftKey,
  draftLinkPrefix,
  keptBits,
  mergedHashes,
} from '../core/transfer/draft-adoption';
import type { BlockStore } from './block-store';
import type { HashPool } from './hash-pool';
import { blockRange, dropBlocks, type FilesTx, freshRecord } from './store-schema';

/** Every draft record's key ('draft:' up to the highest character). */
const DRAFT_KEYS = IDBKeyRange.bound(DRAFT_KEY_PREFIX, `${DRAFT_KEY_PREFIX}\uffff`);

function countBits(bits: Uint8Array): number {
  let n = 0;
  for (let b of bits) for (; b; b &= b - 1) n++;
  return n;
}

/**
 * Records a draft file's block hashes as the sender reports them (a
 * prefix), creating its record on first sight, before any block is checked
 * against them. A stored block whose recorded hash differs from the one
 * reported now is forgotten (its bit cleared, its bytes deleted): it was
 * verified against a hash the sender no longer claims. Resolves with the
 * verified bits that stand.
 */
export function recordDraftHashes(
  store: BlockStore,
  key: string,
  size: number,
  hashes: Uint8Array,
): Promise<Uint8Array> {
  return store.inFilesTx(async (tx) => {
    const files = tx.objectStore('files');
    const record = (await files.get(key)) ?? freshRecord(key, size, null);
    const bits = keptBits(size, record.verified, record.outboard, hashes);
    for (let b = 0; b < blockCount(size); b++) {
      const was = ((record.verified[b >> 3] ?? 0) >> (b & 7)) & 1;
      const is = ((bits[b >> 3] ?? 0) >> (b & 7)) & 1;
      if (was && !is) void tx.objectStore('blocks').delete([record.blockKey, b]);
    }
    record.outboard = mergedHashes(record.outboard, hashes);
    record.verified = bits;
    record.verifiedCount = countBits(bits);
    record.proven = false;
    record.updatedAt = Date.now();
    await files.put(record);
    return bits.slice();
  });
}

/** What adopting a draft did. */
export type Adoption = 'adopted' | 'dropped' | 'none';

/**
 * Hands a draft file's stored blocks to the final manifest's entry, in one
 * transaction: when every hash they were verified against is the entry's
 * (the hash list hashes to its outboard hash, in a worker; or, for one
 * block, the hash is its file hash) the record moves to the entry's key,
 * its blocks where they lie, unproven (but for that one block), and the
 * whole-file hash its blocks built follows it. Otherwise, or when the
 * entry's record exists already, the draft record and its blocks are deleted.
 */
export async function adoptDraft(
  store: BlockStore,
  pool: HashPool,
  draftKey: string,
  entry: ManifestEntry,
): Promise<Adoption> {
  const draft = await store.getFile(draftKey);
  if (!draft) return 'none';
  const list = draft.outboard;
  const listHash =
    list && blockCount(draft.size) > 1 ? (await pool.hashBytes(list.slice())).hash : null;
  return store.inFilesTx(async (tx) => {
    const files = tx.objectStore('files');
    const now = await files.get(draftKey);
    if (!now) return 'none';
    const finalKey = recordKey(entry);
    const exists = (await files.get(finalKey)) !== undefined;
    // Written meanwhile (another tab): what was hashed above is not what is stored.
    const same = !!now.outboard && !!list && bytesEqual(now.outboard, list);
    const verdict = same
      ? adoptionVerdict(entry, { size: now.size, hashes: now.outboard }, listHash, exists)
      : 'drop';
    await files.delete(draftKey);
    if (verdict === 'drop') {
      await dropBlocks(tx, now);
      pool.forgetProof(draftKey);
      return 'dropped';
    }
    // The whole-file hash its blocks built goes on under the final key.
    pool.renameProof(draftKey, finalKey);
    await files.put({
      key: finalKey,
      blockKey: now.blockKey,
      size: now.size,
      outboard: blockCount(now.size) > 1 ? now.outboard : null,
      verified: now.verified,
      verifiedCount: now.verifiedCount,
      // A one-block file's block was checked against the hash adoption found equal to its
      // file hash: stored, it is proven, as `putBatch` would have marked it.
      proven: blockCount(now.size) === 1 && now.verifiedCount === 1,
    });
    return 'adopted';
  });
}

/**
 * Adopts (or drops) the draft records one link left for these entries of
 * its final manifest, found by path and size: after a draft run, and when
 * a reload found the sender done hashing and got the manifest straight away.
 */
export async function adoptLinkDrafts(
  store: BlockStore,
  pool: HashPool,
  link: string,
  entries: readonly ManifestEntry[],
  selected: readonly number[],
): Promise<void> {
  const prefix = draftLinkPrefix(link);
  const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
  const keys = new Set(await store.inFilesTx((tx) => tx.objectStore('files').getAllKeys(range)));
  if (keys.size === 0) return;
  for (const i of selected) {
    const key = draftKey(link, entries[i]!.path, entries[i]!.size);
    if (keys.has(key)) await adoptDraft(store, pool, key, entries[i]!);
  }
}

/** Removes draft records (and their blocks) not written for `DRAFT_MAX_AGE_MS`. */
export async function sweepStaleDrafts(tx: FilesTx, now: number): Promise<number> {
  const files = tx.objectStore('files');
  let removed = 0;
  for (const record of await files.getAll(DRAFT_KEYS)) {
    if ((record.updatedAt ?? 0) > now - DRAFT_MAX_AGE_MS) continue;
    await files.delete(record.key);
    await dropBlocks(tx, record);
    removed++;
  }
  return removed;
}

/** Deletes a draft record and its blocks (a cancel). */
export function deleteDraft(store: BlockStore, key: string): Promise<void> {
  return store.inFilesTx(async (tx) => {
    const record = await tx.objectStore('files').get(key);
    await tx.objectStore('files').delete(key);
    if (record) await dropBlocks(tx, record);
    else await tx.objectStore('blocks').delete(blockRange(key));
  });
}
