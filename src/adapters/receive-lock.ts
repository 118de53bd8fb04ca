// SPDX-License-Identifier: MIT
import { FerryError } from '../core/errors';

/**
 * Runs `work` holding this browser's lock on receiving one collection, so
 * that two tabs never receive (or cancel) the same files at once: one tab's
 * Cancel removes unfinished files the other is still writing. Rejects with
 * `Store/Busy` when another tab holds it. Where the browser has no Web Locks
 * API, `work` runs without one.
 */
export function withReceiveLock<T>(collectionHash: string, work: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return work();
  return locks.request(`ferry-receive:${collectionHash}`, { ifAvailable: true }, async (lock) => {
    if (!lock) {
      throw new FerryError(
        'Store/Busy',
        'These files are already being received in another tab of this browser. Finish or cancel them there (or close that tab), then try again here.',
      );
    }
    return await work();
    // The lock is held until the callback's promise settles; TypeScript's LockManager types
    // that as a promise of a promise.
  }) as Promise<T>;
}
