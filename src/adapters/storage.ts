// SPDX-License-Identifier: MIT

/** How much the browser lets this origin store. */
export interface StorageInfo {
  /** Bytes used by this origin. */
  usage: number;
  /** Bytes this origin may use in total. */
  quota: number;
  /** Bytes still free for this origin (quota - usage, never negative). */
  available: number;
  /** True when the browser promised not to evict this origin's data. */
  persisted: boolean;
}

/** Reads the storage estimate; zeros when the browser offers none. */
export async function estimateStorage(): Promise<StorageInfo> {
  const storage = navigator.storage;
  const estimate = storage?.estimate ? await storage.estimate() : {};
  const usage = estimate.usage ?? 0;
  const quota = estimate.quota ?? 0;
  const persisted = storage?.persisted ? await storage.persisted() : false;
  return { usage, quota, available: Math.max(0, quota - usage), persisted };
}

/**
 * Asks the browser not to evict received files under storage pressure.
 * Returns whether it agreed; a refusal is normal and not an error.
 */
export async function requestPersistence(): Promise<boolean> {
  try {
    return (await navigator.storage?.persist?.()) ?? false;
  } catch {
    return false;
  }
}
