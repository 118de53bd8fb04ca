import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { blockLength } from '../../../src/core/content/outboard';
import { encodeMessage } from '../../../src/core/protocol/encode';
import { type Message, MessageType } from '../../../src/core/protocol/message-types';
import type { Channel } from '../../../src/core/session/channel';
import { ProtocolStream } from '../../../src/core/session/protocol-stream';
import {
  BlockServer,
  type BlockSource,
  SENDER_STREAM_MEMORY_BYTES,
} from '../../../src/core/transfer/block-server';

const MiB = 1024 * 1024;
/** A 4 GiB file that exists only as sizes: each read makes a fresh block, as reading a File does. */
const FILE_SIZE = 4096 * MiB;
const source: BlockSource = {
  size: (file) => (file === 0 ? FILE_SIZE : null),
  outboard: () => new Uint8Array((FILE_SIZE / MiB) * 32),
  read: async (_file, block) => new Uint8Array(blockLength(FILE_SIZE, block)),
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap and buffers in use after a full collection, bytes. */
function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * A receiver that stopped reading: everything sent stays "buffered" (only
 * counted, as the bytes are the browser's, not the page's) and the buffer
 * never drains, so every reply the sender makes waits.
 */
function stalledChannel() {
  const waiters: (() => void)[] = [];
  let buffered = 0;
  const channel: Channel & { deliver(m: Message): void; closed: boolean } = {
    maxMessageSize: 256 * 1024,
    get bufferedAmount() {
      return buffered;
    },
    closed: false,
    send(message) {
      if (channel.closed) throw new Error('closed');
      buffered += message.length;
    },
    drained: () => new Promise<void>((resolve) => waiters.push(resolve)),
    onMessage: null,
    onClose: null,
    close() {
      channel.closed = true;
      channel.onClose?.('closed');
    },
    deliver(m) {
      channel.onMessage?.(encodeMessage(m));
    },
  };
  return { channel, waiters };
}

/** A sender's stream with a BlockServer, facing a receiver that sent hello and then stopped reading. */
function stalledSender() {
  const { channel, waiters } = stalledChannel();
  const stream = new ProtocolStream(channel, { stream: 0, streams: 1 });
  channel.deliver({ type: MessageType.Hello, capabilities: 0, stream: 0, streams: 1 });
  const server = new BlockServer(stream, source);
  stream.onMessage = (m) => server.handle(m);
  return { channel, stream, server, waiters };
}

describe('a sender facing a receiver that floods it and stops reading', () => {
  it('refuses overlapping ranges, closes the stream after repeated refusals, and stays within its memory bound', async () => {
    const before = used();
    const { channel, stream, server } = stalledSender();
    // Each request is small on the wire, but asks for every block of 4 GiB a thousand times over.
    const ranges = Array.from({ length: 1024 }, () => ({ start: 0, count: FILE_SIZE / MiB }));
    for (let id = 1; id <= 64; id++)
      channel.deliver({ type: MessageType.BlockRequest, id, file: 0, ranges });
    await vi.waitFor(() => expect(stream.closed).toBe(true));
    expect(used() - before).toBeLessThan(SENDER_STREAM_MEMORY_BYTES);
    // Kept alive until measured: whatever they hold counts.
    expect([stream, server, channel]).toHaveLength(3);
  });

  it('keeps what a stalled receiver asked for (requests, pings, cancels, outboards) under its bound, stream open', async () => {
    const before = used();
    const { channel, stream, server } = stalledSender();
    // Honest-looking block requests up to the open limit, then a flood of everything that gets a reply.
    for (let id = 1; id <= 1024; id++)
      channel.deliver({
        type: MessageType.BlockRequest,
        id,
        file: 0,
        ranges: [{ start: (id * 4) % 4096, count: 4 }],
      });
    for (let n = 1; n <= 50_000; n++) {
      channel.deliver({ type: MessageType.Ping, nonce: n });
      channel.deliver({ type: MessageType.Cancel, id: 1_000_000 + n });
      // A few outboard requests: one waits for the channel, the others are refused (too few to close).
      if (n % 10_000 === 0)
        channel.deliver({
          type: MessageType.OutboardRequest,
          id: 2_000_000 + n,
          file: 0,
          offset: 0,
        });
    }
    await new Promise((r) => setImmediate(r));
    // Still open and serving: the bound holds for a live stream, not only for one that was shut.
    expect(stream.closed).toBe(false);
    expect(server.openRequests).toBe(1024);
    expect(used() - before).toBeLessThan(SENDER_STREAM_MEMORY_BYTES);
    expect([stream, server, channel]).toHaveLength(3);
  });
});
