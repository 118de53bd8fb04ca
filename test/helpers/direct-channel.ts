// SPDX-License-Identifier: MIT
// A Channel pair for fuzzing: messages arrive on the next microtask, in order, with no timers.
import type { Channel } from '../../src/core/session/channel';

/** A message channel whose messages arrive on the next microtask: fast, ordered, no timers. */
export function directPair(): [DirectChannel, DirectChannel] {
  const a = new DirectChannel();
  const b = new DirectChannel();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** One end of a `directPair`. */
export class DirectChannel implements Channel {
  readonly maxMessageSize = 256 * 1024;
  bufferedAmount = 0;
  onMessage: ((m: Uint8Array) => void) | null = null;
  onClose: ((reason: string) => void) | null = null;
  peer!: DirectChannel;
  closed = false;
  send(message: Uint8Array): void {
    if (this.closed) throw new Error('closed');
    const copy = message.slice();
    queueMicrotask(() => {
      if (!this.closed && !this.peer.closed) this.peer.onMessage?.(copy);
    });
  }
  drained(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {
    for (const end of [this, this.peer]) {
      if (end.closed) continue;
      end.closed = true;
      end.onClose?.('closed');
    }
  }
}
