import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../../src/core/bytes';
import { buildDraft } from '../../../src/core/content/draft';
import { MessageType } from '../../../src/core/protocol/message-types';
import { Dispatcher } from '../../../src/core/session/dispatcher';
import { fetchManifestOrDraft } from '../../../src/core/session/draft-offer';
import { answerManifestRequest } from '../../../src/core/session/manifest-exchange';
import { ProtocolStream } from '../../../src/core/session/protocol-stream';
import { memoryChannelPair } from '../../helpers/memory-channel';

const preparing = { filesReady: 1, fileCount: 2, hashedBytes: 5, totalBytes: 10 };

function pair() {
  const [a, b] = memoryChannelPair({ latencyMs: 1 });
  return {
    sender: new ProtocolStream(a, { stream: 0, streams: 1 }),
    receiver: new ProtocolStream(b, { stream: 0, streams: 1 }),
  };
}

describe('fetching a draft from a sender that is still hashing', () => {
  it('asks for the manifest, then the draft, waiting while neither exists', async () => {
    const { sender, receiver } = pair();
    const draft = buildDraft([{ path: 'a.bin', size: 3, mtime: 0 }]).bytes;
    const asked: string[] = [];
    let draftReady = false;
    sender.onMessage = (m) => {
      if (m.type === MessageType.ManifestRequest) {
        asked.push('manifest');
        void answerManifestRequest(sender, m, preparing);
      } else if (m.type === MessageType.DraftRequest) {
        asked.push('draft');
        // The draft is served as the manifest is: in MANIFEST_CHUNKs.
        void answerManifestRequest(
          sender,
          { ...m, type: MessageType.ManifestRequest },
          draftReady ? draft : preparing,
        );
      }
    };
    let waits = 0;
    const got = await fetchManifestOrDraft(
      { dispatcher: Dispatcher.for([receiver]), stream: receiver },
      {
        onPreparing: () => {},
        later: (retry) => {
          waits++;
          draftReady = true;
          setTimeout(retry, 1);
          return () => {};
        },
      },
    );
    expect(got.kind).toBe('draft');
    expect(bytesEqual(got.bytes, draft)).toBe(true);
    expect(asked).toEqual(['manifest', 'draft', 'manifest', 'draft']);
    expect(waits).toBe(1);
  });

  it('takes the manifest when it exists, and never asks for a draft', async () => {
    const { sender, receiver } = pair();
    const manifest = new Uint8Array([1, 2, 3]);
    const types: number[] = [];
    sender.onMessage = (m) => {
      types.push(m.type);
      void answerManifestRequest(sender, m, manifest);
    };
    const got = await fetchManifestOrDraft(
      { dispatcher: Dispatcher.for([receiver]), stream: receiver },
      { onPreparing: () => {}, later: () => () => {} },
    );
    expect(got).toEqual({ kind: 'manifest', bytes: manifest });
    expect(types).toEqual([MessageType.ManifestRequest]);
  });
});
