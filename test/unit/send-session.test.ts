import { describe, expect, it, vi } from 'vitest';
import { type SendSessionEvent, sendSession } from '../../src/adapters/send-session';
import type { IncomingSession } from '../../src/adapters/sender-hub';
import { bytesEqual } from '../../src/core/bytes';
import { HASH_SIZE } from '../../src/core/constants';
import { draftFiles } from '../../src/core/content/draft';
import { HashLog } from '../../src/core/content/hash-log';
import { decodeManifest } from '../../src/core/content/manifest';
import {
  ErrorCode,
  HashState,
  type Message,
  MessageType,
} from '../../src/core/protocol/message-types';
import { Dispatcher } from '../../src/core/session/dispatcher';
import { fetchManifest } from '../../src/core/session/manifest-exchange';
import { ProtocolStream } from '../../src/core/session/protocol-stream';
import { ReceiveEngine } from '../../src/core/transfer/receive-engine';
import { fullPlan } from '../../src/core/transfer/scheduler';
import { RoomDraft } from '../../src/ui/stores/room-draft';
import { pseudoRandomBytes } from '../helpers/data';
import { memoryChannelPair } from '../helpers/memory-channel';
import { memorySink, memorySource, testFile } from '../helpers/transfer-harness';

const files = [3 * 1024 * 1024 + 7, 5000].map((size, i) =>
  testFile(pseudoRandomBytes(size, i + 40)),
);
const manifest = pseudoRandomBytes(1000, 9);
const preparing = { filesReady: 1, fileCount: 2, hashedBytes: 10, totalBytes: 20 };

/** A receiver's session as the hub hands it over, with `count` streams coming up. */
async function session(count: number) {
  const incoming: IncomingSession = {
    id: 'r1',
    streamCount: count,
    streams: [],
    onStream: null,
    onEnd: null,
    onNoPath: null,
    path: async () => null,
  };
  const receivers: ProtocolStream[] = [];
  const senders: ProtocolStream[] = [];
  const channels = [];
  for (let i = 0; i < count; i++) {
    const [a, b] = memoryChannelPair({ latencyMs: 1 });
    channels.push(a);
    receivers.push(new ProtocolStream(a, { stream: i, streams: count }));
    senders.push(new ProtocolStream(b, { stream: i, streams: count }));
  }
  await Promise.all([...receivers, ...senders].map((s) => s.ready));
  const bringUp = () => {
    for (const s of senders) {
      incoming.streams.push(s);
      incoming.onStream?.(s);
    }
  };
  return { incoming, receivers, channels, bringUp };
}

describe('send-session: the sender’s side of one receiver', () => {
  it('answers PREPARING, then the manifest and blocks, and reports streams, plan, bytes sent and the end', async () => {
    const { incoming, receivers, channels, bringUp } = await session(2);
    let offer: { manifest: Uint8Array; source: ReturnType<typeof memorySource> } | null = null;
    let manifestServed = false;
    const events: SendSessionEvent[] = [];
    sendSession(incoming, {
      offer: () => offer,
      preparing: () => preparing,
      onManifestServed: () => {
        manifestServed = true;
      },
      draft: () => null,
      servedDraft: () => null,
      onEvent: (e) => events.push(e),
    });
    bringUp();
    expect(events.filter((e) => e.type === 'streams').at(-1)).toEqual({
      type: 'streams',
      up: 2,
      of: 2,
    });
    const dispatcher = Dispatcher.for(receivers);
    const seen: unknown[] = [];
    const got = fetchManifest(
      { dispatcher, stream: receivers[0]! },
      {
        onPreparing: (s) => {
          seen.push(s);
          offer = { manifest, source: memorySource(files) };
        },
        later: (retry) => {
          const t = setTimeout(retry, 1);
          return () => clearTimeout(t);
        },
      },
    );
    expect(bytesEqual(await got, manifest)).toBe(true);
    expect(seen).toHaveLength(1);
    expect(manifestServed).toBe(true);

    void receivers[0]!.send({ type: MessageType.Plan, files: 2, bytes: 123 });
    await vi.waitFor(() => expect(events).toContainEqual({ type: 'plan', files: 2, bytes: 123 }));
    const { sink } = memorySink(files);
    const plans = files.map((f, i) => fullPlan(i, f.data.length));
    const outcome = await new ReceiveEngine(receivers, plans, sink, { dispatcher }).run();
    expect(outcome).toEqual({ kind: 'finished', failedFiles: [] });
    const sent = events.reduce((n, e) => n + (e.type === 'served' ? e.bytes : 0), 0);
    expect(sent).toBe(files.reduce((n, f) => n + f.data.length, 0));

    for (const c of channels) c.kill('gone');
    incoming.onEnd?.();
    expect(events.at(-1)).toEqual({ type: 'end' });
  });
});

