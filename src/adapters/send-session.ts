// SPDX-License-Identifier: MIT
import { MAX_OPEN_REQUESTS } from '../core/protocol/constants';
import type { PreparingStatus } from '../core/protocol/message-types';
import { MessageType } from '../core/protocol/message-types';
import { type Ask, Dispatcher } from '../core/session/dispatcher';
import { answerManifestRequest } from '../core/session/manifest-exchange';
import type { ProtocolStream } from '../core/session/protocol-stream';
import { ReplySlot } from '../core/session/reply-slot';
import { BlockServer, type BlockSource } from '../core/transfer/block-server';
import { answerHashesRequest } from '../core/transfer/hashes-answer';
import type { SenderDraft } from './sender-draft';
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
  /**
   * The room's draft, to answer a DRAFT_REQUEST: made at the first call once
   * every picked file is listed, null before (answered PREPARING). The room
   * counts as published once it returns one.
   */
  draft(): SenderDraft | null;
  /** The draft this room served, if any: HASHES_REQUESTs are answered from it. */
  servedDraft(): SenderDraft | null;
  onEvent(event: SendSessionEvent): void;
}

/**
 * HASHES_REQUESTs waiting on one stream before more are refused (1024, as
 * many as open block requests): each waits as its few numbers, and its reply
 * (at most 128 KiB) is made only when the one before it has been sent.
 */
const MAX_WAITING_HASHES = MAX_OPEN_REQUESTS;

interface StreamAnswers {
  server: BlockServer;
  /** One file-list reply (manifest or draft chunk) at a time. */
  manifest: ReplySlot;
  /** HASHES replies are sent one after another, each made from the hashes known when its turn comes. */
  hashes: { waiting: number; last: Promise<void> };
}

/**
 * The sender's side of one receiver: one dispatcher for all its streams, and
 * on each stream a bounded BlockServer (blocks, outboards, cancels), one
 * manifest or draft reply at a time (or PREPARING before there is one) and
 * HASHES replies in order. From the draft it was sent until it is sent the
 * manifest, the receiver names files by draft index; after, by manifest
 * index (it asks for the manifest only once none of its draft requests is
 * open). What the receiver does is reported as events; the screen keeps its
 * own rows.
 */
export function sendSession(session: IncomingSession, init: SendSessionInit): void {
  const dispatcher = new Dispatcher();
  const answers = new Map<ProtocolStream, StreamAnswers>();
  /** True from the draft answered to this receiver until the manifest is. */
  let drafting = false;
  const source = () =>
    drafting ? (init.servedDraft()?.source ?? null) : (init.offer()?.source ?? null);

  dispatcher.onAsk = (stream, ask) => {
    const a = answers.get(stream);
    if (a) answer(stream, a, ask);
  };

  /**
   * Sends one chunk of the file list `list()` gives, or PREPARING when it gives
   * none, unless a reply is still being sent (then the list is not even made:
   * making the draft publishes the room).
   */
  const fileList = (
    stream: ProtocolStream,
    a: StreamAnswers,
    ask: { id: number; offset: number },
    list: () => Uint8Array | null,
    served: () => void,
  ) => {
    const ran = a.manifest.run(async () => {
      const bytes = list();
      if (bytes) served();
      await answerManifestRequest(
        stream,
        { type: MessageType.ManifestRequest, id: ask.id, offset: ask.offset },
        bytes ?? init.preparing(),
      );
    });
    if (!ran)
      a.server.refuse(
        ask.id,
        'A file list request came while the last one was still being answered.',
      );
  };

  const answer = (stream: ProtocolStream, a: StreamAnswers, ask: Ask) => {
    switch (ask.type) {
      case MessageType.Plan:
        init.onEvent({ type: 'plan', files: ask.files, bytes: ask.bytes });
        return;
      case MessageType.ManifestRequest:
        fileList(
          stream,
          a,
          ask,
          () => init.offer()?.manifest ?? null,
          () => {
            drafting = false;
            init.onManifestServed();
          },
        );
        return;
      case MessageType.DraftRequest:
        fileList(
          stream,
          a,
          ask,
          () => init.draft()?.bytes ?? null,
          () => {
            drafting = true;
          },
        );
        return;
      case MessageType.HashesRequest: {
        if (a.hashes.waiting >= MAX_WAITING_HASHES) {
          a.server.refuse(
            ask.id,
            `At most ${MAX_WAITING_HASHES} hash requests may wait on one stream.`,
          );
          return;
        }
        a.hashes.waiting++;
        a.hashes.last = a.hashes.last
          .then(() => stream.send(answerHashesRequest(ask, init.servedDraft()?.hashing ?? null)))
          .catch(() => {}) // the stream closed: the receiver asks again on another
          .finally(() => {
            a.hashes.waiting--;
          });
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
    answers.set(stream, {
      server,
      manifest: new ReplySlot(),
      hashes: { waiting: 0, last: Promise.resolve() },
    });
    stream.whenClosed(() => answers.delete(stream));
    dispatcher.attach(stream);
    init.onEvent({ type: 'streams', up: session.streams.length, of: session.streamCount });
  };

  for (const stream of session.streams) add(stream);
  session.onStream = add;
  session.onEnd = () => init.onEvent({ type: 'end' });
}
