// SPDX-License-Identifier: MIT
// An in-memory Channel pair for tests, with latency, jitter and loss of a whole stream.
import type { Channel } from '../../src/core/session/channel';

/** Options for a simulated link. */
export interface MemoryLinkInit {
  /** One-way delay, ms. */
  latencyMs?: number;
  /** Extra random delay up to this many ms (order is kept, as on a real data channel). */
  jitterMs?: number;
  /** Largest message, bytes. */
  maxMessageSize?: number;
}

class MemoryChannel implements Channel {
  onMessage: ((message: Uint8Array) => void) | null = null;
  onClose: ((reason: string) => void) | null = null;
  peer!: MemoryChannel;
  bufferedAmount = 0;
  closed = false;
  private readonly queue: { at: number; message: Uint8Array }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private drainWaiters: (() => void)[] = [];
  /** Every message sent, for assertions. */
  readonly sent: Uint8Array[] = [];

  constructor(private readonly init: Required<MemoryLinkInit>) {}

  get maxMessageSize(): number {
    return this.init.maxMessageSize;
  }

  send(message: Uint8Array): void {
    if (this.closed) throw new Error('channel closed');
    if (message.length > this.init.maxMessageSize) throw new Error('message too large');
    // Copied at once, as a data channel does: the sender may reuse its buffer.
    this.sent.push(message.slice());
    this.bufferedAmount += message.length;
    const delay = this.init.latencyMs + Math.random() * this.init.jitterMs;
    // Deliveries stay in order even with jitter (as on a data channel): never before the previous one.
    const at = Math.max(Date.now() + delay, this.queue.at(-1)?.at ?? 0);
    this.queue.push({ at, message: message.slice() });
    this.schedule();
  }

  /** One timer for the head of the queue: Node orders timers by duration, not by expiry. */
  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        while (this.queue.length > 0 && this.queue[0]!.at <= Date.now()) {
          const { message } = this.queue.shift()!;
          this.bufferedAmount -= message.length;
          if (this.bufferedAmount === 0) for (const w of this.drainWaiters.splice(0)) w();
          if (!this.peer.closed && !this.closed) this.peer.onMessage?.(message);
        }
        this.schedule();
      },
      Math.max(0, this.queue[0]!.at - Date.now()),
    );
  }

  drained(): Promise<void> {
    if (this.bufferedAmount === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  close(): void {
    this.kill('closed');
  }

  /** Ends both ends at once, as when a stream's connection dies. */
  kill(reason: string): void {
    for (const end of [this, this.peer]) {
      if (end.closed) continue;
      end.closed = true;
      end.queue.length = 0;
      if (end.timer) clearTimeout(end.timer);
      for (const w of end.drainWaiters.splice(0)) w();
      end.onClose?.(reason);
    }
  }
}

/** Two connected in-memory channels: what one sends, the other receives. */
export function memoryChannelPair(init: MemoryLinkInit = {}): [MemoryChannel, MemoryChannel] {
  const full = { latencyMs: 0, jitterMs: 0, maxMessageSize: 256 * 1024, ...init };
  const a = new MemoryChannel(full);
  const b = new MemoryChannel(full);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
