// SPDX-License-Identifier: MIT
// What end-to-end transfer tests do again and again: write files to disk,
// share them from one browser context, download them in another.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { startAppServer } from './app-server';
import { launchChromium } from './chromium';

/** SHA-256 hex of bytes: an independent check of what came out. */
export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Writes `files` (relative path → bytes) under a fresh temporary folder and returns it. */
export function writeTree(prefix: string, files: Record<string, Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  return dir;
}

/** Picks files (and a folder) on a sender page (a fresh context unless given) and waits for its link. */
export async function share(
  browser: Browser,
  appUrl: string,
  picks: { files?: string[]; folder?: string },
  senderPage?: Page,
): Promise<{ sender: Page; link: string }> {
  const sender = senderPage ?? (await (await browser.newContext()).newPage());
  await sender.goto(appUrl);
  if (picks.folder) await sender.getByLabel('Add folder').setInputFiles(picks.folder);
  if (picks.files) await sender.getByLabel('Add files').setInputFiles(picks.files);
  const linkEl = sender.getByRole('link', { name: 'Receive link' });
  // The link works at once; once every file is checked it also carries their hash and the code shows.
  await sender.locator('.share-panel .code').waitFor({ timeout: 60_000 });
  return { sender, link: (await linkEl.getAttribute('href'))! };
}

/** Clicks each finished row's Download and returns the bytes the browser saved, by file name. */
export async function downloadAll(page: Page, names: string[]): Promise<Map<string, Uint8Array>> {
  const saved = new Map<string, Uint8Array>();
  for (const name of names) {
    const row = page.locator('.file-row', {
      has: page.locator('.file-name', { hasText: new RegExp(`(^|/)${name.replace('.', '\\.')}$`) }),
    });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(name);
    saved.set(name, new Uint8Array(readFileSync((await download.path())!)));
  }
  return saved;
}

/** Bytes the sender's screen says it sent to receiver `index` (0: the first). */
export async function sentBytes(sender: Page, index = 0): Promise<number> {
  const el = sender.locator('.receivers .sent').nth(index);
  const text = (await el.count()) > 0 ? ((await el.textContent()) ?? '0 B sent') : '0 B sent';
  const [value, unit] = text.replace(' sent', '').split(' ');
  return Number(value) * ({ B: 1, kB: 1e3, MB: 1e6, GB: 1e9 } as Record<string, number>)[unit!]!;
}

/** Waits for the receive screen's status line to read `text` (a string or pattern). */
export async function waitForStatus(page: Page, text: string | RegExp, timeout = 60_000) {
  const poll = expect.poll(() => page.locator('.transfer-status').textContent(), { timeout });
  await (typeof text === 'string' ? poll.toBe(text) : poll.toMatch(text));
}

/**
 * The real server (serving the built app) and a headless Chromium for one
 * test file: started before its tests, stopped after. Call at the top level.
 */
export function useAppInChromium() {
  let server: Awaited<ReturnType<typeof startAppServer>> | null = null;
  let browser: Browser | null = null;
  beforeAll(async () => {
    server = await startAppServer(inject('distDir'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  return {
    /** The browser (valid inside tests). */
    get browser(): Browser {
      return browser!;
    },
    /** The app's address. */
    get url(): string {
      return server!.url;
    },
    /** Shares files from a sender page (a fresh context unless given); returns it and the link. */
    share: (picks: { files?: string[]; folder?: string }, page?: Page) =>
      share(browser!, server!.url, picks, page),
    /** Opens the link in a receiver page (a fresh context unless given) and clicks Receive. */
    receive: async (link: string, page?: Page): Promise<Page> => {
      const receiver = page ?? (await (await browser!.newContext()).newPage());
      await receiver.goto(link);
      await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
      return receiver;
    },
  };
}

/** Blocks verified in the page's IndexedDB, over every file: run in the page by any driver's `evaluate`. */
export function countStoredBlocks(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const open = indexedDB.open('ferry');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('files').objectStore('files').getAll();
      get.onsuccess = () =>
        resolve(
          (get.result as { verifiedCount: number }[]).reduce((s, f) => s + f.verifiedCount, 0),
        );
    };
  });
}

/** Blocks verified in this page's IndexedDB, over every file. */
export function storedBlocks(page: Page): Promise<number> {
  return page.evaluate(countStoredBlocks);
}
