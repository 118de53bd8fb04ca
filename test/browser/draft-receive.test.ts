// Receiving while the sender hashes: blocks verified against streamed hashes
// are kept under draft records, handed to the final entries only when their
// hashes are the final ones, and proven whole before anything is received.
import { describe, expect, it } from 'vitest';
import { putBlocks } from '../../src/adapters/block-store-extras';
import { receiveDraft } from '../../src/adapters/draft-receive';
import { adoptDraft, adoptLinkDrafts, recordDraftHashes } from '../../src/adapters/draft-store';
import type { HashPool } from '../../src/adapters/hash-pool';
import {
  receiveCollection,
  type SessionEvent,
  TransferControl,
} from '../../src/adapters/receive-session';
import { toHex } from '../../src/core/bytes';
import { HASH_SIZE } from '../../src/core/constants';
import { buildDraft } from '../../src/core/content/draft';
import { buildManifest, encodeManifest, type ManifestEntry } from '../../src/core/content/manifest';
import { recordKey } from '../../src/core/content/record-key';
import { HashState, type Message, MessageType } from '../../src/core/protocol/message-types';
import type { ProtocolStream } from '../../src/core/session/protocol-stream';
import type { BlockSource } from '../../src/core/transfer/block-server';
import { DRAFT_MAX_AGE_MS, draftKey } from '../../src/core/transfer/draft-adoption';
import { oracleHash, pseudoRandomBytes } from '../helpers/data';
import { useStoreAndPool } from '../helpers/receive-env';
import { connect, memorySource, type TestFile, testFile } from '../helpers/transfer-harness';

const MiB = 1024 * 1024;
const env = useStoreAndPool('ferry-draft');
const openStore = env.open;

const entryOf = (path: string, f: TestFile): ManifestEntry => ({
  path,
  size: f.data.length,
  mtime: 0,
  fileHash: f.hash,
  outboardHash: f.data.length > MiB ? oracleHash(f.outboard) : null,
});

function blocksOf(data: Uint8Array) {
  return Array.from({ length: Math.ceil(data.length / MiB) }, (_, index) => ({
    index,
    data: data.slice(index * MiB, (index + 1) * MiB),
  }));
}

/**
 * A sender still hashing, over memory streams: answers HASHES_REQUEST with
 * at most `told[file]` hashes (Infinity: Done) and serves blocks of
 * `served()` by draft index. `final` is the manifest it ends with.
 */
async function hashingSender(files: () => TestFile[], told: number[], failed = new Set<number>()) {
  const source: BlockSource = {
    size: (file) => files()[file]?.data.length ?? null,
    outboard: (file) => files()[file]!.outboard,
    read: async (file, block) => files()[file]!.data.slice(block * MiB, (block + 1) * MiB),
  };
  const script = (m: Message, stream: ProtocolStream) => {
    if (m.type !== MessageType.HashesRequest) return false;
    const f = files()[m.file]!;
    if (failed.has(m.file)) {
      void stream.send({
        type: MessageType.Hashes,
        id: m.id,
        file: m.file,
        from: m.from,
        state: HashState.Failed,
        fileHash: null,
        hashes: new Uint8Array(0),
      });
      return true;
    }
    const blocks = Math.ceil(f.data.length / MiB);
    const done = told[m.file]! >= blocks;
    const end = blocks > 1 ? Math.min(blocks, told[m.file]!) : 0;
    void stream.send({
      type: MessageType.Hashes,
      id: m.id,
      file: m.file,
      from: m.from,
      state: done ? HashState.Done : HashState.Hashing,
      fileHash: done ? f.hash : null,
      hashes: f.outboard.slice(m.from * HASH_SIZE, Math.max(m.from, end) * HASH_SIZE),
    });
    return true;
  };
  return connect(2, source, {}, [script, script]);
}

