// SPDX-License-Identifier: MIT

/** Longest a write waits when frames do not come (a hidden tab runs no animation frames). */
const HIDDEN_FLUSH_MS = 250;

/** Counters a benchmark reads to check the once-per-frame rule. */
export const progressStats = {
  writes: 0,
  /** Writes made in a frame that already had one (forced flushes at the start or end of a run). */
  extraInFrame: 0,
};

/**
 * Runs `flush` at most once per animation frame however often `request()`
 * is called. `now()` asks for it at the end of the current task unless a
 * frame is already on its way. Hidden tabs run no animation frames, so there
 * a timer stands in. Each run counts as one store write in `progressStats`.
 */
export function frameFlush(flush: () => void) {
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let soon = false;
  /** True from a write until the next frame starts: a second write then waits for that frame. */
  let wroteThisFrame = false;
  const run = () => {
    if (frame) cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
    frame = 0;
    timer = undefined;
    soon = false;
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
    if (typeof document !== 'undefined' && document.hidden)
      timer = setTimeout(run, HIDDEN_FLUSH_MS);
    else frame = requestAnimationFrame(run);
  };
  return {
    /** Flushes by the next frame. */
    request,
    /**
     * Flushes at the end of this task (a file finished: show it now), unless
     * a write already happened in this frame: then with the next frame.
     */
    now(): void {
      if (pending()) return;
      if (wroteThisFrame) {
        request();
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
