// SPDX-License-Identifier: MIT

/**
 * Resolves after the page has had a chance to paint and answer input: with
 * `scheduler.yield()` where the browser has it (the continuation goes ahead
 * of other queued work), else after a message round trip, which a hidden tab
 * does not throttle to once a second as it does timers.
 */
export function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
