// SPDX-License-Identifier: MIT

/**
 * Room for one reply of a kind waiting for the channel: while it waits, the
 * next is turned away instead of queued. A peer that stops reading then
 * costs one pending reply per kind, not one per request it sent.
 */
export class ReplySlot {
  private busy = false;

  /** True while a reply is still being sent. */
  get taken(): boolean {
    return this.busy;
  }

  /** Runs `reply` unless one is still being sent; returns whether it ran. */
  run(reply: () => Promise<void>): boolean {
    if (this.busy) return false;
    this.busy = true;
    void reply()
      .catch(() => {})
      .finally(() => {
        this.busy = false;
      });
    return true;
  }
}