async function run(
  sender: Awaited<ReturnType<typeof hashingSender>>,
  paths: string[],
  final: () => TestFile[],
  events: SessionEvent[],
  onFinal: () => void = () => {},
  control?: TransferControl,
  pool: HashPool = env.pool,
) {
  const draft = buildDraft(
    paths.map((path, i) => ({ path, size: final()[i]!.data.length, mtime: 0 })),
  );
  const manifest = encodeManifest(buildManifest(paths.map((p, i) => entryOf(p, final()[i]!))));
  return receiveDraft({
    draftBytes: draft.bytes,
    draft: draft.files,
    link: 'ab12',
    selected: draft.files.map((_, i) => i),
    streams: sender.streams,
    reconnect: () => Promise.reject(new Error('no reconnect in this test')),
    finalOffer: async () => ({
      manifest,
      collectionHash: oracleHash(manifest),
      parsed: buildManifest(paths.map((p, i) => entryOf(p, final()[i]!))),
    }),
    onFinal: () => {
      onFinal();
      return undefined;
    },
    store: env.store,
    pool,
    ...(control ? { control } : {}),
    onEvent: (e) => events.push(e),
  });
}

describe('receiving while the sender hashes', () => {
  it('stores blocks as their hashes come, adopts them, and proves each file whole', async () => {
    await openStore();
    // Reading stored files back fails here: each file is proven from the whole-file hash its
    // blocks built as they came, in the draft phase and then under the final key.
    const noReadBack = Object.create(env.pool, {
      hashWhole: { value: () => Promise.reject(new Error('no read-back in this test')) },
    }) as HashPool;
    const big = testFile(pseudoRandomBytes(4 * MiB + 17, 1));
    const small = testFile(pseudoRandomBytes(1234, 2));
    const files = [big, small];
    // The draft orders paths canonically: a.bin, b.txt.
    const told = [1, 0];
    const sender = await hashingSender(() => files, told);
    const events: SessionEvent[] = [];
    let finalAt = -1;
    const running = run(
      sender,
      ['a.bin', 'b.txt'],
      () => files,
      events,
      () => {
        finalAt = events.length;
      },
      undefined,
      noReadBack,
    );
    // Block 0 of the big file is fetched while the sender still holds the rest.
    await expect.poll(() => events.some((e) => e.type === 'verified' && e.file === 0)).toBe(true);
    expect(events.filter((e) => e.type === 'verified' && e.file === 0)).toHaveLength(1);
    told[0] = 3;
    told[1] = Infinity;
    await expect.poll(() => events.filter((e) => e.type === 'verified').length).toBe(4);
    told[0] = Infinity;
    expect(await running).toEqual({ failed: [], cancelled: false });
    // Nothing was shown as received before the final manifest came and each file was proven.
    const done = events.flatMap((e, i) => (e.type === 'file-done' ? [i] : []));
    expect(done).toHaveLength(2);
    for (const i of done) expect(i).toBeGreaterThan(finalAt);
    // Every block was served once: the draft's were adopted, not fetched again.
    expect([...sender.served.values()].every((n) => n === 1)).toBe(true);
    expect(sender.served.size).toBe(6);
    for (const [path, f] of [
      ['a.bin', big],
      ['b.txt', small],
    ] as const) {
      const blob = await env.store.fileBlob(recordKey(entryOf(path, f)));
      expect(toHex(oracleHash(new Uint8Array(await blob.arrayBuffer())))).toBe(toHex(f.hash));
    }
    expect(await env.store.getFile(draftKey('ab12', 'a.bin', big.data.length))).toBeUndefined();
  });

  it('drops draft blocks whose hashes the final manifest does not name, and fetches them again', async () => {
    await openStore();
    const early = testFile(pseudoRandomBytes(3 * MiB, 3));
    const real = testFile(pseudoRandomBytes(3 * MiB, 4));
    // The sender streams hashes of (and serves) other bytes than the file its manifest names.
    let files = [early];
    const sender = await hashingSender(() => files, [Infinity]);
    const events: SessionEvent[] = [];
    const outcome = await run(
      sender,
      ['a.bin'],
      () => [real],
      events,
      () => {
        files = [real];
      },
    );
    expect(outcome).toEqual({ failed: [], cancelled: false });
    expect(sender.served.get('0:0')).toBe(2);
    const blob = await env.store.fileBlob(recordKey(entryOf('a.bin', real)));
    expect(toHex(oracleHash(new Uint8Array(await blob.arrayBuffer())))).toBe(toHex(real.hash));
    // The early bytes are gone from storage.
    expect(await env.store.getFile(draftKey('ab12', 'a.bin', early.data.length))).toBeUndefined();
  });
});

