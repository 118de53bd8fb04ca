// SPDX-License-Identifier: MIT
import type { IDBPObjectStore } from 'idb';
import type { StoredFile, TransferDB } from './store-schema';

/** Fewer keys than this are asked for one by one: listing would cost more requests, not fewer. */
const FEW_KEYS = 8;

/**
 * Most records kept, per key asked for, for which `readRecords` lists every
 * key kept (16), and at most `KEY_LIST_LIMIT` (20,000 keys of 64 or 129
 * characters): the list grows with everything ever kept, the requests only
 * with the files asked for.
 */
const KEYS_PER_ASKED = 16;
const KEY_LIST_LIMIT = 20_000;

/**
 * Many files' records (undefined where none), in order, read in the
 * transaction `files` belongs to. It lists the keys kept and asks only for
 * those present: a thousand files never received before cost two requests
 * instead of a thousand, each answered in a task of its own on a main
 * thread that also receives the data. When far more records are kept than
 * asked for, it asks key by key.
 */
export async function readRecords(
  files: IDBPObjectStore<TransferDB, ArrayLike<'files' | 'blocks'>, 'files', IDBTransactionMode>,
  keys: readonly string[],
): Promise<(StoredFile | undefined)[]> {
  const each = () => Promise.all(keys.map((key) => files.get(key)));
  if (keys.length < FEW_KEYS) return each();
  const kept = await files.count();
  if (kept === 0) return keys.map(() => undefined);
  if (kept > Math.min(KEY_LIST_LIMIT, KEYS_PER_ASKED * keys.length)) return each();
  const present = new Set(await files.getAllKeys());
  return Promise.all(keys.map((key) => (present.has(key) ? files.get(key) : undefined)));
}
