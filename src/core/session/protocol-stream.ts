// SPDX-License-Identifier: MIT
import { FerryError, isFerryError } from '../errors';
import { CAPABILITIES, MAX_FRAME_SIZE } from '../protocol/constants';
import { decodeMessage } from '../protocol/decode';
import { encodeMessage } from '../protocol/encode';
import { ByeReason, ErrorCode, type Message, MessageType } from '../protocol/message-types';
import { type Channel, SEND_HIGH_WATER } from './channel';

/** Where this stream sits in its session. */
export interface ProtocolStreamInit {
  /** Index of this stream, 0-based. */
  stream: number;
  /** Number of streams in the session. */
  streams: number;
}

/**
 * Ferry's protocol over one channel: exchanges HELLO first, then decodes
 * every frame with bounds and hands messages on. A peer that breaks the
 * protocol (garbage, wrong hello, anything before hello) is told why with
 * ERROR and BYE, and the channel is closed: it is never trusted again.
 */
export class ProtocolStream {
  /** Called with each message after the hello exchange. */
  onMessage: ((message: Message) => void) | null = null;
  /** Called once when the stream ends, with a reason a person can read. */
  onClose: ((reason: string) => void) | null = null;
  /** Resolves when both hellos have been exchanged; rejects if the stream ends first. */
  readonly ready: Promise<{ capabilities: number }>;
  private helloReceived = false;
  private ended = false;
  private endReason = '';
  private resolveReady!: (v: { capabilities: number }) => void;
  private rejectReady!: (err: unknown) => void;
  private readonly pings = new Map<
    number,
    { sentAt: number; resolve: (ms: number) => void; reject: (err: unknown) => void }
  >();
  private nextNonce = 1;
  /** Where frames are encoded: the channel copies each in `send`, so one buffer serves them all. */
  private scratch: Uint8Array | null = null;
  /** The peer's latest PING still to answer: one PONG at a time, so a ping flood costs nothing. */
  private pongDue: number | null = null;
  private pongSending = false;
  private readonly closeListeners = new Set<(reason: string) => void>();

  constructor(
    private readonly channel: Channel,
    private readonly init: ProtocolStreamInit,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // observed through onClose as well
    channel.onMessage = (frame) => this.receive(frame);
    channel.onClose = (reason) => this.end(reason || 'The connection closed.');
    channel.send(
      encodeMessage({
        type: MessageType.Hello,
        capabilities: CAPABILITIES,
        stream: init.stream,
        streams: init.streams,
      }),
    );
  }

  /** True once the stream has ended (closed by either side). */
  get closed(): boolean {
    return this.ended;
  }

  /** This stream's index in the session. */
  get index(): number {
    return this.init.stream;
  }

  /**
   * Sends a message, waiting for the channel's buffer to drain when it is
   * full. The frame is encoded only once the channel can take it: a reply
   * waiting on a peer that stopped reading holds no encoded bytes.
   */
  async send(message: Message): Promise<void> {
    if (this.ended) throw new FerryError('Protocol/Closed', 'The connection is closed.');
    try {
      if (this.channel.bufferedAmount > SEND_HIGH_WATER) await this.channel.drained();
      if (this.ended) throw new Error('closed while waiting');
      // A fresh 256 KiB buffer per block frame, zeroed and then filled, was a tenth of
      // the sender's CPU in transfer-big-6; the scratch is allocated once per stream.
      this.scratch ??= new Uint8Array(MAX_FRAME_SIZE);
      this.channel.send(encodeMessage(message, this.scratch));
    } catch (err) {
      // The channel closed while we waited for it to drain.
      throw new FerryError('Protocol/Closed', 'The connection is closed.', { cause: err });
    }
  }

  /** Measures the round trip to the peer, in ms; rejects at once if the stream closes first. */
  async ping(): Promise<number> {
    const nonce = this.nextNonce++;
    const rtt = new Promise<number>((resolve, reject) =>
      this.pings.set(nonce, { sentAt: Date.now(), resolve, reject }),
    );
    rtt.catch(() => {});
    await this.send({ type: MessageType.Ping, nonce });
    return rtt;
  }

