// SPDX-License-Identifier: MIT
// A fresh IndexedDB block store and a hash pool per browser test, closed and
// deleted after each: what receive tests in the browser project stand on.
import { afterEach } from 'vitest';
import { BlockStore } from '../../src/adapters/block-store';
import { HashPool } from '../../src/adapters/hash-pool';

/** A test file's store and pool: `open()` makes them (a database named `prefix-…`), the getters read them. */
export function useStoreAndPool(prefix: string) {
  let dbName = '';
  let store: BlockStore | undefined;
  let pool: HashPool | undefined;
  afterEach(() => {
    store?.close();
    pool?.close();
    store = undefined;
    pool = undefined;
    if (dbName) indexedDB.deleteDatabase(dbName);
    dbName = '';
  });
  return {
    /** Opens a fresh store (and a two-worker pool). */
    async open(): Promise<BlockStore> {
      dbName = `${prefix}-${Math.random().toString(36).slice(2)}`;
      store = await BlockStore.open(dbName);
      pool = new HashPool({ maxWorkers: 2 });
      return store;
    },
    /** Closes the store and opens the same database again, as a reloaded page does. */
    async reopen(): Promise<BlockStore> {
      store?.close();
      store = await BlockStore.open(dbName);
      return store;
    },
    get store(): BlockStore {
      if (!store) throw new Error('open() the store first');
      return store;
    },
    get pool(): HashPool {
      if (!pool) throw new Error('open() the store first');
      return pool;
    },
  };
}
