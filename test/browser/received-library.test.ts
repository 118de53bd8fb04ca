import { afterEach, describe, expect, it } from 'vitest';
import { BlockStore } from '../../src/adapters/block-store';
import { ensureFile, putBlocks } from '../../src/adapters/block-store-extras';
import { completeFiles, deleteReceived, listReceived } from '../../src/adapters/received-library';
import { buildManifest, encodeManifest } from '../../src/core/content/manifest';
import { recordKey } from '../../src/core/content/record-key';
import { summarizeManifest } from '../../src/core/library/manifest-summary';
import { oracleHash } from '../helpers/data';

let dbName = '';
let store: BlockStore | undefined;
afterEach(async () => {
  store?.close();
  store = undefined;
  if (dbName) indexedDB.deleteDatabase(dbName);
});

const bytes = (text: string) => new TextEncoder().encode(text);
const a = bytes('first file');
const b = bytes('second');
const manifest = buildManifest([
  { path: 'trip/a.txt', size: a.length, mtime: 0, fileHash: oracleHash(a), outboardHash: null },
  { path: 'trip/b.txt', size: b.length, mtime: 0, fileHash: oracleHash(b), outboardHash: null },
]);
const first = 'aa'.repeat(32);
const second = 'bb'.repeat(32);

/** A fresh store holding a.txt complete (b.txt was not chosen). */
async function storeWithA(): Promise<BlockStore> {
  dbName = `ferry-test-${crypto.randomUUID()}`;
  store = await BlockStore.open(dbName);
  const key = recordKey(manifest.files[0]!);
  await ensureFile(store, key, a.length, null);
  await putBlocks(store, key, [{ index: 0, data: a }]);
  return store;
}

describe('the Received list', () => {
  it('is built from the summary kept with each collection, without decoding its manifest', async () => {
    const s = await storeWithA();
    // Bytes that decode to nothing: the list can only come from the summary.
    await s.putCollection(
      first,
      bytes('not a manifest'),
      'link',
      summarizeManifest(manifest.files),
    );
    const [item] = await listReceived(s);
    expect(item).toMatchObject({
      hash: first,
      title: 'trip (2 files)',
      offeredFiles: 2,
      chosenFiles: 1,
      chosenBytes: a.length,
      doneFiles: 1,
      complete: true,
      link: 'link',
    });
    // Saving decodes it, and says so when it cannot.
    await expect(completeFiles(s, first)).rejects.toMatchObject({ name: 'Manifest/BadMagic' });
  });

  it('summarizes a collection kept before summaries once, and keeps its dates', async () => {
    const s = await storeWithA();
    await s.putCollection(second, encodeManifest(manifest));
    const before = (await s.getCollection(second))!;
    expect(before.summary).toBeUndefined();
    const [item] = await listReceived(s);
    expect(item).toMatchObject({ title: 'trip (2 files)', offeredFiles: 2, doneFiles: 1 });
    const after = (await s.getCollection(second))!;
    expect(after.summary).toEqual(summarizeManifest(manifest.files));
    expect(after.updatedAt).toBe(before.updatedAt);
    expect(item!.receivedAt).toBe(before.updatedAt);
  });

  it('opens the complete files when saved, and deletes by summary what no other transfer holds', async () => {
    const s = await storeWithA();
    const summary = summarizeManifest(manifest.files);
    await s.putCollection(first, encodeManifest(manifest), undefined, summary);
    await s.putCollection(second, encodeManifest(manifest), undefined, summary);
    const files = await completeFiles(s, first);
    expect(files.map((f) => f.path)).toEqual(['trip/a.txt']);
    expect(new Uint8Array(await (await files[0]!.open()).arrayBuffer())).toEqual(a);

    await deleteReceived(s, first);
    expect(await s.getFile(recordKey(manifest.files[0]!))).toBeDefined();
    await deleteReceived(s, second);
    expect(await s.getFile(recordKey(manifest.files[0]!))).toBeUndefined();
    expect(await listReceived(s)).toEqual([]);
  });
});
