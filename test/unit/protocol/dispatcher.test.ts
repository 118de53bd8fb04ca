import { describe, expect, it, vi } from 'vitest';
import { bytesEqual } from '../../../src/core/bytes';
import { encodeMessage } from '../../../src/core/protocol/encode';
import { type Message, MessageType } from '../../../src/core/protocol/message-types';
import { Dispatcher } from '../../../src/core/session/dispatcher';
import {
  answerManifestRequest,
  fetchManifest,
  fetchOutboard,
} from '../../../src/core/session/manifest-exchange';
import { ProtocolStream } from '../../../src/core/session/protocol-stream';
import { pseudoRandomBytes } from '../../helpers/data';
import { memoryChannelPair } from '../../helpers/memory-channel';

/** One connection of `count` streams: the receiver's ends, the sender's ends and the channels. */
async function connection(count: number) {
  const receivers: ProtocolStream[] = [];
  const senders: ProtocolStream[] = [];
  const channels = [];
  for (let i = 0; i < count; i++) {
    const [a, b] = memoryChannelPair({ latencyMs: 1, jitterMs: 1 });
    channels.push(a);
    receivers.push(new ProtocolStream(a, { stream: i, streams: count }));
    senders.push(new ProtocolStream(b, { stream: i, streams: count }));
  }
  await Promise.all([...receivers, ...senders].map((s) => s.ready));
  return { receivers, senders, channels };
}

const manifest = pseudoRandomBytes(600_000, 7);
const outboard = pseudoRandomBytes(300_000, 8);

/** Answers manifest and outboard requests from fixed bytes, as a sender would. */
function answer(stream: ProtocolStream, m: Message): void {
  if (m.type === MessageType.ManifestRequest) void answerManifestRequest(stream, m, manifest);
  if (m.type === MessageType.OutboardRequest)
    void stream.send({
      type: MessageType.OutboardChunk,
      id: m.id,
      file: m.file,
      total: outboard.length,
      offset: m.offset,
      data: outboard.subarray(m.offset, m.offset + 200_000),
    });
}

describe('Dispatcher: one per connection, answers routed by id', () => {
  it('carries several requests at once on one stream, each getting its own answers', async () => {
    const { receivers, senders } = await connection(1);
    const stream = receivers[0]!;
    senders[0]!.onMessage = (m) => answer(senders[0]!, m);
    const dispatcher = Dispatcher.for(receivers);
    const [gotManifest, gotOutboard] = await Promise.all([
      fetchManifest({ dispatcher, stream }),
      fetchOutboard({ dispatcher, stream }, 3, outboard.length),
    ]);
    expect(bytesEqual(gotManifest, manifest)).toBe(true);
    expect(bytesEqual(gotOutboard, outboard)).toBe(true);
    expect(dispatcher.inFlight).toBe(0);
  });

  it('gives ids from one allocator for every stream of the connection', async () => {
    const { receivers, senders } = await connection(2);
    const ids: number[] = [];
    for (const s of senders)
      s.onMessage = (m) => {
        if ('id' in m) ids.push(m.id);
        answer(s, m);
      };
    const dispatcher = Dispatcher.for(receivers);
    expect(Dispatcher.for([receivers[1]!])).toBe(dispatcher);
    await Promise.all(receivers.map((stream) => fetchManifest({ dispatcher, stream })));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('rejects every request and ping pending on a stream at once when it closes, and only those', async () => {
    const { receivers, senders, channels } = await connection(2);
    // The sender hears requests and never answers them.
    const dispatcher = Dispatcher.for(receivers);
    const heard: Message[] = [];
    senders[0]!.onMessage = (m) => heard.push(m);
    senders[1]!.onMessage = () => {};
    const manifestFetch = fetchManifest({ dispatcher, stream: receivers[0]! });
    const outboardFetch = fetchOutboard({ dispatcher, stream: receivers[0]! }, 1, 64);
    const elsewhere = fetchManifest({ dispatcher, stream: receivers[1]! });
    let elsewhereSettled = false;
    elsewhere.then(
      () => {
        elsewhereSettled = true;
      },
      () => {
        elsewhereSettled = true;
      },
    );
    await vi.waitFor(() => expect(heard.length).toBe(2));
    // A ping whose pong will never come: the peer's channel is closed under it.
    const ping = receivers[0]!.ping();
    channels[0]!.kill('network gone');
    await expect(manifestFetch).rejects.toMatchObject({ name: 'Protocol/Closed' });
    await expect(outboardFetch).rejects.toMatchObject({ name: 'Protocol/Closed' });
    await expect(ping).rejects.toMatchObject({ name: 'Protocol/Closed' });
    expect(dispatcher.inFlight).toBe(1);
    expect(elsewhereSettled).toBe(false);
  });

  it('closes a stream that answers a request never made', async () => {
    const { receivers, channels } = await connection(1);
    Dispatcher.for(receivers);
    const closed = new Promise<string>((resolve) => receivers[0]!.whenClosed(resolve));
    channels[0]!.peer.send(
      encodeMessage({
        type: MessageType.ManifestChunk,
        id: 77,
        total: 1,
        offset: 0,
        data: new Uint8Array(1),
      }),
    );
    expect(await closed).toMatch(/never made/);
  });
});
