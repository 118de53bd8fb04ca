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
  [CLOSE.badMessage]: 'Signal/Refused',
};

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
 * good when the server says retrying is pointless.
 */
export class SignalingClient {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly url: string,
    private readonly roomId: string,
    private readonly role: Role,
    private readonly handlers: SignalingHandlers,
  ) {
    this.connect();
  }

  /** Sends a sealed payload to a peer (receivers: to the sender, `to` null). False when not connected. */
  send(to: string | null, data: string): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(to ? { t: 'relay', to, data } : { t: 'relay', data }));
    return true;
  }

  /** Leaves the room and stops reconnecting. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
  }

  private connect(): void {
    if (this.stopped) return;
    this.handlers.onState?.(this.attempt === 0 ? 'connecting' : 'reconnecting', this.attempt);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ t: 'join', room: this.roomId, role: this.role }));
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
