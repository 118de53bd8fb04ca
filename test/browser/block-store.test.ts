import { afterEach, describe, expect, it } from 'vitest';
import { BlockStore } from '../../src/adapters/block-store';
import { ensureFile, missingBlocks, putBlocks } from '../../src/adapters/block-store-extras';
import { estimateStorage, requestPersistence } from '../../src/adapters/storage';
import { toHex } from '../../src/core/bytes';
import { EMPTY_FILE_HASH_HEX, recordKey } from '../../src/core/content/record-key';
import { oracleHash, pseudoRandomBytes } from '../helpers/data';
import type { StorePageApi } from './fixtures/store-page';

const MiB = 1024 * 1024;
let dbName = '';
let store: BlockStore | undefined;
afterEach(async () => {
  store?.close();
  store = undefined;
  if (dbName) indexedDB.deleteDatabase(dbName);
});

function freshDb(): string {
  dbName = `ferry-test-${Math.random().toString(36).slice(2)}`;
  return dbName;
}

function blocksOf(data: Uint8Array) {
  return Array.from({ length: Math.ceil(data.length / MiB) }, (_, index) => ({
    index,
    data: data.slice(index * MiB, (index + 1) * MiB),
  }));
}

async function loadFixture(iframe: HTMLIFrameElement, reload: boolean): Promise<StorePageApi> {
  const ready = new Promise<void>((resolve) => {
    const onMessage = (e: MessageEvent) => {
      if (e.data === 'store-page-ready' && e.source === iframe.contentWindow) {
        window.removeEventListener('message', onMessage);
        resolve();
      }
    };
    window.addEventListener('message', onMessage);
  });
  if (reload) iframe.contentWindow!.location.reload();
  else document.body.append(iframe);
  await ready;
  return (iframe.contentWindow as unknown as { storeApi: StorePageApi }).storeApi;
}

