// SPDX-License-Identifier: MIT

/**
 * Calls `fn` whenever the page may have lost its connections in the
 * background and is back: it is shown again (`visibilitychange`), the
 * network is back (`online`), or it comes back from the back/forward cache
 * (`pageshow` persisted). Returns a stop.
 */
export function onPageReturn(fn: () => void): () => void {
  const onVisible = () => {
    if (document.visibilityState === 'visible') fn();
  };
  const onShow = (e: PageTransitionEvent) => {
    if (e.persisted) fn();
  };
  document.addEventListener('visibilitychange', onVisible);
  window.addEventListener('online', fn);
  window.addEventListener('pageshow', onShow);
  return () => {
    document.removeEventListener('visibilitychange', onVisible);
    window.removeEventListener('online', fn);
    window.removeEventListener('pageshow', onShow);
  };
}