  /**
   * Calls `listener` once, synchronously, when the stream ends (at once if it
   * has). Unlike `onClose`, any number of parts may listen. Returns a
   * function that stops listening.
   */
  whenClosed(listener: (reason: string) => void): () => void {
    if (this.ended) {
      listener(this.endReason);
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Refuses the peer for good: tells it why (ERROR, BYE) and closes. */
  abort(reason: string): void {
    if (this.ended) return;
    this.fail(new FerryError('Protocol/Unexpected', reason));
  }

  /** Says goodbye and closes. */
  close(reason: ByeReason = ByeReason.Done, text = 'Closed.'): void {
    if (this.ended) return;
    try {
      this.channel.send(encodeMessage({ type: MessageType.Bye, reason }));
    } catch {
      // the channel may already be gone
    }
    this.end(text);
    this.channel.close();
  }

  private receive(frame: Uint8Array): void {
    if (this.ended) return;
    let message: Message;
    try {
      message = decodeMessage(frame);
      if (!this.helloReceived) {
        this.checkHello(message);
        return;
      }
    } catch (err) {
      this.fail(err);
      return;
    }
    switch (message.type) {
      case MessageType.Hello:
        this.fail(new FerryError('Protocol/Unexpected', 'The other device said hello twice.'));
        return;
      case MessageType.Ping:
        this.pongDue = message.nonce;
        void this.sendPong();
        return;
      case MessageType.Pong: {
        const ping = this.pings.get(message.nonce);
        this.pings.delete(message.nonce);
        ping?.resolve(Date.now() - ping.sentAt);
        return;
      }
      case MessageType.Bye:
        this.end(
          message.reason === ByeReason.Done
            ? 'The other device closed the connection.'
            : 'The other device stopped the transfer.',
        );
        this.channel.close();
        return;
      default:
        this.onMessage?.(message);
    }
  }

  /** Answers the latest PING; pings that came while a PONG waited for room are answered by that one. */
  private async sendPong(): Promise<void> {
    if (this.pongSending) return;
    this.pongSending = true;
    try {
      while (this.pongDue !== null && !this.ended) {
        const nonce = this.pongDue;
        this.pongDue = null;
        await this.send({ type: MessageType.Pong, nonce });
      }
    } catch {
      // closed: nothing to answer any more
    } finally {
      this.pongSending = false;
    }
  }

  private checkHello(message: Message): void {
    if (message.type !== MessageType.Hello) {
      throw new FerryError('Protocol/Unexpected', 'The other device did not start with a hello.');
    }
    if (message.stream !== this.init.stream || message.streams !== this.init.streams) {
      throw new FerryError(
        'Protocol/Unexpected',
        `The other device thinks this is stream ${message.stream} of ${message.streams}, not ${this.init.stream} of ${this.init.streams}.`,
      );
    }
    this.helloReceived = true;
    this.resolveReady({ capabilities: message.capabilities });
  }

  /** Reports a protocol violation to the peer, then closes. */
  private fail(err: unknown): void {
    const text = isFerryError(err)
      ? err.message
      : 'The other device sent something this app does not understand.';
    try {
      this.channel.send(
        encodeMessage({ type: MessageType.Error, id: 0, code: ErrorCode.Protocol, message: text }),
      );
      this.channel.send(encodeMessage({ type: MessageType.Bye, reason: ByeReason.ProtocolError }));
    } catch {
      // closing anyway
    }
    this.end(`The other device broke the protocol: ${text}`);
    this.channel.close();
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.endReason = reason;
    const closed = new FerryError('Protocol/Closed', reason);
    this.rejectReady(closed);
    for (const ping of this.pings.values()) ping.reject(closed);
    this.pings.clear();
    this.onClose?.(reason);
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
  }
}
