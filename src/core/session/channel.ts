// SPDX-License-Identifier: MIT

/**
 * One ordered, reliable message stream (a WebRTC data channel, or an
 * in-memory pair in tests). The engine sees only this, never simple-peer.
 */
export interface Channel {
  /** Largest message `send` accepts, in bytes. */
  readonly maxMessageSize: number;
  /** Bytes queued but not yet sent. */
  readonly bufferedAmount: number;
  /**
   * Queues one message, copied before `send` returns (as a data channel's
   * `send` does): the caller may write over its bytes at once. Throws if the
   * channel is closed.
   */
  send(message: Uint8Array): void;
  /** Resolves once `bufferedAmount` falls to the channel's low-water mark (at once if it is already). */
  drained(): Promise<void>;
  /** Called with each message received, in order. */
  onMessage: ((message: Uint8Array) => void) | null;
  /** Called once when the channel closes, with a reason. */
  onClose: ((reason: string) => void) | null;
  /** Closes the channel. */
  close(): void;
}

/**
 * Bytes allowed in a channel's send buffer before a writer waits (64 KiB,
 * the low-water mark: one frame at a time past it). Chromium drops a packet
 * when more than 64 KB wait between the page and its network process, and
 * SCTP sends it, and what it cannot tell apart, again: with 256 KiB allowed,
 * `transfer-small-1` dropped 600–2,400 packets a round and sent 1.08–1.13×
 * the files' bytes (`npm run bench`: `dropped`, `wire`); with 64 KiB it and
 * `transfer-small-6` dropped none. A link with latency needs no more here:
 * data SCTP has sent and not yet had acknowledged is not counted.
 */
export const SEND_HIGH_WATER = 64 * 1024;
