// SPDX-License-Identifier: MIT
import type { PreparingStatus } from '../core/protocol/message-types';
import { MessageType } from '../core/protocol/message-types';
import { type Ask, Dispatcher } from '../core/session/dispatcher';
import { answerManifestRequest } from '../core/session/manifest-exchange';
import type { ProtocolStream } from '../core/session/protocol-stream';
import { ReplySlot } from '../core/session/reply-slot';
import { BlockServer, type BlockSource } from '../core/transfer/block-server';
import type { IncomingSession } from './sender-hub';

/** What happens with one receiver, for the screen. */
export type SendSessionEvent =
  /** Streams up so far, of how many the receiver asked for. */
  | { type: 'streams'; up: number; of: number }
  /** The receiver said how much it is about to fetch (its PLAN). */
  | { type: 'plan'; files: number; bytes: number }
  /** Bytes of block data sent. */
  | { type: 'served'; bytes: number }
  /** Every stream has closed. */
  | { type: 'end' };

/** What a receiver is answered from: the offer once it exists, else how far hashing has come. */
export interface SendSessionInit {
  /** The manifest and the blocks behind it, or null while files are still being checked. */
  offer(): { manifest: Uint8Array; source: BlockSource } | null;
  /** How far hashing has come (answered instead of the manifest until there is one). */
  preparing(): PreparingStatus;
  /** The manifest was asked for while there was one: the receiver may now hold it. */
  onManifestServed(): void;
  onEvent(event: SendSessionEvent): void;
}

interface StreamAnswers {
  server: BlockServer;
  manifest: ReplySlot;
}

/**
 * The sender's side of one receiver: one dispatcher for all its streams, and
 * on each stream a bounded BlockServer (blocks, outboards, cancels) and one
 * manifest reply at a time (or PREPARING before there is a manifest). What
 * the receiver does is reported as events; the screen keeps its own rows.
 */
export function sendSession(session: IncomingSession, init: SendSessionInit): void {
  const dispatcher = new Dispatcher();
  const answers = new Map<ProtocolStream, StreamAnswers>();
  const source = () => init.offer()?.source ?? null;

  dispatcher.onAsk = (stream, ask) => {
    const a = answers.get(stream);
    if (a) answer(stream, a, ask);
  };

  const answer = (stream: ProtocolStream, a: StreamAnswers, ask: Ask) => {
    switch (ask.type) {
      case MessageType.Plan:
        init.onEvent({ type: 'plan', files: ask.files, bytes: ask.bytes });
        return;
      case MessageType.ManifestRequest: {
        const offer = init.offer();
        const ran = a.manifest.run(async () => {
          if (offer) init.onManifestServed();
          await answerManifestRequest(stream, ask, offer ? offer.manifest : init.preparing());
        });
        if (!ran)
          a.server.refuse(
            ask.id,
            'A manifest request came while the last one was still being answered.',
          );
        return;
      }
      default:
        a.server.handle(ask);
    }
  };

  const add = (stream: ProtocolStream) => {
    if (answers.has(stream)) return;
    const server = new BlockServer(stream, source);
    server.onServed = (_file, _block, bytes) => init.onEvent({ type: 'served', bytes });
    answers.set(stream, { server, manifest: new ReplySlot() });
    stream.whenClosed(() => answers.delete(stream));
    dispatcher.attach(stream);
    init.onEvent({ type: 'streams', up: session.streams.length, of: session.streamCount });
  };

  for (const stream of session.streams) add(stream);
  session.onStream = add;
  session.onEnd = () => init.onEvent({ type: 'end' });
}
