// SPDX-License-Identifier: MIT
// Firefox ESR for e2e tests, driven over WebDriver BiDi (puppeteer-core, no
// download), with a fresh profile and the prefs WebRTC and downloads need.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect } from 'vitest';

/** Path of the Firefox binary: $FIREFOX_PATH, else Debian's firefox-esr. */
export const firefoxPath = () => process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/** A running headless Firefox and the folder its downloads land in. */
export interface FirefoxInstance {
  browser: Browser;
  downloads: string;
  close(): Promise<void>;
}

/** Launches headless Firefox on a fresh profile (puppeteer makes one per launch). */
export async function launchFirefox(): Promise<FirefoxInstance> {
  const downloads = mkdtempSync(join(tmpdir(), 'ferry-firefox-downloads-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    extraPrefsFirefox: {
      // Plain IP host candidates (Firefox's twin of Chromium's mDNS flag): the test namespace has no mDNS.
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      // Downloads go straight to a folder the test reads, never a dialog.
      'browser.download.folderList': 2,
      'browser.download.dir': downloads,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.manager.showWhenStarting': false,
      'browser.download.start_downloads_in_tmp_dir': false,
    },
  });
  return {
    browser,
    downloads,
    async close() {
      await browser.close();
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}

/**
 * One Firefox for a test file: launched before its tests, closed after. The
 * returned handle reads the running instance (it throws before launch).
 */
export function useFirefox(): Pick<FirefoxInstance, 'browser' | 'downloads'> {
  let firefox: FirefoxInstance | undefined;
  beforeAll(async () => {
    firefox = await launchFirefox();
  });
  afterAll(async () => {
    await firefox?.close();
  });
  const running = () => {
    if (!firefox) throw new Error('Firefox is not running (useFirefox launches it in beforeAll).');
    return firefox;
  };
  return {
    get browser() {
      return running().browser;
    },
    get downloads() {
      return running().downloads;
    },
  };
}

/** Clicks the first visible enabled element matching `kind` whose accessible name is `name` (its aria-label, else its text). */
export async function clickByName(
  page: Page,
  name: string,
  within = 'body',
  kind = 'button',
): Promise<void> {
  await page.waitForFunction(
    (n: string, scope: string, selector: string) => {
      const root = document.querySelector(scope);
      const el = [...(root?.querySelectorAll<HTMLElement>(selector) ?? [])].find(
        (b) =>
          (b.getAttribute('aria-label') ?? b.textContent?.trim()) === n &&
          !(b as HTMLButtonElement).disabled &&
          b.offsetParent !== null,
      );
      if (!el) return false;
      el.click();
      return true;
    },
    { timeout: 30_000, polling: 100 },
    name,
    within,
    kind,
  );
}

/** The text of the first element matching `selector` ('' when there is none). */
export function textOf(page: Page, selector: string): Promise<string> {
  return page.evaluate(
    (s: string) => document.querySelector(s)?.textContent?.trim() ?? '',
    selector,
  );
}

/** Waits for the receive screen's status line to read `text` (a string or pattern). */
export async function waitForFirefoxStatus(page: Page, text: string | RegExp, timeout = 60_000) {
  const poll = expect.poll(() => textOf(page, '.transfer-status'), { timeout, interval: 200 });
  await (typeof text === 'string' ? poll.toBe(text) : poll.toMatch(text));
}

/**
 * Waits until `name` is fully downloaded into `dir` and returns its bytes.
 * Firefox first makes an empty file of that name and writes a `.part` beside
 * it, so "done" is: no `.part` left, and the file has `size` bytes when the
 * caller knows it (else at least one).
 */
export async function downloaded(
  dir: string,
  name: string,
  size?: number,
  timeout = 60_000,
): Promise<Uint8Array> {
  const path = join(dir, name);
  const done = () =>
    existsSync(path) &&
    !readdirSync(dir).some((f) => f.endsWith('.part')) &&
    (size === undefined ? statSync(path).size > 0 : statSync(path).size === size);
  await expect.poll(done, { timeout, interval: 100 }).toBe(true);
  return new Uint8Array(readFileSync(path));
}
