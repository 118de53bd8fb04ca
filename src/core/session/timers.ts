// SPDX-License-Identifier: MIT

/**
 * Time, from outside: the core keeps no timers of its own, so tests drive a
 * manual clock and the app passes `systemTimers`-like wrappers from adapters.
 */
export interface Timers {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `fn` once after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}
