import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toHex } from '../../src/core/bytes';
import { startAppServer } from '../helpers/app-server';
import { launchChromium } from '../helpers/chromium';
import { oracleHash, pseudoRandomBytes } from '../helpers/data';

const baseUrl = inject('baseUrl');
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

describe('server', () => {
  it('answers /healthz with JSON', async () => {
    const res = await fetch(`${baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it('serves the app shell with security headers, and the app for client routes', async () => {
    const res = await fetch(`${baseUrl}/`);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await res.text()).toContain('<div id="app">');
    const route = await fetch(`${baseUrl}/some/route`, { headers: { accept: 'text/html' } });
    expect(route.status).toBe(200);
    expect((await fetch(`${baseUrl}/missing.js`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/`, { method: 'POST' })).status).toBe(405);
  });

  it('serves a web app manifest with regular and maskable icons', async () => {
    const manifest = (await (await fetch(`${baseUrl}/manifest.webmanifest`)).json()) as {
      icons: { src: string; purpose?: string }[];
      share_target: unknown;
    };
    expect(manifest.icons.some((i) => i.purpose === 'maskable')).toBe(true);
    // Other apps can share files to Ferry.
    expect(manifest.share_target).toMatchObject({
      action: '/share-target',
      method: 'POST',
      enctype: 'multipart/form-data',
      params: { files: [{ name: 'files' }] },
    });
    for (const icon of manifest.icons)
      expect((await fetch(`${baseUrl}${icon.src}`)).status).toBe(200);
  });
});

/** Opens the app and waits until its service worker controls the page (it claims it once the shell is precached). */
async function openControlled(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, {
    timeout: 30_000,
  });
  return page;
}

