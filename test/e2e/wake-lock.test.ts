import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { pseudoRandomBytes } from '../helpers/data';
import { downloadAll, sha256, useAppInChromium, writeTree } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const app = useAppInChromium();

/**
 * Instrumentation only: records every wake lock the page asks for, gets and
 * loses (`request`, `granted`, `released`), and lets the test play the page
 * being hidden and shown (`__setHidden`): hiding releases every lock held,
 * as browsers do.
 */
async function instrumented(): Promise<BrowserContext> {
  const context = await app.browser.newContext();
  await context.addInitScript(() => {
    const w = window as unknown as {
      __wakeLog: string[];
      __setHidden: (hidden: boolean) => void;
    };
    const log: string[] = [];
    const held = new Set<WakeLockSentinel>();
    w.__wakeLog = log;
    const real = navigator.wakeLock.request.bind(navigator.wakeLock);
    navigator.wakeLock.request = async (type?: WakeLockType) => {
      log.push('request');
      const sentinel = await real(type);
      log.push('granted');
      held.add(sentinel);
      sentinel.addEventListener('release', () => {
        held.delete(sentinel);
        log.push('released');
      });
      return sentinel;
    };
    let hidden = false;
    Object.defineProperty(document, 'visibilityState', {
      get: () => (hidden ? 'hidden' : 'visible'),
    });
    Object.defineProperty(document, 'hidden', { get: () => hidden });
    w.__setHidden = (value) => {
      hidden = value;
      if (hidden) for (const sentinel of held) void sentinel.release();
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
  return context;
}

const wakeLog = (page: Page) =>
  page.evaluate(() => (window as unknown as { __wakeLog: string[] }).__wakeLog.join(' '));
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate(
    (h) => (window as unknown as { __setHidden: (h: boolean) => void }).__setHidden(h),
    hidden,
  );

describe('the screen wake lock', () => {
  it('is held while sending and receiving, taken again when the page is shown, and released when done', async () => {
    const data = pseudoRandomBytes(12 * 1024 * 1024, 5);
    const dir = writeTree('ferry-wake-', { 'video.mp4': data });
    const sender = await (await instrumented()).newPage();
    const { link } = await app.share({ files: [join(dir, 'video.mp4')] }, sender);
    // Sharing alone keeps nothing on: nobody is receiving yet.
    expect(await wakeLog(sender)).toBe('');

    const receiver = await (await instrumented()).newPage();
    await receiver.goto(link);
    await receiver.getByRole('button', { name: 'Receive' }).waitFor({ timeout: 30_000 });
    // A connected receiver: the sender keeps its screen on.
    await expect.poll(() => wakeLog(sender)).toBe('request granted');
    expect(await wakeLog(receiver)).toBe('');

    await receiver.getByRole('button', { name: 'Receive' }).click();
    await receiver.getByRole('button', { name: 'Pause' }).click({ timeout: 30_000 });
    await expect.poll(() => wakeLog(receiver)).toBe('request granted');

    // Hidden (the browser drops the lock), then shown again: the lock is taken again.
    await setHidden(receiver, true);
    await expect.poll(() => wakeLog(receiver)).toBe('request granted released');
    await setHidden(receiver, false);
    await expect.poll(() => wakeLog(receiver)).toBe('request granted released request granted');

    await receiver.getByRole('button', { name: 'Resume' }).click();
    await expect
      .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 60_000 })
      .toBe('All 1 file received and verified.');
    await expect
      .poll(() => wakeLog(receiver))
      .toBe('request granted released request granted released');
    const saved = await downloadAll(receiver, ['video.mp4']);
    expect(sha256(saved.get('video.mp4')!)).toBe(sha256(data));

    // The receiver leaves (its page unloads, closing its connections): the sender lets its screen sleep.
    await receiver.goto('about:blank');
    await expect.poll(() => wakeLog(sender), { timeout: 30_000 }).toBe('request granted released');
    await receiver.context().close();
    await sender.context().close();
  });
});
