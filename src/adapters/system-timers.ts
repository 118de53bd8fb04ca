// SPDX-License-Identifier: MIT
import type { Timers } from '../core/session/timers';

/** The page's clock and timers, as the core's `Timers`. */
export const systemTimers: Timers = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