describe('BlockStore in real IndexedDB', () => {
  it('keeps blocks across a page reload and reads them back byte-identical', async () => {
    const db = freshDb();
    const data = pseudoRandomBytes(5 * MiB + 777, 11);
    const hash = toHex(oracleHash(data));
    const iframe = document.createElement('iframe');
    iframe.src = new URL('./fixtures/store-page.html', import.meta.url).href;
    let page = await loadFixture(iframe, false);
    const blocks = blocksOf(data);
    // Two batches, one of them with several blocks in a single transaction.
    await page.write(db, hash, data.length, blocks.slice(0, 4));
    await page.write(db, hash, data.length, blocks.slice(4));

    page = await loadFixture(iframe, true);
    const read = await page.read(db, hash);
    iframe.remove();
    expect(read.missing).toEqual([]);
    expect(read.blocks.map((b) => b && toHex(oracleHash(b)))).toEqual(
      blocks.map((b) => toHex(oracleHash(b.data))),
    );
    expect(toHex(oracleHash(read.file!))).toBe(hash);
  });

  it('tracks which blocks are verified and lists the missing ones', async () => {
    store = await BlockStore.open(freshDb());
    const data = pseudoRandomBytes(3 * MiB + 5, 12);
    const blocks = blocksOf(data);
    await ensureFile(store, 'f', data.length, null);
    expect(await missingBlocks(store, 'f')).toEqual([0, 1, 2, 3]);
    await putBlocks(store, 'f', [blocks[3]!, blocks[1]!]);
    await putBlocks(store, 'f', [blocks[1]!]); // a duplicate does not count twice
    expect(await missingBlocks(store, 'f')).toEqual([0, 2]);
    expect((await store.getFile('f'))?.verifiedCount).toBe(2);
    await expect(store.storedBytes('f')).rejects.toMatchObject({ name: 'Store/NotFound' });
    await putBlocks(store, 'f', [blocks[0]!, blocks[2]!]);
    // Complete, but a file of several blocks is not offered before its bytes are proven.
    expect((await store.getFile('f'))?.proven).toBe(false);
    await expect(store.fileBlob('f')).rejects.toMatchObject({ name: 'Store/NotFound' });
    expect(await store.markProven('f')).toBe(true);
    const blob = await store.fileBlob('f');
    expect(toHex(oracleHash(new Uint8Array(await blob.arrayBuffer())))).toBe(
      toHex(oracleHash(data)),
    );
  });

  it('keeps full blocks as Blobs and small ones as their own bytes, and reads both back', async () => {
    store = await BlockStore.open(freshDb());
    const data = pseudoRandomBytes(MiB + 1000, 13);
    await ensureFile(store, 'h', data.length, null);
    // The short last block as a view into a larger buffer: only its own bytes are kept.
    const padded = new Uint8Array(8000);
    padded.set(data.subarray(MiB), 500);
    await putBlocks(store, 'h', [
      { index: 0, data: data.slice(0, MiB) },
      { index: 1, data: padded.subarray(500, 1500) },
    ]);
    expect(await store.getBlock('h', 0)).toBeInstanceOf(Blob);
    const small = await store.getBlock('h', 1);
    expect(small).toBeInstanceOf(Uint8Array);
    expect((small as Uint8Array).buffer.byteLength).toBe(1000);
    const blob = await store.storedBytes('h');
    expect(toHex(oracleHash(new Uint8Array(await blob.arrayBuffer())))).toBe(
      toHex(oracleHash(data)),
    );
  });

  it('refuses blocks of the wrong size or index, and rolls the whole batch back', async () => {
    store = await BlockStore.open(freshDb());
    await ensureFile(store, 'g', 2 * MiB, null);
    const good = { index: 0, data: new Uint8Array(MiB) };
    await expect(
      putBlocks(store, 'g', [good, { index: 1, data: new Uint8Array(10) }]),
    ).rejects.toMatchObject({ name: 'Store/BadBlock' });
    await expect(
      putBlocks(store, 'g', [{ index: 2, data: new Uint8Array(MiB) }]),
    ).rejects.toMatchObject({ name: 'Store/BadBlock' });
    await expect(putBlocks(store, 'nope', [good])).rejects.toMatchObject({
      name: 'Store/NotFound',
    });
    // A batch of many files with one unknown among them stores none of them.
    await ensureFile(store, 's1', 100, null);
    await ensureFile(store, 's2', 200, null);
    await expect(
      store.putBatch([
        { key: 's1', index: 0, data: new Uint8Array(100) },
        { key: 'nope', index: 0, data: new Uint8Array(5) },
        { key: 's2', index: 0, data: new Uint8Array(200) },
      ]),
    ).rejects.toMatchObject({ name: 'Store/NotFound' });
    // Nothing of it: neither block, nor the records that come with them.
    for (const key of ['s1', 's2']) expect(await store.getFile(key)).toBeUndefined();
    expect(await missingBlocks(store, 'g')).toEqual([0, 1]);
    expect(await store.getBlock('g', 0)).toBeUndefined();
    // The same files again without the stranger, two blocks of one of them in the batch: all stored.
    await ensureFile(store, 's3', MiB + 10, null);
    const stored = await store.putBatch([
      { key: 's3', index: 1, data: new Uint8Array(10) },
      { key: 's1', index: 0, data: new Uint8Array(100) },
      { key: 's3', index: 0, data: new Uint8Array(MiB) },
      { key: 's2', index: 0, data: new Uint8Array(200) },
    ]);
    expect([...stored.keys()].sort()).toEqual(['s1', 's2', 's3']);
    expect(stored.get('s3')?.verifiedCount).toBe(2);
    for (const h of ['s1', 's2', 's3']) expect(await missingBlocks(store, h)).toEqual([]);
  });

  it('registers many files at once, keeping what is stored and sharing one record per content', async () => {
    store = await BlockStore.open(freshDb());
    await ensureFile(store, 'kept', 100, null);
    await putBlocks(store, 'kept', [{ index: 0, data: new Uint8Array(100) }]);
    const records = await store.ensureFiles([
      { key: 'new1', size: 10, outboard: null },
      { key: 'kept', size: 100, outboard: null },
      { key: 'new2', size: 3 * MiB, outboard: new Uint8Array(96) },
      { key: 'new1', size: 10, outboard: null },
    ]);
    expect(records.map((r) => [r.key, r.verifiedCount])).toEqual([
      ['new1', 0],
      ['kept', 1],
      ['new2', 0],
      ['new1', 0],
    ]);
    expect(records[2]!.verified.length).toBe(1);
    expect(await missingBlocks(store, 'kept')).toEqual([]);
    expect(await missingBlocks(store, 'new2')).toEqual([0, 1, 2]);
    // A new one-block file's record is written with its block, not before.
    expect(await store.getFile('new1')).toBeUndefined();
    await store.putBatch([{ key: 'new1', index: 0, data: new Uint8Array(10) }]);
    expect((await store.getFile('new1'))?.size).toBe(10);
  });

  it('marks a one-block file proven when its block is stored, an empty one only under the empty hash', async () => {
    store = await BlockStore.open(freshDb());
    const [small, empty, falseEmpty] = await store.ensureFiles([
      { key: 'small', size: 100, outboard: null },
      { key: EMPTY_FILE_HASH_HEX, size: 0, outboard: null },
      { key: 'not-empty', size: 0, outboard: null },
    ]);
    expect([small!.proven, empty!.proven, falseEmpty!.proven]).toEqual([false, true, false]);
    await putBlocks(store, 'small', [{ index: 0, data: new Uint8Array(100) }]);
    expect((await store.getFile('small'))?.proven).toBe(true);
    expect((await store.fileBlob(EMPTY_FILE_HASH_HEX)).size).toBe(0);
    await expect(store.fileBlob('not-empty')).rejects.toMatchObject({ name: 'Store/NotFound' });
  });

  it('stores registered one-block files without reading their records, yet refuses one deleted meanwhile', async () => {
    store = await BlockStore.open(freshDb());
    await store.ensureFiles([
      { key: 'a', size: 10, outboard: null },
      { key: 'b', size: 20, outboard: null },
      { key: 'c', size: 2 * MiB, outboard: new Uint8Array(64) },
    ]);
    await store.putBatch([
      { key: 'a', index: 0, data: new Uint8Array(10).fill(1) },
      { key: 'c', index: 1, data: new Uint8Array(MiB) },
    ]);
    const [a, c] = await store.getFiles(['a', 'c']);
    expect([a!.verifiedCount, a!.proven, c!.verifiedCount, c!.proven]).toEqual([1, true, 1, false]);
    expect(await store.getBlock('a', 0)).toEqual(new Uint8Array(10).fill(1));
    // A late block of a file deleted (the person removed it) must not bring it back.
    await store.deleteFile('b');
    await expect(
      store.putBatch([{ key: 'b', index: 0, data: new Uint8Array(20) }]),
    ).rejects.toMatchObject({ name: 'Store/NotFound' });
    // A one-block claim replaced by a larger one under the same key is not stored as one block.
    await store.ensureFiles([{ key: 'd', size: 10, outboard: null }]);
    await store.ensureFiles([{ key: 'd', size: 3 * MiB, outboard: new Uint8Array(96) }]);
    await expect(
      store.putBatch([{ key: 'd', index: 0, data: new Uint8Array(10) }]),
    ).rejects.toMatchObject({ name: 'Store/BadBlock' });
  });

  it('replaces an unproven record of another size under the same key, and keeps a proven one', async () => {
    store = await BlockStore.open(freshDb());
    await ensureFile(store, 'claim', 2 * MiB, new Uint8Array(64));
    await putBlocks(store, 'claim', [{ index: 0, data: new Uint8Array(MiB) }]);
    const [replaced] = await store.ensureFiles([{ key: 'claim', size: 10, outboard: null }]);
    expect([replaced!.size, replaced!.verifiedCount]).toEqual([10, 0]);
    expect(await store.getBlock('claim', 0)).toBeUndefined();
    await putBlocks(store, 'claim', [{ index: 0, data: new Uint8Array(10) }]);
    const [kept] = await store.ensureFiles([{ key: 'claim', size: 20, outboard: null }]);
    expect([kept!.size, kept!.proven]).toEqual([10, true]);
  });

  it('upgrades a version 1 store keeping every verified block, re-keyed, large files to be proven again', async () => {
    const db = freshDb();
    const big = pseudoRandomBytes(3 * MiB + 99, 71);
    const bigOutboard = outboardOf(big);
    const part = pseudoRandomBytes(2 * MiB + 5, 72);
    const small = pseudoRandomBytes(1000, 73);
    const hex = (d: Uint8Array) => toHex(oracleHash(d));
    await writeV1(
      db,
      [
        { data: big, outboard: bigOutboard, verified: [0, 1, 2, 3] },
        { data: part, outboard: outboardOf(part), verified: [0, 2] },
        { data: small, outboard: null, verified: [0] },
      ],
      [
        // Records version 1 never wrote: dropped, without stopping the upgrade.
        { hash: 'not hex', size: 5, outboard: null, verified: new Uint8Array(1), verifiedCount: 1 },
        {
          hash: 'ab',
          size: 3 * MiB,
          outboard: null,
          verified: new Uint8Array(1),
          verifiedCount: 0,
        },
      ],
    );
    store = await BlockStore.open(db);
    const bigKey = recordKey({ fileHash: oracleHash(big), outboardHash: oracleHash(bigOutboard) });
    expect(bigKey).toBe(`${hex(big)}-${hex(bigOutboard)}`);
    expect(await store.getFile(hex(big))).toBeUndefined();
    expect(await store.getFile('not hex')).toBeUndefined();
    expect(await store.getFile('ab')).toBeUndefined();
    const bigRecord = await store.getFile(bigKey);
    expect([bigRecord?.verifiedCount, bigRecord?.proven, bigRecord?.blockKey]).toEqual([
      4,
      false,
      hex(big),
    ]);
    // Its bytes are all there, but not offered before they are proven again.
    expect(hex(new Uint8Array(await (await store.storedBytes(bigKey)).arrayBuffer()))).toBe(
      hex(big),
    );
    await expect(store.fileBlob(bigKey)).rejects.toMatchObject({ name: 'Store/NotFound' });
    expect(await store.markProven(bigKey)).toBe(true);
    expect(hex(new Uint8Array(await (await store.fileBlob(bigKey)).arrayBuffer()))).toBe(hex(big));
    // A one-block file was proven by its block check: offered at once, under the same key.
    expect((await store.getFile(hex(small)))?.proven).toBe(true);
    expect(hex(new Uint8Array(await (await store.fileBlob(hex(small))).arrayBuffer()))).toBe(
      hex(small),
    );
    // An unfinished file resumes where it stopped, its blocks still under their old key.
    const partKey = recordKey({
      fileHash: oracleHash(part),
      outboardHash: oracleHash(outboardOf(part)),
    });
    expect(await missingBlocks(store, partKey)).toEqual([1]);
    await putBlocks(store, partKey, [{ index: 1, data: part.slice(MiB, 2 * MiB) }]);
    expect(hex(new Uint8Array(await (await store.storedBytes(partKey)).arrayBuffer()))).toBe(
      hex(part),
    );
    // A false one-block claim of the big file's hash names its old block key; deleting it
    // takes none of the big file's blocks.
    await ensureFile(store, hex(big), 10, null);
    await store.deleteFile(hex(big));
    expect(hex(new Uint8Array(await (await store.fileBlob(bigKey)).arrayBuffer()))).toBe(hex(big));
    // Deleting the kept file itself frees its blocks.
    await store.deleteFile(bigKey);
    expect(await store.getBlock(bigKey, 0)).toBeUndefined();
    expect(await countBlocks(db, hex(big))).toBe(0);
  });

  it('reports free space and asks for persistence', async () => {
    const info = await estimateStorage();
    expect(info.quota).toBeGreaterThan(0);
    expect(info.available).toBeLessThanOrEqual(info.quota);
    expect(typeof (await requestPersistence())).toBe('boolean');
  });
});

