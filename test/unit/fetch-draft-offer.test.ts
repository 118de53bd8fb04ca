import { describe, expect, it } from 'vitest';
import { decodeDraft, fetchOfferOrDraft } from '../../src/adapters/fetch-offer';
import type { HashPool } from '../../src/adapters/hash-pool';
import { buildDraft } from '../../src/core/content/draft';
import { buildManifest, encodeManifest } from '../../src/core/content/manifest';
import { CAPABILITY_DRAFT } from '../../src/core/protocol/constants';
import { decodeMessage } from '../../src/core/protocol/decode';
import { encodeMessage } from '../../src/core/protocol/encode';
import { type Message, MessageType } from '../../src/core/protocol/message-types';
import { ProtocolStream } from '../../src/core/session/protocol-stream';
import { oracleHash } from '../helpers/data';
import { memoryChannelPair } from '../helpers/memory-channel';

describe("a sender's draft as the receiver reads it", () => {
  it('gives the files of a draft', async () => {
    const { bytes } = buildDraft([
      { path: 'b.txt', size: 3, mtime: 5 },
      { path: 'a.bin', size: 2_000_000, mtime: 6 },
    ]);
    expect(await decodeDraft(bytes)).toEqual([
      { path: 'a.bin', size: 2_000_000, mtime: 6 },
      { path: 'b.txt', size: 3, mtime: 5 },
    ]);
  });

  it('refuses, in a sentence a person can act on, a draft that carries hashes', async () => {
    const withHashes = encodeManifest(
      buildManifest([
        {
          path: 'a.txt',
          size: 3,
          mtime: 0,
          fileHash: new Uint8Array(32).fill(1),
          outboardHash: null,
        },
      ]),
    );
    await expect(decodeDraft(withHashes)).rejects.toMatchObject({
      name: 'Manifest/Refused',
      message: expect.stringMatching(/hashes.*Nothing was received\. Ask the sender/),
    });
  });

  it('refuses garbage', async () => {
    await expect(decodeDraft(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      name: 'Manifest/Refused',
    });
  });
});

/**
 * A raw sender over a memory channel, announcing `capabilities`: answers
 * MANIFEST_REQUEST with PREPARING once then the manifest, DRAFT_REQUEST
 * with the draft; logs every request type.
 */
function rawSender(capabilities: number, manifest: Uint8Array, draft: Uint8Array) {
  const [a, b] = memoryChannelPair({ latencyMs: 1 });
  const asked: number[] = [];
  let manifestAsks = 0;
  const send = (m: Message) => b.send(encodeMessage(m));
  b.onMessage = (frame) => {
    const m = decodeMessage(frame);
    if (m.type === MessageType.Hello) return;
    asked.push(m.type);
    if (m.type === MessageType.ManifestRequest && manifestAsks++ === 0)
      return send({ type: MessageType.Preparing, id: m.id, ...preparing });
    const bytes = m.type === MessageType.DraftRequest ? draft : manifest;
    if (m.type === MessageType.ManifestRequest || m.type === MessageType.DraftRequest)
      send({
        type: MessageType.ManifestChunk,
        id: m.id,
        total: bytes.length,
        offset: 0,
        data: bytes,
      });
  };
  send({ type: MessageType.Hello, capabilities, stream: 0, streams: 1 });
  return { stream: new ProtocolStream(a, { stream: 0, streams: 1 }), asked };
}

const preparing = { filesReady: 0, fileCount: 1, hashedBytes: 0, totalBytes: 3 };
const pool = {
  hashFile: async (blob: Blob) => ({
    fileHash: oracleHash(new Uint8Array(await blob.arrayBuffer())),
  }),
} as unknown as HashPool;
const manifest = encodeManifest(
  buildManifest([
    { path: 'a.txt', size: 3, mtime: 0, fileHash: new Uint8Array(32).fill(1), outboardHash: null },
  ]),
);
const draft = buildDraft([{ path: 'a.txt', size: 3, mtime: 0 }]).bytes;

describe('which senders are asked for a draft', () => {
  it('one announcing CAPABILITY_DRAFT, for a link without a collection hash', async () => {
    const { stream, asked } = rawSender(CAPABILITY_DRAFT, manifest, draft);
    const got = await fetchOfferOrDraft(stream, null, pool, () => {});
    expect('draft' in got && got.files).toEqual([{ path: 'a.txt', size: 3, mtime: 0 }]);
    expect(asked).toEqual([MessageType.ManifestRequest, MessageType.DraftRequest]);
  });

  it('never an older sender (it would close on the unknown type): it waits for the manifest', async () => {
    const { stream, asked } = rawSender(0, manifest, draft);
    const got = await fetchOfferOrDraft(stream, null, pool, () => {});
    expect('parsed' in got && got.parsed.files[0]!.path).toBe('a.txt');
    expect(asked).toEqual([MessageType.ManifestRequest, MessageType.ManifestRequest]);
  });

  it('never for a link that names its collection: only what hashes to it is trusted', async () => {
    const { stream, asked } = rawSender(CAPABILITY_DRAFT, manifest, draft);
    const got = await fetchOfferOrDraft(stream, oracleHash(manifest), pool, () => {});
    expect('parsed' in got).toBe(true);
    expect(asked).not.toContain(MessageType.DraftRequest);
  });
});
