// SPDX-License-Identifier: MIT
import { blockCount } from '../constants';
import { blockLength } from '../content/outboard';
import { MAX_BLOCKS_PER_REQUEST, MAX_OPEN_REQUESTS } from '../protocol/constants';

/** A file to fetch: its index in the manifest and the blocks still missing. */
export interface FilePlan {
  file: number;
  size: number;
  /** Missing block indices, ascending. */
  missing: number[];
}

/** A run of blocks to request on one stream. */
export interface Assignment {
  file: number;
  start: number;
  count: number;
}

/** Options for a `Scheduler`. */
export interface SchedulerInit {
  /** Number of streams. */
  streams: number;
  /** Most bytes asked for and not yet arrived, per stream (the window). At least one block is always allowed. */
  windowBytes: number;
  /**
   * Most bytes arrived but not yet verified and stored, over all streams:
   * when checking or storing falls behind, asking waits (memory stays bounded).
   */
  maxProcessingBytes: number;
  /** After this many bad copies of one block, its file is given up as failed. */
  maxBadCopies: number;
}

interface FileState {
  size: number;
  missing: number[];
  cursor: number;
  outstanding: number;
  failed: boolean;
}

const key = (file: number, block: number) => `${file}:${block}`;

/**
 * The receiver's plan: which missing blocks to ask for next, on which stream,
 * with at most `windowBytes` on the way per stream. A block that has arrived
 * frees its stream's window at once (the network is not held up while it is
 * checked and stored), but counts toward `maxProcessingBytes` until it comes
 * back verified (done) or bad (asked again, up to `maxBadCopies`, then the
 * file fails and the others go on). A lost stream's blocks on the way are
 * asked for again first, elsewhere. A verified block is never asked for
 * twice. No I/O: the engine feeds it events and sends what it hands out.
 */
export class Scheduler {
  private readonly files = new Map<number, FileState>();
  private readonly order: number[] = [];
  /** Blocks to ask for again, first; `avoid` is a stream that timed out on it. */
  private readonly retry: { file: number; block: number; avoid?: number }[] = [];
  /** Per stream: blocks on the way ("file:block" → file) and their bytes. */
  private readonly inFlight: Map<string, number>[] = [];
  private readonly inFlightBytes: number[] = [];
  /** Arrived, being verified and stored: "file:block" → bytes. */
  private readonly processing = new Map<string, number>();
  private processingBytes = 0;
  private readonly badCopies = new Map<string, number>();
  /** Checks lost on this device, per block (see `askAgain`). */
  private readonly lostChecks = new Map<string, number>();
  private readonly verifiedSet = new Set<string>();
  private next = 0;
  /** Bytes of the plans not handed out yet (retries apart). */
  private unassigned = 0;
  /** Streams that died: they take no share of what is left. */
  private readonly lost = new Set<number>();

  constructor(
    plans: readonly FilePlan[],
    private readonly init: SchedulerInit,
  ) {
    for (const p of plans) {
      this.files.set(p.file, {
        size: p.size,
        missing: [...p.missing],
        cursor: 0,
        outstanding: p.missing.length,
        failed: false,
      });
      this.order.push(p.file);
      for (const block of p.missing) this.unassigned += blockLength(p.size, block);
    }
    for (let s = 0; s < init.streams; s++) {
      this.inFlight.push(new Map());
      this.inFlightBytes.push(0);
    }
  }

  /** Bytes asked for and not yet arrived on `stream`. */
  bytesOn(stream: number): number {
    return this.inFlightBytes[stream] ?? 0;
  }

  /** Blocks on the way on `stream`. */
  inFlightOn(stream: number): number {
    return this.inFlight[stream]?.size ?? 0;
  }

  private lengthOf(file: number, block: number): number {
    return blockLength(this.files.get(file)!.size, block);
  }

  private send(stream: number, file: number, block: number): void {
    this.inFlight[stream]!.set(key(file, block), file);
    this.inFlightBytes[stream]! += this.lengthOf(file, block);
  }

