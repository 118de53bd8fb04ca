// SPDX-License-Identifier: MIT
import { type DraftEntry, type SenderDraft, senderDraft } from '../../adapters/sender-draft';

/** One listed file of the pick, as a draft is made from it: null `entry` when its hashing failed. */
export interface PickedEntry {
  id: number;
  entry: DraftEntry | null;
}

/**
 * The draft of one room: made at the first DRAFT_REQUEST once the whole pick
 * is listed, from the files not failed then, and served unchanged until the
 * room closes (receivers hold its indices). Remembers which pick it was made
 * from, so the store can tell a changed pick (a new room) from a file merely
 * finishing its hashing.
 */
export class RoomDraft {
  private made: { draft: SenderDraft; ids: ReadonlySet<number> } | null = null;

  /** The draft this room served, or null. */
  get served(): SenderDraft | null {
    return this.made?.draft ?? null;
  }

  /** The room's draft, made now from `pick` if there is none yet (null when every file failed). */
  serve(pick: readonly PickedEntry[]): SenderDraft | null {
    if (this.made) return this.made.draft;
    const entries = pick.flatMap((p) => (p.entry ? [p.entry] : []));
    if (entries.length === 0) return null;
    this.made = { draft: senderDraft(entries), ids: new Set(pick.map((p) => p.id)) };
    return this.made.draft;
  }

  /** True unless a draft was made from exactly the files `ids` (failed ones included). */
  changed(ids: readonly number[]): boolean {
    const made = this.made?.ids;
    return !made || made.size !== ids.length || ids.some((id) => !made.has(id));
  }

  /** Forgets the draft (the room closed). */
  clear(): void {
    this.made = null;
  }
}
