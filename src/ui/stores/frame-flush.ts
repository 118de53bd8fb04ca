// SPDX-License-Identifier: MIT

/** Longest a write waits when frames do not come (a hidden tab runs no animation frames). */
const HIDDEN_FLUSH_MS = 250;

/**
 * Least time between two progress writes that only move bars and numbers, ms.
 * Every write costs a style, layout and paint pass on the main thread that also
 * receives the data: at 60 writes a second that was about a fifth of the
 * receiving page's main thread in a profile here. Ten a second, with the bars'
 * 150 ms transition, still looks continuous. A finished or failed file is
 * still shown at once (`now`).
 */
export const PROGRESS_INTERVAL_MS = 100;

/** Counters a benchmark reads to check the once-per-frame rule. */
export const progressStats = {
  writes: 0,
  /** Writes made in a frame that already had one (forced flushes at the start or end of a run). */
  extraInFrame: 0,
};

/**
 * Runs `flush` at most once per animation frame however often `request()`
 * is called, and `request()`ed writes at most every `intervalMs`. `now()`
 * asks for it at the end of the current task unless a frame is already on
 * its way. Hidden tabs run no animation frames, so there a timer stands in.
 * Each run counts as one store write in `progressStats`.
 */
export function frameFlush(flush: () => void, intervalMs = PROGRESS_INTERVAL_MS) {
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let soon = false;
  let lastWrite = Number.NEGATIVE_INFINITY;
  /** True from a write until the next frame starts: a second write then waits for that frame. */
  let wroteThisFrame = false;
  const run = () => {
    if (frame) cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
    frame = 0;
    timer = undefined;
    soon = false;
    lastWrite = performance.now();
    progressStats.writes++;
    if (wroteThisFrame) progressStats.extraInFrame++;
    if (!wroteThisFrame && typeof requestAnimationFrame === 'function') {
      wroteThisFrame = true;
      requestAnimationFrame(() => {
        wroteThisFrame = false;
      });
    }
    flush();
  };
  const pending = () => frame !== 0 || timer !== undefined || soon;
  const request = (): void => {
    if (pending()) return;
    const wait = lastWrite + intervalMs - performance.now();
    if (typeof document !== 'undefined' && document.hidden) {
      timer = setTimeout(run, Math.max(HIDDEN_FLUSH_MS, wait));
    } else if (wait > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        frame = requestAnimationFrame(run);
      }, wait);
    } else {
      frame = requestAnimationFrame(run);
    }
  };
  return {
    /** Flushes by the next frame. */
    request,
    /**
     * Flushes at the end of this task (a file finished: show it now), unless
     * a write already happened in this frame: then with the next frame.
     */
    now(): void {
      if (soon || frame) return;
      // An urgent write does not wait out the interval of a pending routine one.
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      const hidden = typeof document !== 'undefined' && document.hidden;
      if (wroteThisFrame && !hidden) {
        frame = requestAnimationFrame(run);
        return;
      }
      soon = true;
      // A synchronous flush in between already wrote: then there is nothing to do.
      queueMicrotask(() => {
        if (soon) run();
      });
    },
    /** Flushes synchronously. */
    sync: run,
  };
}