describe('the app in Chromium', () => {
  it('checks picked files and a picked folder, showing the BLAKE3 that b3sum would print', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-pick-'));
    const files: Record<string, Uint8Array> = {
      'album/été/photo 1.jpg': pseudoRandomBytes(2_500_000, 1),
      'album/notes.txt': pseudoRandomBytes(1234, 2),
      'album/empty': new Uint8Array(0),
    };
    for (const [path, data] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), data);
    }
    const loose = pseudoRandomBytes(300_000, 3);
    writeFileSync(join(dir, 'loose.bin'), loose);

    const page = await browser.newPage();
    await page.goto(baseUrl);
    await page.getByLabel('Add folder').setInputFiles(join(dir, 'album'));
    await page.getByLabel('Add files').setInputFiles(join(dir, 'loose.bin'));
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 30_000 })
      .toMatch(/Ready: 4 files/);
    for (const [path, data] of [...Object.entries(files), ['loose.bin', loose] as const]) {
      const row = page.locator('.file-row', { hasText: path });
      await expect
        .poll(() => row.locator('.file-hash').textContent())
        .toBe(toHex(oracleHash(data)));
    }
    expect(await page.getByRole('status').first().textContent()).toMatch(
      /Verification code [0-9A-Z]{4}(-[0-9A-Z]{4}){3}/,
    );
    await page.close();
  });

  it('takes files dropped anywhere, on any screen, to the Send screen', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/#received`);
    const dropped = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['dropped on the header'], 'dropped.txt', { type: 'text/plain' }));
      return data;
    });
    // Not on the drop zone: on the header of another screen, where the browser would open the file.
    const notHandled = await page.evaluate(
      (data) =>
        document
          .querySelector('header')!
          .dispatchEvent(
            new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
          ),
      dropped,
    );
    expect(notHandled).toBe(false); // preventDefault: the browser does not navigate to the file
    await page.getByRole('heading', { name: 'Send files' }).waitFor();
    await expect
      .poll(() =>
        page.locator('.file-row', { hasText: 'dropped.txt' }).locator('.file-hash').textContent(),
      )
      .toBe(toHex(oracleHash(new TextEncoder().encode('dropped on the header'))));
    await page.close();
  });

  it('explains a damaged link instead of failing silently', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/#t=AQAAAQIDBAUGBwgJ`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/too short/);
    await page
      .getByLabel('Paste the link from the other device')
      .fill(`${baseUrl}/#t=AQAAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw`);
    await page.getByRole('button', { name: 'Open link' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/Looking for the sender|Waiting for the sender|No one is sharing/);
    await page.close();
  });

  it('offers the new version when one is waiting, and reloads into it', async () => {
    // A copy of the built app whose service worker changes between two visits: a new release.
    const dir = mkdtempSync(join(tmpdir(), 'ferry-release-'));
    cpSync(inject('distDir'), dir, { recursive: true });
    const server = await startAppServer(dir);
    const context = await browser.newContext();
    try {
      const page = await openControlled(context, server.url);
      expect(await page.getByText('New version available').count()).toBe(0);
      const sw = join(dir, 'sw.js');
      writeFileSync(sw, `${readFileSync(sw, 'utf8')}\n// release 2\n`);
      await page.reload();
      const notice = page.getByRole('status').filter({ hasText: 'New version available' });
      await notice.waitFor({ timeout: 30_000 });
      // The old version keeps running until the person chooses to reload.
      expect(await page.evaluate(async () => !!(await navigator.serviceWorker.ready).waiting)).toBe(
        true,
      );
      await Promise.all([
        page.waitForEvent('load'),
        notice.getByRole('button', { name: 'Reload' }).click(),
      ]);
      await page.getByRole('heading', { name: 'Send files' }).waitFor();
      expect(
        await page.evaluate(async () => {
          const registration = await navigator.serviceWorker.ready;
          return { waiting: !!registration.waiting, active: !!registration.active };
        }),
      ).toEqual({ waiting: false, active: true });
      expect(await page.getByText('New version available').count()).toBe(0);
    } finally {
      await context.close();
      await server.stop();
    }
  });

  it('takes files shared from another app into the Send screen (Web Share Target)', async () => {
    const context = await browser.newContext();
    const page = await openControlled(context, baseUrl);
    // What the system share sheet does: a navigation that POSTs the files as multipart form data.
    await page.evaluate(() => {
      document.body.insertAdjacentHTML(
        'beforeend',
        '<form id="os-share" method="post" action="/share-target" enctype="multipart/form-data"><input type="file" name="files" multiple></form>',
      );
    });
    const shared = [
      {
        name: 'from-gallery.jpg',
        mimeType: 'image/jpeg',
        buffer: Buffer.from(pseudoRandomBytes(70_000, 5)),
      },
      {
        name: 'voice note.m4a',
        mimeType: 'audio/mp4',
        buffer: Buffer.from(pseudoRandomBytes(9_000, 6)),
      },
    ];
    await page.locator('#os-share input').setInputFiles(shared);
    await Promise.all([
      page.waitForURL(/#send$/),
      page.evaluate(() => (document.getElementById('os-share') as HTMLFormElement).submit()),
    ]);
    for (const f of shared) {
      const row = page.locator('.file-row', { hasText: f.name });
      await expect
        .poll(() => row.locator('.file-hash').textContent(), { timeout: 30_000 })
        .toBe(toHex(oracleHash(f.buffer)));
    }
    await page.getByRole('link', { name: 'Receive link' }).waitFor();
    // The address no longer names the share: a reload does not take it again.
    expect(new URL(page.url()).search).toBe('');
    await context.close();
  });

  it('explains a share that reached the server before the app was installed', async () => {
    const res = await fetch(`${baseUrl}/share-target`, {
      method: 'POST',
      body: new FormData(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const page = await browser.newPage();
    await page.goto(new URL(res.headers.get('location')!, baseUrl).href);
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/Ferry must be opened once before other apps can share to it/);
    await page.close();
  });

  it('installs a service worker and opens offline from it', async () => {
    const context = await browser.newContext();
    const page = await openControlled(context, baseUrl);
    await context.setOffline(true);
    await page.reload();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Send files' }).isVisible())
      .toBe(true);
    expect(await page.getByText('You are offline').isVisible()).toBe(true);
    // The hash worker comes from the precache too: checking a file works offline.
    await page.getByLabel('Add files').setInputFiles({
      name: 'offline.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('works offline'),
    });
    await expect
      .poll(() => page.locator('.file-hash').textContent())
      .toBe(toHex(oracleHash(new TextEncoder().encode('works offline'))));
    await context.close();
  });
});
