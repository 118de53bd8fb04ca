import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/core/bytes';
import { decodeMessage } from '../../../src/core/protocol/decode';
import { encodeMessage } from '../../../src/core/protocol/encode';
import { type Message, MessageType } from '../../../src/core/protocol/message-types';
import { ProtocolStream } from '../../../src/core/session/protocol-stream';
import { memoryChannelPair } from '../../helpers/memory-channel';

function streams(latencyMs = 5, jitterMs = 5) {
  const [a, b] = memoryChannelPair({ latencyMs, jitterMs });
  return {
    a,
    b,
    left: new ProtocolStream(a, { stream: 1, streams: 6 }),
    right: new ProtocolStream(b, { stream: 1, streams: 6 }),
  };
}

describe('ProtocolStream over an in-memory link', () => {
  it('exchanges hellos, then delivers messages in order and answers pings', async () => {
    const { left, right } = streams();
    await Promise.all([left.ready, right.ready]);
    const got: Message[] = [];
    right.onMessage = (m) => got.push(m);
    for (let id = 0; id < 50; id++)
      await left.send({ type: MessageType.ManifestRequest, id, offset: 0 });
    expect(await left.ping()).toBeGreaterThanOrEqual(5);
    await new Promise((r) => setTimeout(r, 50));
    expect(got.map((m) => (m.type === MessageType.ManifestRequest ? m.id : -1))).toEqual([
      ...Array(50).keys(),
    ]);
  });

  it('closes a peer that sends garbage, telling it why with ERROR and BYE', async () => {
    const [a] = memoryChannelPair({ latencyMs: 1 });
    const left = new ProtocolStream(a, { stream: 1, streams: 6 });
    const reason = new Promise<string>((r) => {
      left.onClose = r;
    });
    a.peer.send(encodeMessage({ type: MessageType.Hello, capabilities: 0, stream: 1, streams: 6 }));
    a.peer.send(fromHex('01ff00'));
    expect(await reason).toMatch(
      /broke the protocol: The other device sent a message of unknown type 255/,
    );
    const replies = a.sent.map((f) => decodeMessage(f).type);
    expect(replies).toEqual([MessageType.Hello, MessageType.Error, MessageType.Bye]);
  });

  it('refuses anything before hello, and a hello for the wrong stream', async () => {
    for (const first of [
      encodeMessage({ type: MessageType.Ping, nonce: 1 }),
      encodeMessage({ type: MessageType.Hello, capabilities: 0, stream: 2, streams: 6 }),
      encodeMessage({ type: MessageType.Hello, capabilities: 0, stream: 1, streams: 4 }),
    ]) {
      const [a] = memoryChannelPair();
      const stream = new ProtocolStream(a, { stream: 1, streams: 6 });
      const reason = new Promise<string>((r) => {
        stream.onClose = r;
      });
      a.peer.send(first);
      expect(await reason).toMatch(/broke the protocol/);
      await expect(stream.ready).rejects.toMatchObject({ name: 'Protocol/Closed' });
    }
  });

  it('reports a lost stream to both ends and refuses to send on it', async () => {
    const { a, left, right } = streams();
    await Promise.all([left.ready, right.ready]);
    const closed = Promise.all([
      new Promise((r) => (left.onClose = r)),
      new Promise((r) => (right.onClose = r)),
    ]);
    a.kill('connection lost');
    expect(await closed).toEqual(['connection lost', 'connection lost']);
    await expect(left.send({ type: MessageType.Cancel, id: 1 })).rejects.toMatchObject({
      name: 'Protocol/Closed',
    });
  });

  it('waits for the buffer to drain instead of queueing without bound', async () => {
    const { a, left, right } = streams(20, 0);
    await Promise.all([left.ready, right.ready]);
    let peak = 0;
    for (let i = 0; i < 40; i++) {
      await left.send({
        type: MessageType.BlockData,
        id: 1,
        file: 0,
        block: i,
        offset: 0,
        data: new Uint8Array(200_000),
      });
      peak = Math.max(peak, a.bufferedAmount);
    }
    // Never more than the high-water mark plus one frame in flight.
    expect(peak).toBeLessThanOrEqual(256 * 1024 + 200_100);
  });
});
