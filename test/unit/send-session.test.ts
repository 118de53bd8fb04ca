import { describe, expect, it, vi } from 'vitest';
import { type SendSessionEvent, sendSession } from '../../src/adapters/send-session';
import type { IncomingSession } from '../../src/adapters/sender-hub';
import { bytesEqual } from '../../src/core/bytes';
import { MessageType } from '../../src/core/protocol/message-types';
import { Dispatcher } from '../../src/core/session/dispatcher';
import { fetchManifest } from '../../src/core/session/manifest-exchange';
import { ProtocolStream } from '../../src/core/session/protocol-stream';
import { ReceiveEngine } from '../../src/core/transfer/receive-engine';
import { fullPlan } from '../../src/core/transfer/scheduler';
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
