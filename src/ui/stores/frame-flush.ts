// SPDX-License-Identifier: MIT

/** Longest a write waits when frames do not come (a hidden tab runs no animation frames). */
const HIDDEN_FLUSH_MS = 250;

/**
 * Least time between two progress writes that only move bars and numbers, ms.
 * Every write costs a style, layout and paint pass on a main thread that also
 * receives the data, on a machine the transfer itself keeps busy: ten writes a
 * second look continuous and cost a sixth of sixty.
 */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Least time between two urgent writes (a file finished or failed), ms. The
 * first one after a quiet spell goes out at the end of the task; when small
 * files finish by the hundred each second they are shown ten times a second,
 * like any other progress. Sixty a second halved the small-file transfer rate
 * in the benchmark here; twenty still cost 3–6 % more CPU per MB than ten
 * (transfer-small-6, back to back twice: 106.5 / 106.7 -> 100.1 / 103.2 ms/MB).
 */
export const URGENT_GAP_MS = 100;

/** Counters a benchmark reads to check the once-per-frame rule (counted in test builds only). */
export const progressStats = {
  writes: 0,
  /** Writes made in a frame that already had one (forced flushes at the start or end of a run). */
  extraInFrame: 0,
};

/**
 * Runs `flush` at most once per animation frame however often it is asked:
 * `request()` (progress moved) at most every `intervalMs`, `now()` (a file
 * finished) at the end of the current task, or `URGENT_GAP_MS` after the last
 * write if that was more recent. Hidden tabs run no animation frames, so there
 * timers stand in. Each run counts as one store write in `progressStats`.
 */
export function frameFlush(flush: () => void, intervalMs = PROGRESS_INTERVAL_MS) {
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the pending timer fires (performance.now() time). */
  let timerDue = 0;
  let soon = false;
  let lastWrite = Number.NEGATIVE_INFINITY;
  /** True from a write until the next frame starts: a second write then waits for that frame. */
  let wroteThisFrame = false;
  const hidden = () => typeof document !== 'undefined' && document.hidden;

  const run = () => {
    if (frame) cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
    frame = 0;
    timer = undefined;
    soon = false;
    lastWrite = performance.now();
    if (__FERRY_TEST_HOOKS__) {
      progressStats.writes++;
      if (wroteThisFrame) progressStats.extraInFrame++;
    }
    if (!wroteThisFrame && typeof requestAnimationFrame === 'function') {
      wroteThisFrame = true;
      requestAnimationFrame(() => {
        wroteThisFrame = false;
      });
    }
    flush();
  };

  /** Sets the one timer to fire at `due` (performance.now() time), unless it fires no later already. */
  const arm = (due: number, now: number, fire: () => void): void => {
    // Compared by due time, not by delay: two calls a few microseconds apart must keep the
    // timer, not clear and set it again (once per finished file, on the receiving main thread).
    if (timer !== undefined && timerDue <= due) return;
    if (timer !== undefined) clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(fire, due - now);
  };

  /** Writes with the first frame at least `gap` ms after the last write (a timer in hidden tabs). */
  const schedule = (gap: number, hiddenGap: number): void => {
    const now = performance.now();
    const wait = lastWrite + gap - now;
    if (hidden()) {
      arm(now + Math.max(hiddenGap, wait, 0), now, run);
    } else if (wait > 0) {
      arm(lastWrite + gap, now, () => {
        timer = undefined;
        frame = requestAnimationFrame(run);
      });
    } else {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      frame = requestAnimationFrame(run);
    }
  };

  return {
    /** Flushes by the next frame, at most every `intervalMs`. */
    request(): void {
      if (frame || soon || timer !== undefined) return;
      schedule(intervalMs, HIDDEN_FLUSH_MS);
    },
    /**
     * Flushes at the end of this task (a file finished: show it now), unless
     * a write happened in this frame or less than `URGENT_GAP_MS` ago: then
     * with the first frame after that gap.
     */
    now(): void {
      if (frame || soon) return;
      const quiet = performance.now() - lastWrite >= URGENT_GAP_MS;
      if (quiet && (!wroteThisFrame || hidden())) {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        soon = true;
        // A synchronous flush in between already wrote: then there is nothing to do.
        queueMicrotask(() => {
          if (soon) run();
        });
        return;
      }
      schedule(URGENT_GAP_MS, 0);
    },
    /** Flushes synchronously. */
    sync: run,
  };
}