/** Block hashes of `data`, as the app's outboard. */
function outboardOf(data: Uint8Array): Uint8Array {
  const blocks = blocksOf(data);
  const out = new Uint8Array(blocks.length * 32);
  for (const [i, b] of blocks.entries()) out.set(oracleHash(b.data), i * 32);
  return out;
}

/** Writes a database as version 1 of Ferry did: files keyed by file hash, blocks by [file hash, index]. */
async function writeV1(
  name: string,
  files: { data: Uint8Array; outboard: Uint8Array | null; verified: number[] }[],
  junk: object[] = [],
): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore('collections', { keyPath: 'hash' });
      open.result.createObjectStore('files', { keyPath: 'hash' });
      open.result.createObjectStore('blocks');
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const tx = db.transaction(['files', 'blocks'], 'readwrite');
  for (const { data, outboard, verified } of files) {
    const hash = toHex(oracleHash(data));
    const bits = new Uint8Array(Math.ceil(Math.ceil(data.length / MiB) / 8));
    for (const i of verified) {
      bits[i >> 3]! |= 1 << (i & 7);
      const block = data.slice(i * MiB, (i + 1) * MiB);
      tx.objectStore('blocks').put(block.length === MiB ? new Blob([block]) : block, [hash, i]);
    }
    tx.objectStore('files').put({
      hash,
      size: data.length,
      outboard,
      verified: bits,
      verifiedCount: verified.length,
    });
  }
  for (const record of junk) tx.objectStore('files').put(record);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

/** Blocks stored under `blockKey`, read straight from IndexedDB. */
async function countBlocks(name: string, blockKey: string): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const count = await new Promise<number>((resolve, reject) => {
    const req = db
      .transaction('blocks')
      .objectStore('blocks')
      .count(IDBKeyRange.bound([blockKey, 0], [blockKey, Number.MAX_SAFE_INTEGER]));
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  db.close();
  return count;
}
