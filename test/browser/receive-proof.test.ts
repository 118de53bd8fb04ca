// The receiver proves each file's BLAKE3 from the bytes it stored: a sender
// cannot plant other bytes under a real file's hash (whole, or one block),
// and what it tried leaves nothing an honest transfer would reuse.
import { describe, expect, it } from 'vitest';
import { putBlocks } from '../../src/adapters/block-store-extras';
import type { HashPool } from '../../src/adapters/hash-pool';
import { receiveCollection, type SessionEvent } from '../../src/adapters/receive-session';
import { toHex } from '../../src/core/bytes';
import type { ManifestEntry } from '../../src/core/content/manifest';
import { recordKey } from '../../src/core/content/record-key';
import { FerryError } from '../../src/core/errors';
import { oracleHash, pseudoRandomBytes } from '../helpers/data';
import { useStoreAndPool } from '../helpers/receive-env';
import { connect, memorySource, type TestFile, testFile } from '../helpers/transfer-harness';

const MiB = 1024 * 1024;
const env = useStoreAndPool('ferry-proof');
const openStore = env.open;

/** The genuine file: four blocks, the last one short. */
const genuine = testFile(pseudoRandomBytes(3 * MiB + 4321, 21));

/** A manifest entry naming `fileHash` with the outboard of `served`. */
function entryFor(fileHash: Uint8Array, served: TestFile): ManifestEntry {
  return {
    path: 'talk.webm',
    size: served.data.length,
    mtime: 0,
    fileHash,
    outboardHash: oracleHash(served.outboard),
  };
}

/** Receives `entry` from a sender that serves `served`; returns the outcome, the events and what was served. */
async function receiveFrom(entry: ManifestEntry, served: TestFile, hashes: HashPool = env.pool) {
  const { streams, served: log } = await connect(2, memorySource([served]));
  const events: SessionEvent[] = [];
  const outcome = await receiveCollection({
    collectionHash: oracleHash(served.hash),
    manifest: new Uint8Array([1]),
    entries: [entry],
    selected: [0],
    streams,
    reconnect: () => Promise.reject(new Error('no reconnect in this test')),
    store: env.store,
    pool: hashes,
    onEvent: (e) => events.push(e),
  });
  for (const s of streams) s.close();
  const blocksServed = [...log.values()].reduce((a, b) => a + b, 0);
  return { outcome, events, blocksServed };
}

/** BLAKE3 hex of what the store offers to save for `entry`. */
async function savedHash(entry: ManifestEntry): Promise<string> {
  const blob = await env.store.fileBlob(recordKey(entry));
  return toHex(oracleHash(new Uint8Array(await blob.arrayBuffer())));
}

/** Checks that a hostile transfer failed, kept nothing, and that an honest one then gets the genuine bytes. */
async function refusedThenHonest(hostile: TestFile) {
  const lie = entryFor(genuine.hash, hostile);
  const first = await receiveFrom(lie, hostile);
  expect(first.outcome).toEqual({ failed: [0], cancelled: false });
  expect(first.events.some((e) => e.type === 'file-done')).toBe(false);
  const failed = first.events.find((e) => e.type === 'file-failed');
  expect(failed && 'reason' in failed && failed.reason).toMatch(/Do not trust this sender/);
  expect(await env.store.getFile(recordKey(lie))).toBeUndefined();
  await expect(env.store.fileBlob(recordKey(lie))).rejects.toMatchObject({
    name: 'Store/NotFound',
  });

  const honest = entryFor(genuine.hash, genuine);
  const second = await receiveFrom(honest, genuine);
  expect(second.outcome).toEqual({ failed: [], cancelled: false });
  expect(second.events.filter((e) => e.type === 'file-done')).toEqual([
    { type: 'file-done', file: 0 },
  ]);
  // Everything fetched from the honest sender: nothing of the hostile one was reused.
  expect(second.blocksServed).toBe(4);
  expect(await savedHash(honest)).toBe(toHex(genuine.hash));
}

