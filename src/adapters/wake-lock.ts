// SPDX-License-Identifier: MIT

/** A screen wake lock held while something needs the screen on. */
export interface ScreenWakeLock {
  /** Keeps the screen on from now (and again each time the page is shown) until `release()`. */
  hold(): void;
  /** Lets the screen sleep again. */
  release(): void;
}

/**
 * A screen wake lock (`navigator.wakeLock.request('screen')`), where the
 * browser has one: a phone that locks its screen mid-transfer freezes or
 * drops the page, and the transfer with it. Browsers release the lock when
 * the page is hidden, so it is taken again whenever the page becomes
 * visible while still wanted. Where it is missing or refused (battery
 * saver, no permission) the transfer goes on without it.
 * @see https://w3c.github.io/screen-wake-lock/
 */
export function screenWakeLock(): ScreenWakeLock {
  const api = (globalThis.navigator as Navigator | undefined)?.wakeLock;
  let wanted = false;
  let sentinel: WakeLockSentinel | null = null;
  let asking = false;

  const take = async () => {
    if (!api || !wanted || sentinel || asking || document.visibilityState !== 'visible') return;
    asking = true;
    try {
      const taken = await api.request('screen');
      if (!wanted) {
        void taken.release().catch(() => {});
        return;
      }
      sentinel = taken;
      // The browser's own release (page hidden): forget it, so the next show takes a new one.
      taken.addEventListener('release', () => {
        if (sentinel === taken) sentinel = null;
      });
    } catch {
      // Refused: the screen may lock; reconnecting when the page comes back covers that.
    } finally {
      asking = false;
    }
  };
  if (api)
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void take();
    });

  return {
    hold() {
      wanted = true;
      void take();
    },
    release() {
      wanted = false;
      const held = sentinel;
      sentinel = null;
      void held?.release().catch(() => {});
    },
  };
}
