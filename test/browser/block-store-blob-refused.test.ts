import { afterEach, describe, expect, it } from 'vitest';
import { BlockStore } from '../../src/adapters/block-store';
import { ensureFile, putBlocks } from '../../src/adapters/block-store-extras';
import { isBlobRefusal } from '../../src/adapters/stored-block';
import { toHex } from '../../src/core/bytes';
import { oracleHash, pseudoRandomBytes } from '../helpers/data';

const MiB = 1024 * 1024;
const originalPut = IDBObjectStore.prototype.put;
let dbName = '';
let store: BlockStore | undefined;
afterEach(() => {
  IDBObjectStore.prototype.put = originalPut;
  store?.close();
  store = undefined;
  if (dbName) indexedDB.deleteDatabase(dbName);
});

/** Makes this page's IndexedDB refuse Blob values as WebKit does (seen in WebKitGTK and reported for Safari). */
function refuseBlobs(): { refused: number } {
  const seen = { refused: 0 };
  IDBObjectStore.prototype.put = function (
    this: IDBObjectStore,
    value: unknown,
    key?: IDBValidKey,
  ) {
    if (value instanceof Blob) {
      seen.refused++;
      throw new DOMException(
        'Error preparing Blob/File data to be stored in object store',
        'UnknownError',
      );
    }
    return originalPut.call(this, value, key);
  };
  return seen;
}

describe('a browser whose IndexedDB refuses Blobs (WebKit)', () => {
  it('keeps full blocks as bytes instead, once refused, and reads the file back whole', async () => {
    const seen = refuseBlobs();
    dbName = `ferry-test-${Math.random().toString(36).slice(2)}`;
    store = await BlockStore.open(dbName);
    const data = pseudoRandomBytes(20 * MiB + 7, 61);
    await ensureFile(store, 'f', data.length, null);
    const blocks = Array.from({ length: 21 }, (_, index) => ({
      index,
      data: data.slice(index * MiB, (index + 1) * MiB),
    }));
    await putBlocks(store, 'f', blocks.slice(0, 8));
    // A Blob given to the store is read out into bytes too.
    await putBlocks(store, 'f', [
      ...blocks.slice(8, 20),
      { index: 20, data: new Blob([blocks[20]!.data]) },
    ]);
    // Refused once; every later block went in as bytes without asking again.
    expect(seen.refused).toBe(1);
    expect(await store.getBlock('f', 0)).toBeInstanceOf(Uint8Array);
    expect((await store.getFile('f'))?.verifiedCount).toBe(21);
    expect(await store.markProven('f')).toBe(true);
    // Put together a slice of blocks at a time, and still the file's exact bytes.
    const blob = await store.fileBlob('f');
    expect(blob.size).toBe(data.length);
    expect(toHex(oracleHash(new Uint8Array(await blob.arrayBuffer())))).toBe(
      toHex(oracleHash(data)),
    );
  });

  it('tells a Blob refusal from other storage errors', () => {
    const webkit = new DOMException(
      'Error preparing Blob/File data to be stored in object store',
      'UnknownError',
    );
    const old = new DOMException(
      'Failed to store record in an IDBObjectStore: BlobURLs are not yet supported.',
      'DataCloneError',
    );
    expect([webkit, old].map(isBlobRefusal)).toEqual([true, true]);
    expect(isBlobRefusal(new DOMException('quota', 'QuotaExceededError'))).toBe(false);
    expect(isBlobRefusal(new DOMException('internal', 'UnknownError'))).toBe(false);
    expect(isBlobRefusal(null)).toBe(false);
  });
});
