// Chromium sends, Firefox ESR receives (over WebDriver BiDi): every receiving
// flow, each file compared by hash. Firefox used to stall here at "Getting
// ready…" (navigator.storage.persist() waits on a prompt in Firefox).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { pseudoRandomBytes } from '../helpers/data';
import {
  countStoredBlocks,
  sentBytes,
  sha256,
  useAppInChromium,
  writeTree,
} from '../helpers/e2e-transfer';
import {
  clickByName,
  downloaded,
  textOf,
  useFirefox,
  waitForFirefoxStatus,
} from '../helpers/firefox';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const MiB = 1024 * 1024;
const app = useAppInChromium();
const firefox = useFirefox();

/** Empties the download folder, so a second download of a name is not saved as "name(1)". */
const clearDownloads = () => {
  for (const f of readdirSync(firefox.downloads))
    rmSync(join(firefox.downloads, f), { recursive: true });
};

/** Clicks Download on the row of the file called `name` (of `size` bytes) and returns the bytes Firefox saved. */
async function downloadRow(page: Page, name: string, size: number): Promise<Uint8Array> {
  await page.evaluate((n: string) => {
    const row = [...document.querySelectorAll('.file-row')].find(
      (r) => r.querySelector('.file-name')?.textContent?.split('/').pop() === n,
    );
    row?.querySelector<HTMLButtonElement>('button[aria-label="Download"]')?.click();
  }, name);
  return downloaded(firefox.downloads, name, size);
}

/** Blocks verified in the page's IndexedDB, over every file (read as the app wrote them). */
const storedBlocks = (page: Page) => page.evaluate(countStoredBlocks);

describe('Chromium sends, Firefox receives', () => {
  it('receives a folder and loose files (multi-block and empty), downloads each and the zip, lists it under Received', async () => {
    const originals: Record<string, Uint8Array> = {
      'album/été/photo.jpg': pseudoRandomBytes(3 * MiB + 17, 1),
      'album/notes.txt': pseudoRandomBytes(1234, 2),
      'album/empty': new Uint8Array(0),
      'big.bin': pseudoRandomBytes(5 * MiB, 3),
      'read me.md': pseudoRandomBytes(4321, 4),
    };
    const dir = writeTree('ferry-ff-recv-', originals);
    const { sender, link } = await app.share({
      folder: join(dir, 'album'),
      files: [join(dir, 'big.bin'), join(dir, 'read me.md')],
    });
    const page = await firefox.browser.newPage();
    await page.goto(link);
    await clickByName(page, 'Receive');
    // Failed before the persist() fix: the status stayed "Getting ready…" and no block was asked for.
    await waitForFirefoxStatus(page, 'All 5 files received and verified.');
    await sender.context().close();
    // Firefox has no showDirectoryPicker: Save to folder is not offered at all.
    expect(await page.evaluate(() => 'showDirectoryPicker' in window)).toBe(false);
    expect(await page.$$eval('button', (bs) => bs.map((b) => b.textContent?.trim()))).not.toContain(
      'Save to folder',
    );

    for (const [path, data] of Object.entries(originals)) {
      const name = path.split('/').pop()!;
      expect(sha256(await downloadRow(page, name, data.length)), path).toBe(sha256(data));
    }

    clearDownloads();
    const code = await textOf(page, '.list-header .code');
    await clickByName(page, 'Download zip');
    const zip = unzipSync(await downloaded(firefox.downloads, `ferry-${code}.zip`));
    for (const [path, data] of Object.entries(originals))
      expect(sha256(zip[path] ?? new Uint8Array([1])), path).toBe(sha256(data));

    // The Received screen lists it from this browser's IndexedDB, and saves it again as a zip.
    clearDownloads();
    await clickByName(page, 'Received', 'nav', 'a');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.received-item')].some((i) =>
          i.textContent?.includes('Complete and verified.'),
        ),
      { timeout: 30_000, polling: 100 },
    );
    expect(await textOf(page, '.received-item .received-title')).toBe('empty and 4 more');
    expect(await textOf(page, '.storage-line')).toMatch(
      /^Ferry keeps .+ in this browser; .+ more is available\. The browser may clear it if the device runs low on space\.$/,
    );
    await clickByName(page, 'Download zip', '.received-item');
    const again = unzipSync(await downloaded(firefox.downloads, `ferry-${code}.zip`));
    expect(Object.keys(again).filter((p) => !p.endsWith('/')).length).toBe(5);
    expect(sha256(again['big.bin']!)).toBe(sha256(originals['big.bin']!));
    await page.close();
  });

  it('resumes after the Firefox page is reloaded, fetching only what it had not verified', async () => {
    const size = 24 * MiB;
    const data = pseudoRandomBytes(size, 10);
    const dir = writeTree('ferry-ff-reload-', { 'archive.tar': data });
    const { sender, link } = await app.share({ files: [join(dir, 'archive.tar')] });
    const page = await firefox.browser.newPage();
    await page.goto(link);
    // The profile is shared with the test before: count only what this transfer stores.
    const before = await storedBlocks(page);
    await clickByName(page, 'Receive');
    const percent = () =>
      page.evaluate(() =>
        Number(
          document
            .querySelector('[role="progressbar"][aria-label="Received in total"]')
            ?.getAttribute('aria-valuenow') ?? 0,
        ),
      );
    await expect.poll(percent, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(20);
    await page.reload();
    const storedBytes = ((await storedBlocks(page)) - before) * MiB;
    expect(storedBytes).toBeGreaterThan(0);
    expect(storedBytes).toBeLessThan(size);
    await expect
      .poll(() => sender.getByRole('list', { name: 'Receivers' }).innerText(), { timeout: 30_000 })
      .toMatch(/Receiver 2: connected/);
    await clickByName(page, 'Receive');
    await waitForFirefoxStatus(page, 'All 1 file received and verified.');
    clearDownloads();
    expect(sha256(await downloadRow(page, 'archive.tar', size))).toBe(sha256(data));
    // The second session sent exactly what was missing (the figure refreshes at most every 100 ms).
    await expect.poll(() => sentBytes(sender, 1)).toBeCloseTo(size - storedBytes, -5);
    await sender.context().close();
    await page.close();
  });
});
