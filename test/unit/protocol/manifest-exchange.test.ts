import { describe, expect, it, vi } from 'vitest';
import { bytesEqual } from '../../../src/core/bytes';
import { MessageType, type PreparingStatus } from '../../../src/core/protocol/message-types';
import { Dispatcher } from '../../../src/core/session/dispatcher';
import {
  answerManifestRequest,
  CHUNK_TIMEOUT_MS,
  fetchManifest,
  type PreparingWait,
} from '../../../src/core/session/manifest-exchange';
import { ProtocolStream } from '../../../src/core/session/protocol-stream';
import { memoryChannelPair } from '../../helpers/memory-channel';
import { manualTimers } from '../../helpers/transfer-harness';

function pair() {
  const [a, b] = memoryChannelPair({ latencyMs: 2, jitterMs: 2 });
  return {
    a,
    sender: new ProtocolStream(a, { stream: 0, streams: 1 }),
    receiver: new ProtocolStream(b, { stream: 0, streams: 1 }),
  };
}

/** A wait that records every status and asks again on the next turn of the event loop. */
function recordingWait(): PreparingWait & { seen: PreparingStatus[] } {
  const seen: PreparingStatus[] = [];
  return {
    seen,
    onPreparing: (s) => seen.push({ ...s }),
    later: (retry) => {
      const t = setTimeout(retry, 1);
      return () => clearTimeout(t);
    },
  };
}

const manifest = new Uint8Array(600_000).map((_, i) => i % 251);

describe('fetching the manifest from a sender that is still hashing', () => {
  it('reports each PREPARING status, asks again, and returns the manifest once it exists', async () => {
    const { sender, receiver } = pair();
    let asked = 0;
    sender.onMessage = (m) => {
      asked++;
      const ready = asked > 3;
      void answerManifestRequest(
        sender,
        m,
        ready
          ? manifest
          : { filesReady: asked, fileCount: 4, hashedBytes: asked * 10, totalBytes: 40 },
      );
    };
    const wait = recordingWait();
    const got = await fetchManifest(
      { dispatcher: Dispatcher.for([receiver]), stream: receiver },
      wait,
    );
    // bytesEqual, not toEqual: a deep compare of 600 kB took seconds here.
    expect(bytesEqual(got, manifest)).toBe(true);
    expect(wait.seen.map((s) => s.filesReady)).toEqual([1, 2, 3]);
    expect(wait.seen[2]).toMatchObject({ fileCount: 4, hashedBytes: 30, totalBytes: 40 });
  });

  it('refuses PREPARING when it cannot wait, and PREPARING after the manifest began', async () => {
    for (const preparingAfter of [0, 1]) {
      const { sender, receiver } = pair();
      let asked = 0;
      sender.onMessage = (m) => {
        const status = { filesReady: 0, fileCount: 1, hashedBytes: 0, totalBytes: 1 };
        void answerManifestRequest(sender, m, asked++ < preparingAfter ? manifest : status);
      };
      const wait = preparingAfter === 0 ? undefined : recordingWait();
      await expect(
        fetchManifest({ dispatcher: Dispatcher.for([receiver]), stream: receiver }, wait),
      ).rejects.toMatchObject({
        name: 'Protocol/Unexpected',
      });
    }
  });

  it('stops waiting with a sentence when the sender goes away', async () => {
    const { a, sender, receiver } = pair();
    sender.onMessage = (m) => {
      void answerManifestRequest(sender, m, {
        filesReady: 0,
        fileCount: 1,
        hashedBytes: 0,
        totalBytes: 1,
      });
    };
    const wait = recordingWait();
    const fetching = fetchManifest(
      { dispatcher: Dispatcher.for([receiver]), stream: receiver },
      wait,
    );
    // Closed once the receiver is waiting on the sender's status (a fixed sleep flaked under load).
    await vi.waitFor(() => expect(wait.seen.length).toBeGreaterThan(0));
    a.close();
    await expect(fetching).rejects.toMatchObject({ name: 'Protocol/Closed' });
  });
});

describe('fetching from a sender that stops answering', () => {
  it('gives up on a chunk after CHUNK_TIMEOUT_MS with a sentence, and cancels the request', async () => {
    const { sender, receiver } = pair();
    const heard: MessageType[] = [];
    sender.onMessage = (m) => heard.push(m.type);
    const timers = manualTimers();
    const fetching = fetchManifest({
      dispatcher: Dispatcher.for([receiver]),
      stream: receiver,
      timers,
    });
    await vi.waitFor(() => expect(heard).toEqual([MessageType.ManifestRequest]));
    timers.advance(CHUNK_TIMEOUT_MS);
    await expect(fetching).rejects.toMatchObject({
      name: 'Protocol/TimedOut',
      message: expect.stringMatching(/stopped answering/),
    });
    await vi.waitFor(() =>
      expect(heard).toEqual([MessageType.ManifestRequest, MessageType.Cancel]),
    );
  });
});

describe('answering MANIFEST_REQUEST', () => {
  it('ignores other messages', async () => {
    const { sender } = pair();
    expect(
      await answerManifestRequest(sender, { type: MessageType.Ping, nonce: 1 }, manifest),
    ).toBe(false);
  });
});
