// SPDX-License-Identifier: MIT
import { FerryError } from '../errors';
import { MAX_OPEN_REQUESTS, MAX_STREAMS } from '../protocol/constants';
import { type Message, MessageType } from '../protocol/message-types';
import type { ProtocolStream } from './protocol-stream';

/** Messages that answer a request of ours, routed to it by their id. */
export type Answer = Extract<
  Message,
  {
    type:
      | MessageType.ManifestChunk
      | MessageType.OutboardChunk
      | MessageType.BlockData
      | MessageType.Error
      | MessageType.Preparing
      | MessageType.Hashes;
  }
>;

/** Messages in which the peer asks something of us (a sender answers them). */
export type Ask = Extract<
  Message,
  {
    type:
      | MessageType.ManifestRequest
      | MessageType.OutboardRequest
      | MessageType.BlockRequest
      | MessageType.Cancel
      | MessageType.Plan
      | MessageType.DraftRequest
      | MessageType.HashesRequest;
  }
>;

/** Where the answers to one request go. */
export interface RequestHandler {
  /** An answer carrying this request's id arrived on its stream. */
  onAnswer(answer: Answer): void;
  /** The request's stream closed before the request was finished: nothing more will come. */
  onClose(reason: string): void;
}

/** A request in flight, as its maker holds it. */
export interface PendingRequest {
  readonly id: number;
  readonly stream: ProtocolStream;
  /** The answer is complete: later answers with this id are refused as unrequested. */
  finish(): void;
  /** Tells the peer to stop (CANCEL); answers already on the way are ignored, not refused. */
  cancel(): void;
}

/**
 * Cancelled ids remembered so that their late answers are ignored rather
 * than refused (16384, ~0.5 MiB at most): twice the requests every stream of
 * a connection may have open at once, so a Pause that cancels them all
 * forgets none still on the way. An older cancelled id that still gets
 * answers is treated as unrequested.
 */
export const MAX_RETIRED_IDS = 2 * MAX_STREAMS * MAX_OPEN_REQUESTS;

/** Largest request id on the wire (2^32 - 1); the allocator never wraps. */
const MAX_REQUEST_ID = 0xffff_ffff;

interface Entry {
  stream: ProtocolStream;
  handler: RequestHandler;
}

/** Which dispatcher owns each stream: a stream's messages have exactly one router. */
const owners = new WeakMap<ProtocolStream, Dispatcher>();

/**
 * One per connection (all its streams): gives every request an id from one
 * allocator, so ids are never reused across streams or runs, and routes each
 * answer to its request by id (as libp2p mplex does with `list.get(id)`).
 * A stream may carry several requests at once. When a stream closes, every
 * request pending on it hears so at once. Asks from the peer go to `onAsk`;
 * a peer that answers what nobody asked, or asks a side that does not
 * answer, is closed with a reason. No component touches a stream's
 * `onMessage` but this one.
 */
export class Dispatcher {
  /** Called with every ask from the peer; when null, an ask closes the stream. */
  onAsk: ((stream: ProtocolStream, ask: Ask) => void) | null = null;
  private next = 1;
  private readonly pending = new Map<number, Entry>();
  /** Cancelled ids, oldest first (a Set keeps insertion order). */
  private readonly retired = new Set<number>();

  /** The dispatcher that owns these streams, made (and attached to those not yet owned) if needed. */
  static for(streams: readonly ProtocolStream[]): Dispatcher {
    const found = new Set(streams.map((s) => owners.get(s)).filter((d) => d !== undefined));
    if (found.size > 1) throw new Error('streams of two connections given as one');
    const dispatcher = found.values().next().value ?? new Dispatcher();
    for (const stream of streams) dispatcher.attach(stream);
    return dispatcher;
  }

  /** Routes `stream`'s messages through this dispatcher from now on. */
  attach(stream: ProtocolStream): void {
    const owner = owners.get(stream);
    if (owner === this) return;
    if (owner) throw new Error('stream already belongs to another connection');
    owners.set(stream, this);
    stream.onMessage = (m) => this.route(stream, m);
    stream.whenClosed((reason) => this.closed(stream, reason));
  }

  /** Requests in flight (on every stream). */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends the request `make(id)` on `stream` with a fresh id and routes its
   * answers to `handler` until it is finished or cancelled. Throws a
   * `Protocol/Closed` FerryError if the stream is closed.
   */
  request(
    stream: ProtocolStream,
    make: (id: number) => Message,
    handler: RequestHandler,
  ): PendingRequest {
    if (stream.closed) throw new FerryError('Protocol/Closed', 'The connection is closed.');
    this.attach(stream);
    if (this.next > MAX_REQUEST_ID)
      throw new FerryError('Protocol/Closed', 'This connection has used up its request ids.');
    const id = this.next++;
    this.pending.set(id, { stream, handler });
    // A failed send means the stream closed: `closed` tells the handler.
    stream.send(make(id)).catch(() => {});
    return {
      id,
      stream,
      finish: () => {
        this.pending.delete(id);
      },
      cancel: () => {
        if (!this.pending.delete(id)) return;
        this.retire(id);
        stream.send({ type: MessageType.Cancel, id }).catch(() => {});
      },
    };
  }

  private retire(id: number): void {
    this.retired.add(id);
    if (this.retired.size > MAX_RETIRED_IDS)
      this.retired.delete(this.retired.values().next().value!);
  }

  private route(stream: ProtocolStream, m: Message): void {
    switch (m.type) {
      case MessageType.ManifestRequest:
      case MessageType.OutboardRequest:
      case MessageType.BlockRequest:
      case MessageType.Cancel:
      case MessageType.Plan:
      case MessageType.DraftRequest:
      case MessageType.HashesRequest:
        if (this.onAsk) this.onAsk(stream, m);
        else stream.abort('The sender asked this device for data; only a receiver asks.');
        return;
      case MessageType.ManifestChunk:
      case MessageType.OutboardChunk:
      case MessageType.BlockData:
      case MessageType.Error:
      case MessageType.Hashes:
      case MessageType.Preparing: {
        const entry = this.pending.get(m.id);
        if (entry && entry.stream === stream) {
          entry.handler.onAnswer(m);
          return;
        }
        // Late answers to a cancelled request, and refusals (ERROR) of anything, are harmless.
        if (this.retired.has(m.id) || m.type === MessageType.Error) return;
        stream.abort(
          m.id < this.next
            ? `The other device answered request ${m.id} again, or on the wrong stream.`
            : `The other device answered request ${m.id}, which was never made.`,
        );
        return;
      }
      default:
        return;
    }
  }

  private closed(stream: ProtocolStream, reason: string): void {
    for (const [id, entry] of [...this.pending]) {
      if (entry.stream !== stream) continue;
      this.pending.delete(id);
      entry.handler.onClose(reason);
    }
  }
}
