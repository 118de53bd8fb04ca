// SPDX-License-Identifier: MIT

/**
 * Least time a block request may stay unanswered (4 s): under it, a busy
 * main thread or a slow disk on the sender looks like a dead stream.
 */
export const MIN_REQUEST_TIMEOUT_MS = 4_000;

/**
 * Most time a block request may stay unanswered (60 s), also used before the
 * rate is known: past it a person would rather see the stream replaced.
 */
export const MAX_REQUEST_TIMEOUT_MS = 60_000;

/** How long a rate sample runs before it counts, ms (1 s: shorter ones are mostly noise). */
const RATE_SAMPLE_MS = 1_000;

/**
 * Request time-outs from the measured rate and round trip: time enough for
 * everything asked for on a stream to arrive four times over at the rate
 * seen so far, plus four round trips, between the floor and the ceiling.
 */
export class RequestTimeout {
  private bytesPerMs: number | null = null;
  private sampleStart: number | null = null;
  private sampleBytes = 0;

  constructor(
    /** Round trip measured before the run, ms, or null when unknown. */
    private readonly rttMs: number | null,
  ) {}

  /** Counts `bytes` received at time `now` (ms). */
  received(now: number, bytes: number): void {
    if (this.sampleStart === null) {
      this.sampleStart = now;
      return;
    }
    this.sampleBytes += bytes;
    const elapsed = now - this.sampleStart;
    if (elapsed < RATE_SAMPLE_MS) return;
    const rate = this.sampleBytes / elapsed;
    this.bytesPerMs = this.bytesPerMs === null ? rate : (this.bytesPerMs + rate) / 2;
    this.sampleStart = now;
    this.sampleBytes = 0;
  }

  /** Time-out for a stream with `bytesAsked` on the way, when `streams` share the rate, ms. */
  forStream(bytesAsked: number, streams: number): number {
    if (this.bytesPerMs === null || this.bytesPerMs <= 0) return MAX_REQUEST_TIMEOUT_MS;
    const perStream = this.bytesPerMs / Math.max(1, streams);
    const ms = 4 * (this.rttMs ?? 0) + (4 * bytesAsked) / perStream;
    return Math.min(MAX_REQUEST_TIMEOUT_MS, Math.max(MIN_REQUEST_TIMEOUT_MS, Math.ceil(ms)));
  }
}
