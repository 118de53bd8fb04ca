// SPDX-License-Identifier: MIT
import type { Blake3 } from './blake3';

/**
 * Most bytes of blocks that came ahead of their turn held at once, over
 * every file (16 MiB): six streams each a few blocks ahead stay well inside
 * it; a file that needs more (a block lost and asked for again late) is
 * proven by reading it back instead.
 */
export const MAX_HELD_BYTES = 16 * 1024 * 1024;

/** Most files followed at once; starting one more forgets the oldest (it is then read back). */
export const MAX_RUNNING_PROOFS = 8;

interface Running {
  hasher: Blake3;
  /** The next block the hash needs. */
  next: number;
  /** Blocks verified ahead of `next`, by index. */
  held: Map<number, Uint8Array>;
  heldBytes: number;
}

/**
 * Whole-file BLAKE3 hashes built from verified blocks as they arrive, so a
 * received file is proven when its last block is, not by reading all of it
 * back afterwards (in transfer-big-6 that read-back ran alone after the
 * transfer, a tenth of its time). Blocks are fed in order; a block ahead of
 * its turn is held (its bytes are verified already) up to MAX_HELD_BYTES in
 * all. A file that would go past that, or that was forgotten to make room
 * for newer ones, gets no hash here (`finish` says null) and is proven by
 * reading it back: never a wrong answer, only a slower one.
 */
export class RunningProofs {
  private readonly files = new Map<string, Running | 'gave-up'>();
  private readonly idle: Blake3[] = [];
  private heldBytes = 0;

  constructor(private readonly newHasher: () => Promise<Blake3>) {}

  /**
   * Feeds verified block `block` of file `key`, a file none of whose blocks
   * were stored before (copied when held: the caller may hand `data` on). A
   * block fed before (the same content listed twice) is ignored.
   */
  async add(key: string, block: number, data: Uint8Array): Promise<void> {
    let file = this.files.get(key);
    if (file === 'gave-up') return;
    if (!file) {
      file = { hasher: await this.takeHasher(), next: 0, held: new Map(), heldBytes: 0 };
      // Taking the hasher may have let another call start this file first.
      const raced = this.files.get(key);
      if (raced) {
        this.idle.push(file.hasher);
        file = raced;
        if (file === 'gave-up') return;
      } else {
        file.hasher.init();
        this.start(key, file);
      }
    }
    if (block < file.next || file.held.has(block)) return;
    if (block > file.next) {
      if (this.heldBytes + data.length > MAX_HELD_BYTES) return this.giveUp(key);
      file.held.set(block, data.slice());
      file.heldBytes += data.length;
      this.heldBytes += data.length;
      return;
    }
    file.hasher.update(data);
    file.next++;
    for (let ahead = file.held.get(file.next); ahead; ahead = file.held.get(file.next)) {
      file.hasher.update(ahead);
      file.held.delete(file.next);
      file.heldBytes -= ahead.length;
      this.heldBytes -= ahead.length;
      file.next++;
    }
  }

  /**
   * The BLAKE3 of file `key` when all its `blocks` were fed, in order, else
   * null; either way the file is forgotten.
   */
  finish(key: string, blocks: number): Uint8Array | null {
    const file = this.files.get(key);
    this.forget(key);
    if (!file || file === 'gave-up' || file.next !== blocks) return null;
    return file.hasher.digest();
  }

  /**
   * Follows file `from` as `to` from now on (a draft file adopted under its
   * final key); if `to` is followed already, neither is.
   */
  rename(from: string, to: string): void {
    const file = this.files.get(from);
    if (!file || from === to) return;
    this.files.delete(from);
    if (this.files.has(to)) {
      if (file !== 'gave-up') this.files.set(from, file);
      this.forget(from);
      this.giveUp(to);
      return;
    }
    this.files.set(to, file);
  }

  /** Forgets file `key` (its transfer failed or stopped), freeing what it held. */
  forget(key: string): void {
    const file = this.files.get(key);
    this.files.delete(key);
    if (!file || file === 'gave-up') return;
    this.heldBytes -= file.heldBytes;
    this.idle.push(file.hasher);
  }

  private start(key: string, file: Running): void {
    const running = [...this.files].filter(([, f]) => f !== 'gave-up');
    if (running.length >= MAX_RUNNING_PROOFS) this.giveUp(running[0]![0]);
    this.files.set(key, file);
  }

  private giveUp(key: string): void {
    this.forget(key);
    this.files.set(key, 'gave-up');
    // Remembered so its later blocks are not taken for a new start; bounded like the rest.
    const gaveUp = [...this.files].filter(([, f]) => f === 'gave-up');
    if (gaveUp.length > 4 * MAX_RUNNING_PROOFS) this.files.delete(gaveUp[0]![0]);
  }

  private async takeHasher(): Promise<Blake3> {
    return this.idle.pop() ?? this.newHasher();
  }
}