describe('the receiver proves every file it shows', () => {
  it('refuses other bytes offered under a real file hash, then receives the genuine file', async () => {
    await openStore();
    await refusedThenHonest(testFile(pseudoRandomBytes(genuine.data.length, 22)));
  });

  it('refuses the genuine file with one planted block, then receives the genuine file', async () => {
    await openStore();
    const planted = genuine.data.slice();
    planted.set(pseudoRandomBytes(MiB, 23), 2 * MiB);
    await refusedThenHonest(testFile(planted));
  });

  it('proves a complete but unproven stored file before calling it done, fetching nothing', async () => {
    await openStore();
    const entry = entryFor(genuine.hash, genuine);
    // As after a crash between the last block and its proof.
    await env.store.ensureFiles([
      { key: recordKey(entry), size: entry.size, outboard: genuine.outboard },
    ]);
    await putBlocks(env.store, recordKey(entry), blocksOf(genuine.data));
    expect((await env.store.getFile(recordKey(entry)))?.proven).toBe(false);
    const run = await receiveFrom(entry, genuine);
    expect(run.outcome).toEqual({ failed: [], cancelled: false });
    expect(run.blocksServed).toBe(0);
    expect((await env.store.getFile(recordKey(entry)))?.proven).toBe(true);
    expect(await savedHash(entry)).toBe(toHex(genuine.hash));
  });

  it('keeps a file it could not check on this device, says so, and proves it on the next run', async () => {
    await openStore();
    const entry = entryFor(genuine.hash, genuine);
    // Workers that lost the running hash and cannot read the stored file back: a fault of
    // this device, not of the sender.
    const first = await receiveFrom(entry, genuine, withoutReadBack({ running: false }));
    expect(first.outcome).toEqual({ failed: [0], cancelled: false });
    const failed = first.events.find((e) => e.type === 'file-failed');
    expect(failed && 'reason' in failed && failed.reason).toMatch(/Could not check .*is kept/);
    const kept = await env.store.getFile(recordKey(entry));
    expect([kept?.verifiedCount, kept?.proven]).toEqual([4, false]);

    const second = await receiveFrom(entry, genuine);
    expect(second.outcome).toEqual({ failed: [], cancelled: false });
    expect(second.blocksServed).toBe(0);
    expect(await savedHash(entry)).toBe(toHex(genuine.hash));
  });

  it('proves a file from the hash its blocks built as they came, reading nothing back', async () => {
    await openStore();
    const entry = entryFor(genuine.hash, genuine);
    const run = await receiveFrom(entry, genuine, withoutReadBack({ running: true }));
    expect(run.outcome).toEqual({ failed: [], cancelled: false });
    expect(run.events.filter((e) => e.type === 'file-done')).toHaveLength(1);
    expect((await env.store.getFile(recordKey(entry)))?.proven).toBe(true);
    expect(await savedHash(entry)).toBe(toHex(genuine.hash));
  });

  it('reads back a file part of which was stored before (its running hash would miss blocks)', async () => {
    await openStore();
    const entry = entryFor(genuine.hash, genuine);
    await env.store.ensureFiles([
      { key: recordKey(entry), size: entry.size, outboard: genuine.outboard },
    ]);
    await putBlocks(env.store, recordKey(entry), blocksOf(genuine.data).slice(0, 1));
    // Without a read-back it cannot be proven: the running hash was not used.
    const first = await receiveFrom(entry, genuine, withoutReadBack({ running: true }));
    expect(first.outcome).toEqual({ failed: [0], cancelled: false });
    expect(first.blocksServed).toBe(3);
    const second = await receiveFrom(entry, genuine);
    expect(second.outcome).toEqual({ failed: [], cancelled: false });
    expect(await savedHash(entry)).toBe(toHex(genuine.hash));
  });

  it('fetches again a complete stored file whose bytes do not prove', async () => {
    await openStore();
    const entry = entryFor(genuine.hash, genuine);
    const other = pseudoRandomBytes(genuine.data.length, 24);
    await env.store.ensureFiles([
      { key: recordKey(entry), size: entry.size, outboard: genuine.outboard },
    ]);
    await putBlocks(env.store, recordKey(entry), blocksOf(other));
    const run = await receiveFrom(entry, genuine);
    expect(run.outcome).toEqual({ failed: [], cancelled: false });
    expect(run.blocksServed).toBe(4);
    expect(await savedHash(entry)).toBe(toHex(genuine.hash));
  });

  it('does not reuse a stored outboard that is not the one the manifest names', async () => {
    await openStore();
    const entry = entryFor(genuine.hash, genuine);
    const other = testFile(pseudoRandomBytes(genuine.data.length, 25));
    // A record under the right key whose outboard is another file's, with one of that file's blocks.
    await env.store.ensureFiles([
      { key: recordKey(entry), size: entry.size, outboard: other.outboard },
    ]);
    await putBlocks(env.store, recordKey(entry), blocksOf(other.data).slice(0, 1));
    const run = await receiveFrom(entry, genuine);
    expect(run.outcome).toEqual({ failed: [], cancelled: false });
    expect(run.blocksServed).toBe(4);
    expect(await savedHash(entry)).toBe(toHex(genuine.hash));
  });
});

/** The test pool with reading stored files back failing, and with or without running hashes. */
function withoutReadBack({ running }: { running: boolean }): HashPool {
  return Object.create(env.pool, {
    hashWhole: {
      value: () =>
        Promise.reject(new FerryError('Hash/WorkerFailed', 'The hashing worker stopped.')),
    },
    ...(running ? {} : { finishProof: { value: () => Promise.resolve(null) } }),
  }) as HashPool;
}

function blocksOf(data: Uint8Array) {
  return Array.from({ length: Math.ceil(data.length / MiB) }, (_, index) => ({
    index,
    data: data.slice(index * MiB, (index + 1) * MiB),
  }));
}
