// SPDX-License-Identifier: MIT

/**
 * Which worker follows each received file's running whole-file hash
 * (`RunningProofs` lives in one worker per file): every call about that
 * file must go there. A file whose worker died or was retired is marked
 * lost and never followed again, since a new worker would have missed its
 * first blocks. `S` is the pool's worker slot.
 */
export class ProofAffinity<S> {
  private readonly followed = new Map<string, S | 'lost'>();

  constructor(
    /** True while `slot`'s worker is alive. */
    private readonly alive: (slot: S) => boolean,
  ) {}

  /**
   * Where a call about file `key` goes, and whether that worker follows the
   * file: its following worker, or (for a file not seen yet) the one `pick`
   * gives, which follows it from now on.
   */
  place(key: string, pick: () => S | null): { slot: S | null; follows: boolean } {
    const followed = this.followed.get(key);
    if (followed && followed !== 'lost' && this.alive(followed))
      return { slot: followed, follows: true };
    if (followed) {
      this.followed.set(key, 'lost');
      return { slot: pick(), follows: false };
    }
    const slot = pick();
    if (slot) this.followed.set(key, slot);
    return { slot, follows: slot !== null };
  }

  /** True while a live worker follows file `key`. */
  follows(key: string): boolean {
    const slot = this.followed.get(key);
    return !!slot && slot !== 'lost' && this.alive(slot);
  }

  /** Follows file `from` as `to`; returns the worker to tell, or null when it is lost (or `to` was followed). */
  rename(from: string, to: string): S | null {
    const slot = this.followed.get(from);
    this.followed.delete(from);
    if (!slot || from === to) return null;
    if (slot === 'lost' || !this.alive(slot) || this.followed.has(to)) {
      this.followed.set(to, 'lost');
      return null;
    }
    this.followed.set(to, slot);
    return slot;
  }

  /** Stops following file `key`; returns its live worker, if any, to free what it holds. */
  forget(key: string): S | null {
    const slot = this.followed.get(key);
    this.followed.delete(key);
    return slot && slot !== 'lost' && this.alive(slot) ? slot : null;
  }

  /** Forgets every file (the pool closed). */
  clear(): void {
    this.followed.clear();
  }
}
