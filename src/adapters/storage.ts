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
  /** False where the browser gives no estimate (Safari before 17): the figures above are zeros. */
  estimated: boolean;
  /**
   * True where WebKit's policy applies: Safari (and every browser on iOS)
   * deletes what a site stored after 7 days of browsing without a visit to
   * it, unless it runs installed (Home Screen, or the Dock on a Mac).
   */
  evictsUnvisited: boolean;
}

/** True in WebKit browsers (Safari, every iOS browser, WebKitGTK), whose storage policy differs. */
function isWebKit(): boolean {
  return navigator.vendor === 'Apple Computer, Inc.';
}

/** True when the app runs installed (its own window, not a browser tab). */
function isInstalled(): boolean {
  return (
    (navigator as { standalone?: boolean }).standalone === true ||
    (typeof matchMedia === 'function' && matchMedia('(display-mode: standalone)').matches)
  );
}

/** Reads the storage estimate; zeros (and `estimated` false) when the browser offers none. */
export async function estimateStorage(): Promise<StorageInfo> {
  const storage = navigator.storage;
  const estimate = storage?.estimate ? await storage.estimate() : {};
  const usage = estimate.usage ?? 0;
  const quota = estimate.quota ?? 0;
  const persisted = storage?.persisted ? await storage.persisted() : false;
  return {
    usage,
    quota,
    available: Math.max(0, quota - usage),
    persisted,
    estimated: quota > 0,
    evictsUnvisited: !persisted && isWebKit() && !isInstalled(),
  };
}

/**
 * Longest wait for the browser's answer to `persist()` (ms). Chromium and
 * Safari answer at once from their own heuristics; Firefox asks the person
 * with a prompt and settles only when they answer, which may be never (a
 * headless or unattended browser, a dismissed prompt).
 */
export const PERSIST_ANSWER_MS = 500;

/** The request still waiting for the person's answer, so one prompt is shown per page, not one per run. */
let asking: Promise<boolean> | null = null;

/**
 * Asks the browser not to evict received files under storage pressure.
 * Resolves with whether it agreed within `PERSIST_ANSWER_MS`, else false
 * (the request stays open and a later "yes" still applies); a refusal is
 * normal and not an error. Never waits on the person: a transfer must not
 * hang on a prompt (Firefox held every receive at "Getting ready…" here).
 * @see https://developer.mozilla.org/docs/Web/API/StorageManager/persist
 */
export async function requestPersistence(): Promise<boolean> {
  const storage = navigator.storage;
  if (!storage?.persist) return false;
  try {
    if (await storage.persisted?.()) return true;
  } catch {
    // No answer to "already persisted?": ask anyway.
  }
  asking ??= storage.persist().then(
    (granted) => {
      asking = null;
      return granted;
    },
    () => {
      asking = null;
      return false;
    },
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PERSIST_ANSWER_MS);
  });
  try {
    return await Promise.race([asking, late]);
  } finally {
    clearTimeout(timer);
  }
}
