// SPDX-License-Identifier: MIT

/** Why a sender stopped serving a receiver session. */
export type EndReason = 'closed' | 'expired' | 'evicted' | 'refused';

/**
 * The ids of the most recent sessions that ended, with why, at most `limit`
 * of them (the oldest forgotten first). A session's first message opens with
 * the ticket's key whenever it is replayed, so the sender remembers what it
 * ended: the server replaying it must not start a ghost session.
 */
export class EndedSessions {
  private readonly reasons = new Map<string, EndReason>();

  constructor(private readonly limit: number) {}

  /** Sessions remembered now. */
  get size(): number {
    return this.reasons.size;
  }

  /** Remembers that session `id` ended, forgetting the oldest past the limit. */
  add(id: string, reason: EndReason): void {
    this.reasons.delete(id);
    this.reasons.set(id, reason);
    if (this.reasons.size > this.limit) this.reasons.delete(this.reasons.keys().next().value!);
  }

  /** Why session `id` ended, or undefined if it did not (or is too old to remember). */
  reasonFor(id: string): EndReason | undefined {
    return this.reasons.get(id);
  }
}