  /** Takes a block off its stream's window; true if it was there. */
  private unsend(stream: number, file: number, block: number): boolean {
    if (!this.inFlight[stream]?.delete(key(file, block))) return false;
    this.inFlightBytes[stream]! -= this.lengthOf(file, block);
    return true;
  }

  private settle(stream: number, file: number, block: number): void {
    if (this.unsend(stream, file, block)) return;
    const k = key(file, block);
    const bytes = this.processing.get(k);
    if (bytes === undefined) return;
    this.processing.delete(k);
    this.processingBytes -= bytes;
  }

  /**
   * A stream's fair share of what is left (on the way, to retry, not yet
   * asked for), so that no stream asks for more than the others can help
   * with. On a lossy link each stream moves only what its own congestion
   * window allows, and one stream whose window swallowed a whole small file
   * would carry it alone while the others idle (link-mobile-big-6 ran at one
   * raw channel's rate before this, `npm run bench -- link`).
   */
  private share(): number {
    let left = this.unassigned;
    for (const bytes of this.inFlightBytes) left += bytes;
    for (const r of this.retry) left += this.lengthOf(r.file, r.block);
    const live = Math.max(1, this.init.streams - this.lost.size);
    return Math.ceil(left / live);
  }

  /** Room left on `stream`, in bytes (at least one block when nothing is on the way). */
  private room(stream: number): number {
    if (this.processingBytes >= this.init.maxProcessingBytes) return 0;
    // The sender refuses more open requests than this; each request holds a block at least.
    if (this.inFlight[stream]!.size >= MAX_OPEN_REQUESTS) return 0;
    const limit = Math.min(this.init.windowBytes, this.share());
    if (this.inFlight[stream]!.size === 0) return Math.max(1, limit);
    return limit - this.inFlightBytes[stream]!;
  }

  /**
   * The next run of blocks for `stream`, or null when its window is full or
   * nothing is left to ask for. Retries go first (a block that timed out on
   * `stream` is left for the others while `othersAlive`); then files in order.
   */
  take(stream: number, othersAlive = false): Assignment | null {
    const flight = this.inFlight[stream];
    if (!flight) return null;
    let room = this.room(stream);
    if (room <= 0) return null;
    for (let i = 0; i < this.retry.length; ) {
      const { file, block, avoid } = this.retry[i]!;
      const f = this.files.get(file)!;
      if (f.failed || this.verifiedSet.has(key(file, block))) {
        this.retry.splice(i, 1);
        continue;
      }
      if (avoid === stream && othersAlive) {
        i++;
        continue;
      }
      this.retry.splice(i, 1);
      this.send(stream, file, block);
      return { file, start: block, count: 1 };
    }
    while (this.next < this.order.length) {
      const file = this.order[this.next]!;
      const f = this.files.get(file)!;
      if (f.failed || f.cursor >= f.missing.length) {
        this.next++;
        continue;
      }
      const start = f.missing[f.cursor]!;
      let count = 0;
      // A run of consecutive missing blocks, as long as the window has room (always one).
      do {
        this.send(stream, file, start + count);
        room -= blockLength(f.size, start + count);
        this.unassigned -= blockLength(f.size, start + count);
        count++;
      } while (
        room > 0 &&
        count < MAX_BLOCKS_PER_REQUEST &&
        f.cursor + count < f.missing.length &&
        f.missing[f.cursor + count] === start + count
      );
      f.cursor += count;
      return { file, start, count };
    }
    return null;
  }

  /**
   * Block arrived whole (not yet checked): its stream's window has room
   * again; it counts as processing until `verified` or `rejected`. Returns
   * false when it was not on the way on `stream`: then it must be dropped.
   */
  arrived(stream: number, file: number, block: number): boolean {
    // Not on the way here (its file failed, or it was given back): not to be checked or kept.
    if (!this.unsend(stream, file, block)) return false;
    const bytes = this.lengthOf(file, block);
    this.processing.set(key(file, block), bytes);
    this.processingBytes += bytes;
    return true;
  }

