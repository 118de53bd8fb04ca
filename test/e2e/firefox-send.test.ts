// Firefox ESR sends (over WebDriver BiDi), Chromium receives: files picked
// through Firefox's real file input, each compared by hash. A folder cannot be
// picked this way: Firefox's BiDi input.setFiles refuses a directory
// ("unsupported operation … NS_ERROR_FILE_IS_DIRECTORY"), so folders travel
// from Chromium to Firefox only (firefox-receive).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { ElementHandle } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { pseudoRandomBytes } from '../helpers/data';
import { downloadAll, sha256, useAppInChromium, writeTree } from '../helpers/e2e-transfer';
import { textOf, useFirefox } from '../helpers/firefox';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const MiB = 1024 * 1024;
const app = useAppInChromium();
const firefox = useFirefox();

describe('Firefox sends, Chromium receives', () => {
  it('sends files (multi-block and empty), received byte-identical, also as a zip', async () => {
    const originals: Record<string, Uint8Array> = {
      'scan día 1.pdf': pseudoRandomBytes(2 * MiB + 5, 11),
      'list.txt': pseudoRandomBytes(999, 12),
      empty: new Uint8Array(0),
      'movie.mkv': pseudoRandomBytes(6 * MiB + 3, 13),
      'exactly 1 MiB.bin': pseudoRandomBytes(MiB, 14),
    };
    const dir = writeTree('ferry-ff-send-', originals);
    const page = await firefox.browser.newPage();
    await page.goto(app.url);
    const input = (label: string) =>
      page.$(`input[aria-label="${label}"]`) as Promise<ElementHandle<HTMLInputElement>>;
    await (await input('Add files')).uploadFile(...Object.keys(originals).map((n) => join(dir, n)));
    await page.waitForSelector('.share-panel .code', { timeout: 60_000 });
    expect(await textOf(page, '.status')).toMatch(/^Ready: 5 files, 9\.44 MB\./);
    const link = await page.$eval('a.share-link', (a) => a.getAttribute('href')!);
    // The QR code is drawn too.
    expect(await page.$('.share-panel svg.qr-code path')).not.toBeNull();

    const receiver = await app.receive(link);
    await expect
      .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 60_000 })
      .toBe('All 5 files received and verified.');
    const saved = await downloadAll(receiver, Object.keys(originals));
    for (const [name, data] of Object.entries(originals))
      expect(sha256(saved.get(name)!), name).toBe(sha256(data));
    const [zipDownload] = await Promise.all([
      receiver.waitForEvent('download'),
      receiver.getByRole('button', { name: 'Download zip' }).click(),
    ]);
    const unzipped = unzipSync(new Uint8Array(readFileSync((await zipDownload.path())!)));
    for (const [path, data] of Object.entries(originals))
      expect(sha256(unzipped[path] ?? new Uint8Array([1])), path).toBe(sha256(data));
    // The Firefox sender saw the whole transfer go out.
    await expect
      .poll(() => textOf(page, '.receivers .receiver-progress'), { timeout: 10_000 })
      .toBe('9.44 MB of 9.44 MB');
    await receiver.context().close();
    await page.close();
  });
});
