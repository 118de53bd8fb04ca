// SPDX-License-Identifier: MIT
import { Workbox } from 'workbox-window';

/**
 * Registers the service worker that precaches the app shell (so it opens
 * offline). When a new version is installed and waiting, `onUpdateReady`
 * gets a function that activates it and reloads the page.
 */
export function registerServiceWorker(onUpdateReady: (activate: () => void) => void): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const wb = new Workbox('/sw.js', { scope: '/' });
  wb.addEventListener('waiting', () => {
    onUpdateReady(() => {
      wb.addEventListener('controlling', () => window.location.reload());
      wb.messageSkipWaiting();
    });
  });
  wb.register().catch((err: unknown) => {
    // The app works without it (only offline start and install are lost).
    console.warn('Service worker registration failed', err);
  });
}
