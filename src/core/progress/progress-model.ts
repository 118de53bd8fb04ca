// SPDX-License-Identifier: MIT
import { etaSeconds, RateMeter } from './rate-meter';

/** Where one file (or the whole transfer) stands. */
export type ProgressState =
  | 'waiting'
  | 'hashing'
  | 'transferring'
  | 'verifying'
  | 'done'
  | 'failed'
  | 'paused';

/** One file's progress, as the UI shows it. */
export interface FileProgress {
  /** The file's key (manifest index on the receiver, pick order on the sender). */
  file: number;
  size: number;
  /** Bytes hashed (the sender's side). */
  hashed: number;
  /** Bytes that arrived, verified or not yet. */
  received: number;
  /** Bytes verified and stored. */
  verified: number;
  state: ProgressState;
  /** Bytes per second, smoothed; 0 when idle. */
  rate: number;
  /** Seconds left at the current rate, or null when unknown. */
  etaSeconds: number | null;
  /** Why it failed, as a sentence. */
  error: string | null;
}

/** The whole transfer's progress. */
export interface TotalProgress {
  size: number;
  files: number;
  doneFiles: number;
  failedFiles: number;
  hashed: number;
  received: number;
  verified: number;
  state: ProgressState;
  /** Bytes per second, smoothed (hashing while hashing, transfer after). */
  rate: number;
  etaSeconds: number | null;
}

/** What the engine, the hash pool and the controls report (like the seed's progress items). */
export type ProgressEvent =
  /** Bytes of the file hashed so far (absolute). */
  | { type: 'hashed'; file: number; bytes: number }
  /** Bytes already verified before this run (a resume). */
  | { type: 'already'; file: number; bytes: number }
  /** A block arrived (not verified yet). */
  | { type: 'received'; file: number; bytes: number }
  /** A block was verified and stored. */
  | { type: 'verified'; file: number; bytes: number }
  /** A block that arrived was damaged and thrown away. */
  | { type: 'rejected'; file: number; bytes: number }
  | { type: 'file-done'; file: number }
  | { type: 'file-failed'; file: number; reason: string }
  /** A failed file is tried again: it goes back to waiting. */
  | { type: 'file-retry'; file: number }
  | { type: 'paused' }
  | { type: 'resumed' };

/** What changed since the last `take()`. */
export interface ProgressUpdate {
  files: FileProgress[];
  total: TotalProgress;
}

interface Entry {
  size: number;
  hashed: number;
  received: number;
  verified: number;
  finished: 'done' | 'failed' | null;
  error: string | null;
  meter: RateMeter | null;
}

/**
 * The one progress model both sides feed: per-file and total bytes hashed,
 * received and verified, smoothed rates, ETAs and states. Events are cheap
 * (O(1), totals kept as running sums) however many arrive; the UI takes
 * the changed files and the total at most once per frame, and at once when
 * `urgent` says a file finished or failed. Pure: time comes in as `now` (ms).
 */
export class ProgressModel {
  private readonly entries = new Map<number, Entry>();
  private readonly dirty = new Set<number>();
  private readonly totalMeter = new RateMeter();
  private readonly hashMeter = new RateMeter();
  private totals = { size: 0, hashed: 0, received: 0, verified: 0, done: 0, failed: 0 };
  private paused = false;
  private everReceived = false;
  /** True when a file finished or failed since the last `take()`: show it now, not next frame. */
  urgent = false;

  /** Files by key and size. */
  constructor(files: Iterable<{ file: number; size: number }>) {
    for (const { file, size } of files) this.track(file, size);
  }

  /** Starts tracking one more file (the sender adds files as they are picked). */
  track(file: number, size: number): void {
    if (this.entries.has(file)) return;
    this.entries.set(file, {
      size,
      hashed: 0,
      received: 0,
      verified: 0,
      finished: null,
      error: null,
      meter: null,
    });
    this.totals.size += size;
    this.dirty.add(file);
  }

  /** Stops tracking a file (removed from the list): the totals lose it. */
  forget(file: number): void {
    const e = this.entries.get(file);
    if (!e) return;
    const t = this.totals;
    t.size -= e.size;
    t.hashed -= e.hashed;
    t.received -= e.received;
    t.verified -= e.verified;
    if (e.finished) t[e.finished]--;
    this.entries.delete(file);
    this.dirty.delete(file);
  }

  /** True when something changed since the last `take()`. */
  get changed(): boolean {
    return this.dirty.size > 0;
  }