/** A stream read by hand (no dispatcher): every frame the sender sends on it, and a way to ask. */
function rawReceiver(stream: ProtocolStream) {
  const inbox: Message[] = [];
  stream.onMessage = (m) => inbox.push(m);
  let nextId = 1000;
  const answers = (id: number) => inbox.filter((m) => 'id' in m && m.id === id);
  return {
    /** Sends the request made from a fresh id; resolves with its first answer. */
    async ask(make: (id: number) => Message): Promise<Message> {
      const id = nextId++;
      await stream.send(make(id));
      await vi.waitFor(() => expect(answers(id).length).toBeGreaterThan(0));
      return answers(id)[0]!;
    },
    /** Asks for one block; resolves with its bytes, or the ERROR refusing it. */
    async block(file: number, block: number, size: number): Promise<Uint8Array | Message> {
      const id = nextId++;
      await stream.send({
        type: MessageType.BlockRequest,
        id,
        file,
        ranges: [{ start: block, count: 1 }],
      });
      const got = () => {
        const frames = answers(id);
        if (frames[0]?.type === MessageType.Error) return frames[0];
        const pieces = frames.flatMap((m) => (m.type === MessageType.BlockData ? [m.data] : []));
        return pieces.reduce((n, p) => n + p.length, 0) === size ? pieces : null;
      };
      await vi.waitFor(() => expect(got()).not.toBeNull());
      const pieces = got()!;
      if (!Array.isArray(pieces)) return pieces;
      const data = new Uint8Array(size);
      let at = 0;
      for (const p of pieces) {
        data.set(p, at);
        at += p.length;
      }
      return data;
    },
  };
}