describe('a file the sender could not read', () => {
  it('is shown failed with a sentence, its draft blocks go, and the others are received', async () => {
    await openStore();
    const big = testFile(pseudoRandomBytes(3 * MiB, 11));
    const small = testFile(pseudoRandomBytes(999, 12));
    const told = [1, Infinity];
    const failing = new Set<number>();
    const sender = await hashingSender(() => [big, small], told, failing);
    const draft = buildDraft([
      { path: 'a.bin', size: big.data.length, mtime: 0 },
      { path: 'b.txt', size: small.data.length, mtime: 0 },
    ]);
    // The final manifest lists only the file the sender could read, at index 0.
    const parsed = buildManifest([entryOf('b.txt', small)]);
    const manifest = encodeManifest(parsed);
    const events: SessionEvent[] = [];
    const running = receiveDraft({
      draftBytes: draft.bytes,
      draft: draft.files,
      link: 'ab12',
      selected: [0, 1],
      streams: sender.streams,
      reconnect: () => Promise.reject(new Error('no reconnect in this test')),
      finalOffer: async () => ({ manifest, collectionHash: oracleHash(manifest), parsed }),
      onFinal: () => undefined,
      store: env.store,
      pool: env.pool,
      onEvent: (e) => events.push(e),
    });
    // a.bin's first block is stored, then the sender fails to read the rest of it.
    await expect.poll(() => events.some((e) => e.type === 'verified' && e.file === 0)).toBe(true);
    failing.add(0);
    expect(await running).toEqual({ failed: [0], cancelled: false });
    expect(events).toContainEqual({
      type: 'file-failed',
      file: 0,
      reason: 'The sender could not read this file.',
    });
    // Events of the final phase name draft indices: b.txt is 1 in the draft, 0 in the manifest.
    expect(events).toContainEqual({ type: 'file-done', file: 1 });
    expect(events.some((e) => e.type === 'file-done' && e.file === 0)).toBe(false);
    expect(await env.store.getFile(draftKey('ab12', 'a.bin', big.data.length))).toBeUndefined();
    expect(await env.store.inFilesTx((t) => t.objectStore('blocks').count())).toBe(1);
  });
});

describe('a draft run stopped half-way', () => {
  it('resumes with the same link: what was stored counts, only the rest is fetched', async () => {
    await openStore();
    const big = testFile(pseudoRandomBytes(5 * MiB + 3, 9));
    const told = [2];
    const sender = await hashingSender(() => [big], told);
    const first: SessionEvent[] = [];
    const control = new TransferControl();
    const running = run(
      sender,
      ['a.bin'],
      () => [big],
      first,
      () => {},
      control,
    );
    await expect.poll(() => first.filter((e) => e.type === 'verified').length).toBe(2);
    control.cancel();
    expect(await running).toEqual({ failed: [], cancelled: true });

    // As after a reload: a new run over the same link, the sender now done hashing.
    told[0] = Infinity;
    const second: SessionEvent[] = [];
    expect(await run(sender, ['a.bin'], () => [big], second)).toEqual({
      failed: [],
      cancelled: false,
    });
    expect(second).toContainEqual({ type: 'already', file: 0, bytes: 2 * MiB });
    expect([...sender.served.values()].every((n) => n === 1)).toBe(true);
    expect(sender.served.size).toBe(6);
  });

  it('is adopted when the reloaded page gets the final manifest at once', async () => {
    await openStore();
    const big = testFile(pseudoRandomBytes(3 * MiB + 3, 10));
    const key = draftKey('ab12', 'a.bin', big.data.length);
    // Left by a draft run that stored two blocks after it knew every hash.
    await recordDraftHashes(env.store, key, big.data.length, big.outboard);
    await putBlocks(env.store, key, blocksOf(big.data).slice(0, 2));
    const entry = entryOf('a.bin', big);
    await adoptLinkDrafts(env.store, env.pool, 'ab12', [entry], [0]);
    const { streams, served } = await connect(2, memorySource([big]));
    const events: SessionEvent[] = [];
    const outcome = await receiveCollection({
      collectionHash: oracleHash(big.hash),
      manifest: new Uint8Array([1]),
      entries: [entry],
      selected: [0],
      streams,
      reconnect: () => Promise.reject(new Error('no reconnect in this test')),
      store: env.store,
      pool: env.pool,
      onEvent: (e) => events.push(e),
    });
    expect(outcome).toEqual({ failed: [], cancelled: false });
    expect([...served.keys()].sort()).toEqual(['0:2', '0:3']);
    expect(events).toContainEqual({ type: 'file-done', file: 0 });
  });
});

