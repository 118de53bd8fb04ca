// SPDX-License-Identifier: MIT

/** How far back a rate looks: long enough to smooth bursts, short enough to follow a real change. */
const WINDOW_MS = 4000;
/** Below this much history a rate is a guess, and no ETA is given. */
const MIN_SPAN_MS = 750;

/**
 * A smoothed rate of a growing byte count: the slope over the last few
 * seconds of samples, so that one burst of blocks (six streams land
 * together) neither spikes nor zeroes it. `reset()` after a pause so the
 * idle time does not drag the rate down.
 */
export class RateMeter {
  private times: number[] = [];
  private counts: number[] = [];

  /** Records that `count` bytes were reached at time `now` (ms). Counts never go backwards in time order. */
  sample(now: number, count: number): void {
    const last = this.times.length - 1;
    if (last >= 0 && now <= this.times[last]!) {
      this.counts[last] = count;
      return;
    }
    this.times.push(now);
    this.counts.push(count);
    // Keep one sample older than the window so the slope spans all of it.
    let drop = 0;
    while (this.times.length - drop > 2 && now - this.times[drop + 1]! >= WINDOW_MS) drop++;
    if (drop > 0) {
      this.times.splice(0, drop);
      this.counts.splice(0, drop);
    }
  }

  /** Bytes per second over the window, or 0 before there is enough history. */
  rate(now: number): number {
    const n = this.times.length;
    if (n < 2) return 0;
    const first = this.times[0]!;
    // Idle time since the last sample counts: a stalled transfer's rate falls.
    const span = Math.max(now, this.times[n - 1]!) - first;
    if (span < MIN_SPAN_MS) return 0;
    return ((this.counts[n - 1]! - this.counts[0]!) * 1000) / span;
  }

  /** Forgets the history (after a pause, a reconnect). */
  reset(): void {
    this.times = [];
    this.counts = [];
  }
}

/** Seconds left for `remaining` bytes at `rate` bytes/s, or null when unknown. */
export function etaSeconds(remaining: number, rate: number): number | null {
  if (remaining <= 0) return 0;
  if (!(rate > 0)) return null;
  return Math.ceil(remaining / rate);
}
