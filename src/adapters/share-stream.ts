// SPDX-License-Identifier: MIT
import { ErrorCode, MessageType, type PreparingStatus } from '../core/protocol/message-types';
import { answerManifestRequest } from '../core/session/manifest-exchange';
import type { ProtocolStream } from '../core/session/protocol-stream';
import { BlockServer, type BlockSource } from '../core/transfer/block-server';

/** What a sender's stream answers from: the offer once it exists, else how far hashing has come. */
export interface ShareStreamInit {
  /** The manifest and the blocks behind it, or null while files are still being checked. */
  offer(): { manifest: Uint8Array; source: BlockSource } | null;
  /** How far hashing has come (answered instead of the manifest until there is one). */
  preparing(): PreparingStatus;
  /** The manifest was asked for while there was one: the receiver may now hold it. */
  onManifestServed(): void;
  /** The receiver said how much it is about to fetch (its PLAN). */
  onPlan(bytes: number): void;
  /** Bytes of block data sent. */
  onServed(bytes: number): void;
}

/**
 * Answers one receiver stream on the sending side: PLAN, block requests (once
 * there is an offer), manifest requests (or PREPARING before), and a protocol
 * error for anything a sender does not answer.
 */
export function answerShareStream(stream: ProtocolStream, init: ShareStreamInit): void {
  // Made with the first request after the manifest exists: until then there is nothing to serve.
  let server: BlockServer | null = null;
  stream.onMessage = (message) => {
    if (message.type === MessageType.Plan) {
      init.onPlan(message.bytes);
      return;
    }
    const offer = init.offer();
    if (offer && !server) {
      server = new BlockServer(stream, offer.source);
      server.onServed = (_file, _block, bytes) => init.onServed(bytes);
    }
    if (server?.handle(message)) return;
    if (offer && message.type === MessageType.ManifestRequest) init.onManifestServed();
    void answerManifestRequest(stream, message, offer ? offer.manifest : init.preparing())
      .then(async (handled) => {
        if (!handled && 'id' in message) {
          await stream.send({
            type: MessageType.Error,
            id: message.id,
            code: ErrorCode.Protocol,
            message: 'A sender does not answer that message.',
          });
        }
      })
      .catch(() => {});
  };
}
