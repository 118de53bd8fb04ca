// SPDX-License-Identifier: MIT
import { blockCount } from '../constants';

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
  /** Most blocks in flight per stream (the window). */
  windowBlocks: number;
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
 * with at most `windowBlocks` in flight per stream. Blocks come back
 * verified (done), bad (asked again, up to `maxBadCopies`, then the file
 * fails and the others go on) or lost with their stream (asked again first,
 * elsewhere). A verified block is never asked for twice. No I/O: the engine
 * feeds it events and sends what it hands out.
 */
export class Scheduler {
  private readonly files = new Map<number, FileState>();
  private readonly order: number[] = [];
  private readonly retry: { file: number; block: number }[] = [];
  private readonly inFlight: Map<string, number>[] = [];
  private readonly badCopies = new Map<string, number>();
  private readonly verifiedSet = new Set<string>();
  private next = 0;

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
    }
    for (let s = 0; s < init.streams; s++) this.inFlight.push(new Map());
  }

  /** Blocks in flight on `stream`. */
  inFlightOn(stream: number): number {
    return this.inFlight[stream]?.size ?? 0;
  }

  /**
   * The next run of blocks for `stream`, or null when its window is full or
   * nothing is left to ask for. Retries go first; then files in order.
   */
  take(stream: number): Assignment | null {
    const flight = this.inFlight[stream];
    if (!flight) return null;
    const room = this.init.windowBlocks - flight.size;
    if (room <= 0) return null;
    while (this.retry.length > 0) {
      const { file, block } = this.retry.shift()!;
      const f = this.files.get(file)!;
      if (f.failed || this.verifiedSet.has(key(file, block))) continue;
      flight.set(key(file, block), file);
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
      let count = 1;
      while (
        count < room &&
        f.cursor + count < f.missing.length &&
        f.missing[f.cursor + count] === start + count
      )
        count++;
      for (let b = start; b < start + count; b++) flight.set(key(file, b), file);
      f.cursor += count;
      return { file, start, count };
    }
    return null;
  }

  /** Block arrived and matched its hash. Returns true when this completes its file. */
  verified(stream: number, file: number, block: number): boolean {
    this.inFlight[stream]?.delete(key(file, block));
    const k = key(file, block);
    if (this.verifiedSet.has(k)) return false;
    this.verifiedSet.add(k);
    const f = this.files.get(file);
    if (!f) return false;
    f.outstanding--;
    return f.outstanding === 0;
  }

  /** Block arrived with the wrong hash: ask again, or give its file up. */
  rejected(stream: number, file: number, block: number): 'retry' | 'file-failed' {
    this.inFlight[stream]?.delete(key(file, block));
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
    for (const flight of this.inFlight)
      for (const [k, fileOf] of flight) if (fileOf === file) flight.delete(k);
  }

  /** A stream died: everything it had in flight is asked for again, first, on the others. */
  streamLost(stream: number): void {
    const flight = this.inFlight[stream];
    if (!flight) return;
    const lost = [...flight.keys()].map((k) => k.split(':').map(Number) as [number, number]);
    flight.clear();
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

/** A plan for a file with nothing received yet. */
export function fullPlan(file: number, size: number): FilePlan {
  return { file, size, missing: Array.from({ length: blockCount(size) }, (_, i) => i) };
}
