import { type IDBPDatabase, openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecords } from '../../src/adapters/record-reads';
import { freshRecord, type StoredFile, type TransferDB } from '../../src/adapters/store-schema';

let db: IDBPDatabase<TransferDB> | undefined;
let dbName = '';
afterEach(() => {
  db?.close();
  db = undefined;
  if (dbName) indexedDB.deleteDatabase(dbName);
});

/** A database with just the files store, holding a record for each of `kept`. */
async function filesDb(kept: readonly string[]): Promise<IDBPDatabase<TransferDB>> {
  dbName = `ferry-records-${Math.random().toString(36).slice(2)}`;
  db = await openDB<TransferDB>(dbName, 1, {
    upgrade(d) {
      d.createObjectStore('files', { keyPath: 'key' });
    },
  });
  const tx = db.transaction('files', 'readwrite');
  for (const key of kept) void tx.store.put(freshRecord(key, 7, null));
  await tx.done;
  return db;
}

/** The number of requests a read makes, by kind, through a counting wrapper of the store. */
function counted(store: Parameters<typeof readRecords>[0]) {
  const calls = { count: 0, getAllKeys: 0, get: 0 };
  const wrapped = {
    count: () => {
      calls.count++;
      return store.count();
    },
    getAllKeys: () => {
      calls.getAllKeys++;
      return store.getAllKeys();
    },
    get: (key: string) => {
      calls.get++;
      return store.get(key);
    },
  } as unknown as Parameters<typeof readRecords>[0];
  return { calls, wrapped };
}

const keysOf = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}${i.toString().padStart(4, '0')}`);
const keysFound = (records: (StoredFile | undefined)[]) => records.map((r) => r?.key);

describe('readRecords', () => {
  it('answers undefined for every key of an empty store with one request', async () => {
    const d = await filesDb([]);
    const { calls, wrapped } = counted(d.transaction('files').store);
    const keys = keysOf(1000, 'new-');
    expect(keysFound(await readRecords(wrapped, keys))).toEqual(keys.map(() => undefined));
    expect(calls).toEqual({ count: 1, getAllKeys: 0, get: 0 });
  });

  it('asks only for the keys kept, and returns each record in the order asked', async () => {
    const kept = keysOf(50, 'old-');
    const d = await filesDb(kept);
    const { calls, wrapped } = counted(d.transaction('files').store);
    // New keys, with every other kept one among them, in an order of their own.
    const keys = keysOf(1000, 'new-').flatMap((k, i) => (i % 20 === 0 ? [kept[i / 20]!, k] : [k]));
    const records = await readRecords(wrapped, keys);
    expect(keysFound(records)).toEqual(keys.map((k) => (k.startsWith('old-') ? k : undefined)));
    expect(records.find((r) => r)?.size).toBe(7);
    expect(calls).toEqual({ count: 1, getAllKeys: 1, get: 50 });
  });

  it('asks key by key when far more records are kept than asked for', async () => {
    const kept = keysOf(200, 'old-');
    const d = await filesDb(kept);
    const { calls, wrapped } = counted(d.transaction('files').store);
    const keys = [...keysOf(8, 'new-'), kept[3]!, kept[199]!];
    expect(keysFound(await readRecords(wrapped, keys))).toEqual([
      ...keys.slice(0, 8).map(() => undefined),
      kept[3],
      kept[199],
    ]);
    expect(calls).toEqual({ count: 1, getAllKeys: 0, get: 10 });
  });

  it('asks a few keys directly, without counting first', async () => {
    const d = await filesDb(['a']);
    const { calls, wrapped } = counted(d.transaction('files').store);
    expect(keysFound(await readRecords(wrapped, ['a', 'b']))).toEqual(['a', undefined]);
    expect(calls).toEqual({ count: 0, getAllKeys: 0, get: 2 });
  });
});
