// SPDX-License-Identifier: MIT
import { FerryError } from '../core/errors';
import {
  CLOSE,
  parseServerMessage,
  type Role,
  type ServerMessage,
} from '../core/signaling/messages';

/** What the signaling client tells its owner. */
export interface SignalingHandlers {
  /** Joined the room (again, after a reconnect); `senderPresent` for receivers. */
  onJoined?(id: string, senderPresent: boolean): void;
  /** Sender side: a receiver joined. */
  onPeer?(id: string): void;
  /** Receiver side: the sender arrived. */
  onSender?(): void;
  /** A peer (or, for a receiver, the sender) left. */
  onGone?(id: string): void;
  /** A sealed payload from a peer. */
  onRelay(from: string, data: string): void;
  /** Connection state, for the UI. */
  onState?(state: 'connecting' | 'open' | 'reconnecting', attempt: number): void;
  /** The server refused us for good (no sender, link expired, room full…); no more retries. */
  onFatal(error: FerryError): void;
}

/** Close codes after which retrying cannot help. */
const FATAL: Record<number, FerryError['name']> = {
  [CLOSE.noSender]: 'Signal/NoSender',
  [CLOSE.roomExpired]: 'Signal/NoSender',
  [CLOSE.senderExists]: 'Signal/Refused',
  [CLOSE.replaced]: 'Signal/Refused',
  [CLOSE.badMessage]: 'Signal/Refused',
};

/**
 * Most messages held while the socket is away (reconnecting, or not yet
 * joined), and most characters: a full six-stream handshake with trickled
 * candidates is ~60 messages of a few KiB. Past either bound the oldest go
 * first (sealed signaling tolerates gaps; a stale message matters least).
 */
export const OUTBOX_LIMIT = { messages: 256, chars: 1024 * 1024 } as const;

/** What a sender's or receiver's signaling needs besides the room. */
export interface SignalingLink {
  /** Sends a sealed payload to a peer (receivers: to the sender, `to` null); held while reconnecting. */
  send(to: string | null, data: string): void;
  /** Leaves the room and stops reconnecting. */
  close(): void;
}

/** First reconnect delay and the cap, ms. */
const BACKOFF_MS = [500, 15_000] as const;

/** The `/signal` WebSocket URL for a relay given as an http(s) or ws(s) origin. */
export function signalUrl(relay: string): string {
  const url = new URL(relay);
  url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  url.pathname = '/signal';
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * A connection to the rendezvous server for one room, that reconnects with
 * exponential backoff (and jitter) when the connection drops, and stops for
 * good when the server says retrying is pointless. Messages sent while it is
 * away are held (bounded) and sent once it has joined again. A sender shows
 * its `claim` token on every join, so the server gives it its room back.
 */
export class SignalingClient implements SignalingLink {
  private ws: WebSocket | null = null;
  private joined = false;
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly outbox: string[] = [];
  private outboxChars = 0;

  constructor(
    private readonly url: string,
    private readonly roomId: string,
    private readonly role: Role,
    private readonly handlers: SignalingHandlers,
    private readonly claim?: string,
  ) {
    this.connect();
  }

  /** Sends a sealed payload to a peer (receivers: to the sender, `to` null); held while away. */
  send(to: string | null, data: string): void {
    if (this.stopped) return;
    const frame = JSON.stringify(to ? { t: 'relay', to, data } : { t: 'relay', data });
    if (this.joined && this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(frame);
      return;
    }
    this.outbox.push(frame);
    this.outboxChars += frame.length;
    while (this.outbox.length > OUTBOX_LIMIT.messages || this.outboxChars > OUTBOX_LIMIT.chars)
      this.outboxChars -= this.outbox.shift()!.length;
  }

  /** Leaves the room and stops reconnecting. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.outbox.length = 0;
    this.ws?.close(1000);
  }

  private flush(): void {
    const ws = this.ws;
    if (!ws) return;
    for (const frame of this.outbox.splice(0)) ws.send(frame);
    this.outboxChars = 0;
  }

  private connect(): void {
    if (this.stopped) return;
    this.handlers.onState?.(this.attempt === 0 ? 'connecting' : 'reconnecting', this.attempt);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.joined = false;
    ws.onopen = () => {
      const join = { t: 'join', room: this.roomId, role: this.role };
      ws.send(JSON.stringify(this.claim ? { ...join, claim: this.claim } : join));
    };
    ws.onmessage = (event) => {
      let message: ServerMessage;
      try {
        message = parseServerMessage(String(event.data));
      } catch {
        return; // a confused server; ignore the message rather than act on it
      }
      this.dispatch(message);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws || this.stopped) return;
      this.joined = false;
      const fatal = FATAL[event.code];
      if (fatal) {
        this.stopped = true;
        this.handlers.onFatal(
          new FerryError(fatal, event.reason || 'The Ferry server refused this link.'),
        );
        return;
      }
      const [first, cap] = BACKOFF_MS;
      const delay = Math.min(cap, first * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt++;
      this.handlers.onState?.('reconnecting', this.attempt);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  private dispatch(message: ServerMessage): void {
    switch (message.t) {
      case 'joined':
        this.attempt = 0;
        this.joined = true;
        this.flush();
        this.handlers.onState?.('open', 0);
        this.handlers.onJoined?.(message.id, message.sender);
        break;
      case 'peer':
        this.handlers.onPeer?.(message.id);
        break;
      case 'sender':
        this.handlers.onSender?.();
        break;
      case 'gone':
        this.handlers.onGone?.(message.id);
        break;
      case 'relay':
        this.handlers.onRelay(message.from, message.data);
        break;
      case 'error':
        break; // e.g. a relay to a peer that just left: the 'gone' that follows says it all
    }
  }
}