describe('draft records', () => {
  it('forget a stored block when the sender reports another hash for it', async () => {
    await openStore();
    const f = testFile(pseudoRandomBytes(3 * MiB, 5));
    const key = draftKey('cd34', 'f0', f.data.length);
    await recordDraftHashes(env.store, key, f.data.length, f.outboard.slice(0, 2 * HASH_SIZE));
    await putBlocks(env.store, key, blocksOf(f.data).slice(0, 2));
    const other = f.outboard.slice();
    other.fill(7, HASH_SIZE, 2 * HASH_SIZE);
    const bits = await recordDraftHashes(env.store, key, f.data.length, other);
    expect([...bits]).toEqual([0b01]);
    expect(await env.store.getBlock(key, 1)).toBeUndefined();
    expect(await env.store.getBlock(key, 0)).toBeDefined();
  });

  it('are adopted only when their hash list is the final outboard', async () => {
    await openStore();
    const f = testFile(pseudoRandomBytes(2 * MiB + 1, 6));
    const key = draftKey('cd34', 'f1', f.data.length);
    await recordDraftHashes(env.store, key, f.data.length, f.outboard);
    await putBlocks(env.store, key, blocksOf(f.data).slice(0, 2));
    const e = entryOf('x', f);
    expect(await adoptDraft(env.store, env.pool, key, e)).toBe('adopted');
    const adopted = await env.store.getFile(recordKey(e));
    expect(adopted).toMatchObject({ blockKey: key, verifiedCount: 2, proven: false });
    expect(await env.store.getFile(key)).toBeUndefined();
    expect(await env.store.getBlock(recordKey(e), 1)).toBeDefined();

    const g = testFile(pseudoRandomBytes(2 * MiB + 1, 7));
    const key2 = draftKey('cd34', 'f2', g.data.length);
    await recordDraftHashes(env.store, key2, g.data.length, g.outboard);
    await putBlocks(env.store, key2, blocksOf(g.data).slice(0, 1));
    // The final entry names f, not g: g's blocks must go.
    expect(await adoptDraft(env.store, env.pool, key2, { ...e, path: 'y' })).toBe('dropped');
    expect(await env.store.getFile(key2)).toBeUndefined();
    expect(await env.store.getFile(recordKey(e))).toMatchObject({ blockKey: key });
    const tx = await env.store.inFilesTx((t) => t.objectStore('blocks').count());
    expect(tx).toBe(2);
  });

  it('not written for a week are removed (with their blocks) when the store opens', async () => {
    await openStore();
    const f = testFile(pseudoRandomBytes(2 * MiB, 8));
    const stale = draftKey('ef56', 'f0', f.data.length);
    const fresh = draftKey('ef56', 'f1', f.data.length);
    for (const key of [stale, fresh]) {
      await recordDraftHashes(env.store, key, f.data.length, f.outboard);
      await putBlocks(env.store, key, blocksOf(f.data));
    }
    const kept = entryOf('k', f);
    await env.store.ensureFiles([
      { key: recordKey(kept), size: f.data.length, outboard: f.outboard },
    ]);
    await env.store.inFilesTx(async (tx) => {
      const r = (await tx.objectStore('files').get(stale))!;
      await tx.objectStore('files').put({ ...r, updatedAt: Date.now() - DRAFT_MAX_AGE_MS - 1 });
    });
    const store = await env.reopen();
    expect(await store.getFile(stale)).toBeUndefined();
    expect(await store.getBlock(stale, 0)).toBeUndefined();
    expect(await store.getFile(fresh)).toBeDefined();
    expect(await store.getBlock(fresh, 1)).toBeDefined();
    expect(await store.getFile(recordKey(kept))).toBeDefined();
    expect(await store.inFilesTx((t) => t.objectStore('blocks').count())).toBe(2);
  });
});