  /** Blocks asked for on `stream` that will not come (the request timed out): asked for again, first, elsewhere. */
  giveBack(stream: number, file: number, blocks: readonly number[]): void {
    const back = blocks.filter((block) => this.unsend(stream, file, block));
    this.retry.unshift(...back.map((block) => ({ file, block, avoid: stream })));
  }

  /** Block arrived and matched its hash. Returns true when this completes its file. */
  verified(stream: number, file: number, block: number): boolean {
    this.settle(stream, file, block);
    const k = key(file, block);
    if (this.verifiedSet.has(k)) return false;
    this.verifiedSet.add(k);
    const f = this.files.get(file);
    if (!f) return false;
    f.outstanding--;
    return f.outstanding === 0;
  }

  /**
   * Block arrived but its check was lost here (see `CheckLost`): asked for
   * again, first, with no bad copy counted. Returns false, asking nothing,
   * once this block's check was lost `maxLostChecks` times.
   */
  askAgain(stream: number, file: number, block: number, maxLostChecks: number): boolean {
    this.settle(stream, file, block);
    const k = key(file, block);
    const lost = (this.lostChecks.get(k) ?? 0) + 1;
    this.lostChecks.set(k, lost);
    if (lost >= maxLostChecks) return false;
    if (!this.files.get(file)?.failed && !this.verifiedSet.has(k))
      this.retry.unshift({ file, block });
    return true;
  }

  /** Block arrived with the wrong hash: ask again, or give its file up. */
  rejected(stream: number, file: number, block: number): 'retry' | 'file-failed' {
    this.settle(stream, file, block);
    const k = key(file, block);
    const copies = (this.badCopies.get(k) ?? 0) + 1;
    this.badCopies.set(k, copies);
    if (copies >= this.init.maxBadCopies) {
      this.failFile(file);
      return 'file-failed';
    }
    this.retry.push({ file, block });
    return 'retry';
  }

  /** The sender cannot serve this file (moved, unreadable): stop asking for it. */
  failFile(file: number): void {
    const f = this.files.get(file);
    if (!f || f.failed) return;
    f.failed = true;
    for (let i = f.cursor; i < f.missing.length; i++)
      this.unassigned -= blockLength(f.size, f.missing[i]!);
    f.cursor = f.missing.length;
    for (const [stream, flight] of this.inFlight.entries())
      for (const [k, fileOf] of flight)
        if (fileOf === file) this.unsend(stream, file, Number(k.split(':')[1]));
  }

  /** A stream died: everything it had in flight is asked for again, first, on the others. */
  streamLost(stream: number): void {
    const flight = this.inFlight[stream];
    if (!flight) return;
    this.lost.add(stream);
    const lost = [...flight.keys()].map((k) => k.split(':').map(Number) as [number, number]);
    flight.clear();
    this.inFlightBytes[stream] = 0;
    lost.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.retry.unshift(...lost.map(([file, block]) => ({ file, block })));
  }

  /** True when file `file` has every block verified. */
  isComplete(file: number): boolean {
    const f = this.files.get(file);
    return !!f && !f.failed && f.outstanding === 0;
  }

  /** True when every file is complete or failed. */
  get finished(): boolean {
    for (const f of this.files.values()) if (!f.failed && f.outstanding > 0) return false;
    return true;
  }

  /** Files given up. */
  get failedFiles(): number[] {
    return [...this.files].filter(([, f]) => f.failed).map(([file]) => file);
  }
}

/**
 * The order to fetch files in: smallest first (a note behind a film arrives
 * at once, and finished files show early), except that small files (at most
 * `smallBytes`) all come first in manifest order: a sender that reads small
 * files asked for in order several at a time then can. Ties go by manifest order.
 */
export function fetchOrder(plans: readonly FilePlan[], smallBytes: number): FilePlan[] {
  const rank = (p: FilePlan) => (p.size <= smallBytes ? 0 : p.size);
  return [...plans].sort((a, b) => rank(a) - rank(b) || a.file - b.file);
}

/** A plan for a file with nothing received yet. */
export function fullPlan(file: number, size: number): FilePlan {
  return { file, size, missing: Array.from({ length: blockCount(size) }, (_, i) => i) };
}