  /** Applies one event at time `now` (ms). Events for unknown files are ignored. */
  apply(event: ProgressEvent, now: number): void {
    if (event.type === 'paused' || event.type === 'resumed') {
      this.paused = event.type === 'paused';
      this.totalMeter.reset();
      for (const [file, e] of this.entries) {
        e.meter?.reset();
        if (!e.finished) this.dirty.add(file);
      }
      return;
    }
    const e = this.entries.get(event.file);
    if (!e) return;
    this.dirty.add(event.file);
    switch (event.type) {
      case 'hashed': {
        const bytes = Math.min(e.size, Math.max(e.hashed, event.bytes));
        this.totals.hashed += bytes - e.hashed;
        e.hashed = bytes;
        this.hashMeter.sample(now, this.totals.hashed);
        break;
      }
      case 'already':
        this.add(e, 'received', event.bytes - e.received);
        this.add(e, 'verified', event.bytes - e.verified);
        break;
      case 'received':
        this.everReceived = true;
        this.add(e, 'received', event.bytes);
        e.meter ??= new RateMeter();
        e.meter.sample(now, e.received);
        this.totalMeter.sample(now, this.totals.received);
        break;
      case 'verified':
        this.add(e, 'verified', event.bytes);
        break;
      case 'rejected':
        this.add(e, 'received', -event.bytes);
        break;
      case 'file-done':
        this.finish(e, 'done', null);
        break;
      case 'file-failed':
        this.finish(e, 'failed', event.reason);
        break;
      case 'file-retry':
        if (e.finished === 'failed') this.totals.failed--;
        if (e.finished !== 'done') {
          e.finished = null;
          e.error = null;
          // What arrived but was never verified is asked for again.
          this.add(e, 'received', e.verified - e.received);
        }
        break;
    }
  }

  private add(e: Entry, field: 'received' | 'verified', delta: number): void {
    const value = Math.min(e.size, Math.max(0, e[field] + delta));
    this.totals[field] += value - e[field];
    e[field] = value;
  }

  private finish(e: Entry, how: 'done' | 'failed', error: string | null): void {
    if (e.finished === how) return;
    if (e.finished) this.totals[e.finished]--;
    e.finished = how;
    e.error = error;
    this.totals[how]++;
    if (how === 'done') {
      this.add(e, 'received', e.size - e.received);
      this.add(e, 'verified', e.size - e.verified);
    }
    e.meter = null;
    this.urgent = true;
  }

  private stateOf(e: Entry): ProgressState {
    if (e.finished) return e.finished;
    if (this.paused) return 'paused';
    if (e.received > 0 || e.verified > 0)
      return e.received >= e.size && e.verified < e.size ? 'verifying' : 'transferring';
    if (e.hashed > 0 && e.hashed < e.size) return 'hashing';
    return 'waiting';
  }

  /** One file's progress now, or null for an unknown key. */
  file(file: number, now: number): FileProgress | null {
    const e = this.entries.get(file);
    if (!e) return null;
    const state = this.stateOf(e);
    const rate = state === 'transferring' ? (e.meter?.rate(now) ?? 0) : 0;
    return {
      file,
      size: e.size,
      hashed: e.hashed,
      received: e.received,
      verified: e.verified,
      state,
      rate,
      etaSeconds: e.finished ? null : etaSeconds(e.size - e.received, rate),
      error: e.error,
    };
  }

  /** The whole transfer now. */
  total(now: number): TotalProgress {
    const t = this.totals;
    const files = this.entries.size;
    const settled = t.done + t.failed === files;
    const hashing = !this.everReceived && t.hashed > 0 && t.hashed < t.size;
    let state: ProgressState;
    if (settled) state = t.failed > 0 ? 'failed' : 'done';
    else if (this.paused) state = 'paused';
    else if (t.received > 0 || t.verified > 0)
      state = t.received >= t.size ? 'verifying' : 'transferring';
    else state = hashing ? 'hashing' : 'waiting';
    const active = state === 'transferring' || state === 'hashing';
    const rate = !active ? 0 : (hashing ? this.hashMeter : this.totalMeter).rate(now);
    const remaining = hashing ? t.size - t.hashed : this.remainingToReceive();
    return {
      size: t.size,
      files,
      doneFiles: t.done,
      failedFiles: t.failed,
      hashed: t.hashed,
      received: t.received,
      verified: t.verified,
      state,
      rate,
      etaSeconds: settled ? null : etaSeconds(remaining, rate),
    };
  }

  private remainingToReceive(): number {
    // Failed files will not arrive: they do not count as time left.
    let failedLeft = 0;
    if (this.totals.failed > 0)
      for (const e of this.entries.values())
        if (e.finished === 'failed') failedLeft += e.size - e.received;
    return this.totals.size - this.totals.received - failedLeft;
  }

  /** The changed files and the total, and clears the change marks. */
  take(now: number): ProgressUpdate {
    const files: FileProgress[] = [];
    for (const file of this.dirty) files.push(this.file(file, now)!);
    this.dirty.clear();
    this.urgent = false;
    return { files, total: this.total(now) };
  }
}