describe('send-session while the sender is still hashing (drafts)', () => {
  const MiB = 1024 * 1024;
  // A draft of three files; "b.txt" fails hashing, so the manifest has two and indices shift.
  const big = testFile(pseudoRandomBytes(3 * MiB + 7, 51));
  const small = testFile(pseudoRandomBytes(5000, 52));
  const picked = [
    { id: 1, path: 'a.bin', data: big, log: new HashLog(big.data.length) },
    { id: 2, path: 'b.txt', data: testFile(pseudoRandomBytes(10, 53)), log: new HashLog(10) },
    { id: 3, path: 'c.txt', data: small, log: new HashLog(small.data.length) },
  ];

  it('answers PREPARING before the pick is listed, then the draft, its hashes as they grow, and blocks by draft index until the manifest', async () => {
    const { incoming, receivers, bringUp } = await session(2);
    let listed = false;
    const room = new RoomDraft();
    let offer: { manifest: Uint8Array; source: ReturnType<typeof memorySource> } | null = null;
    sendSession(incoming, {
      offer: () => offer,
      preparing: () => preparing,
      onManifestServed: () => {},
      draft: () =>
        listed
          ? room.serve(
              picked.map((p) => ({
                id: p.id,
                entry:
                  p.log.state === HashState.Failed
                    ? null
                    : {
                        path: p.path,
                        mtime: 5,
                        file: new Blob([p.data.data as Uint8Array<ArrayBuffer>]),
                        hashing: p.log,
                      },
              })),
            )
          : null,
      servedDraft: () => room.served,
      onEvent: () => {},
    });
    bringUp();
    const r = rawReceiver(receivers[0]!);
    const hashesOf = (file: number, from: number) =>
      r.ask((id) => ({ type: MessageType.HashesRequest, id, file, from }));

    // Nothing served yet: no hashes to give, and the draft waits for the whole pick.
    expect(await hashesOf(0, 0)).toMatchObject({
      type: MessageType.Error,
      code: ErrorCode.NotReady,
    });
    expect(await r.ask((id) => ({ type: MessageType.DraftRequest, id, offset: 0 }))).toEqual({
      type: MessageType.Preparing,
      id: expect.any(Number),
      ...preparing,
    });

    listed = true;
    const chunk = await r.ask((id) => ({ type: MessageType.DraftRequest, id, offset: 0 }));
    if (chunk.type !== MessageType.ManifestChunk) throw new Error('no draft chunk');
    expect(chunk.total).toBe(chunk.data.length);
    const draft = draftFiles(decodeManifest(chunk.data));
    expect(draft).toEqual([
      { path: 'a.bin', size: big.data.length, mtime: 5 },
      { path: 'b.txt', size: 10, mtime: 5 },
      { path: 'c.txt', size: 5000, mtime: 5 },
    ]);

    // Hashes reach the receiver as hashing makes them.
    expect(await hashesOf(0, 0)).toMatchObject({
      state: HashState.Hashing,
      hashes: new Uint8Array(0),
    });
    picked[0]!.log.add({ from: 0, hashes: big.outboard.slice(0, 2 * HASH_SIZE) });
    const first = await hashesOf(0, 0);
    expect(first).toMatchObject({ type: MessageType.Hashes, from: 0, state: HashState.Hashing });
    expect(
      first.type === MessageType.Hashes && bytesEqual(first.hashes, big.outboard.subarray(0, 64)),
    ).toBe(true);
    expect(await hashesOf(0, 3)).toMatchObject({
      type: MessageType.Error,
      code: ErrorCode.OutOfRange,
    });
    expect(await hashesOf(3, 0)).toMatchObject({
      type: MessageType.Error,
      code: ErrorCode.UnknownFile,
    });

    // Blocks by draft index, whether or not their hash is known yet.
    expect(await r.block(0, 3, 7)).toEqual(big.data.subarray(3 * MiB));
    expect(await r.block(2, 0, 5000)).toEqual(small.data);

    picked[0]!.log.finish({ fileHash: big.hash, outboard: big.outboard });
    picked[1]!.log.fail();
    picked[2]!.log.finish({ fileHash: small.hash, outboard: new Uint8Array(0) });
    expect(await hashesOf(0, 2)).toEqual({
      type: MessageType.Hashes,
      id: expect.any(Number),
      file: 0,
      from: 2,
      state: HashState.Done,
      fileHash: big.hash,
      hashes: big.outboard.subarray(2 * HASH_SIZE),
    });
    expect(await hashesOf(1, 0)).toMatchObject({ state: HashState.Failed, fileHash: null });
    expect(await hashesOf(2, 0)).toMatchObject({ state: HashState.Done, fileHash: small.hash });

    // The manifest (a.bin, c.txt) is fetched on another stream: from now on, manifest indices.
    offer = { manifest: pseudoRandomBytes(300, 8), source: memorySource([big, small]) };
    const dispatcher = Dispatcher.for([receivers[1]!]);
    expect(
      bytesEqual(await fetchManifest({ dispatcher, stream: receivers[1]! }), offer.manifest),
    ).toBe(true);
    expect(await r.block(1, 0, 5000)).toEqual(small.data);
    expect(await r.block(2, 0, 5000)).toMatchObject({
      type: MessageType.Error,
      code: ErrorCode.UnknownFile,
    });

    // The room keeps its draft, unchanged, after hashing ended.
    const again = await r.ask((id) => ({ type: MessageType.DraftRequest, id, offset: 0 }));
    expect(again.type === MessageType.ManifestChunk && bytesEqual(again.data, chunk.data)).toBe(
      true,
    );
  });
});
