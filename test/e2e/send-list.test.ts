import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pseudoRandomBytes } from '../helpers/data';
import { useAppInChromium, writeTree } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const app = useAppInChromium();

describe('the Send list while files are checked', () => {
  it('counts the files still being checked, renames clashing names, and offers what is left after a remove', async () => {
    const originals: Record<string, Uint8Array> = {
      'notes.txt': pseudoRandomBytes(12_345, 11),
      'photo.jpg': pseudoRandomBytes(700_000, 12),
      'film.mov': pseudoRandomBytes(3_000_000, 13),
    };
    const dir = writeTree('ferry-send-list-', originals);
    const page = await (await app.browser.newContext()).newPage();
    // film.mov is held mid-check until the test removes it.
    await page.addInitScript(() => {
      (window as unknown as { __ferryFaults: object }).__ferryFaults = {
        holdHashing: { path: 'film.mov', until: new Promise<void>(() => {}) },
      };
    });
    await page.goto(app.url);
    const status = page.getByRole('status').filter({ hasText: /Checking|Ready/ });
    await page
      .getByLabel('Add files')
      .setInputFiles(Object.keys(originals).map((name) => join(dir, name)));
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/^Checking 1 file…/);

    // The same two files again: each gets a numbered name, and the count goes up then back to one.
    await page
      .getByLabel('Add files')
      .setInputFiles(['notes.txt', 'photo.jpg'].map((name) => join(dir, name)));
    const paths = () => page.locator('.file-list .file-row').allTextContents();
    await expect.poll(paths).toHaveLength(5);
    const listed = (await paths()).join('\n');
    for (const name of ['notes (2).txt', 'photo (2).jpg', 'notes.txt', 'film.mov'])
      expect(listed).toContain(name);
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/^Checking 1 file…/);
    expect(await page.locator('.share-panel .code').count()).toBe(0);

    // Removing the file still being checked leaves four checked files: they are offered at once.
    await page.getByRole('button', { name: 'Remove film.mov' }).click();
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(/^Ready: 4 files, 1\.42 MB\. Verification code/);
    await page.locator('.share-panel .code').waitFor({ timeout: 30_000 });
    await expect.poll(paths).toHaveLength(4);

    await page.getByRole('button', { name: 'Clear all' }).click();
    await expect.poll(paths).toHaveLength(0);
    expect(await page.getByText(/Checking|Ready:/).count()).toBe(0);
    await page.context().close();
  });

  it('takes a pick of over a thousand files in over several frames, all of it or, after Clear all, none', async () => {
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i < 1200; i++) many[`n${i}.txt`] = pseudoRandomBytes(40 + (i % 50), 1000 + i);
    const folder = writeTree('ferry-send-many-', many);
    const page = await (await app.browser.newContext()).newPage();
    await page.goto(app.url);
    const status = page.getByRole('status').filter({ hasText: /Checking|Ready/ });
    const paths = () => page.locator('.file-list .file-row').allTextContents();

    // Cleared while (most likely) still joining the list: nothing of that pick comes back.
    await page.getByLabel('Add folder').setInputFiles(folder);
    await page.getByRole('button', { name: 'Clear all' }).click();
    await expect.poll(paths).toHaveLength(0);
    const few = writeTree('ferry-send-few-', {
      'a.txt': many['n1.txt']!,
      'b.txt': many['n2.txt']!,
    });
    await page.getByLabel('Add files').setInputFiles([join(few, 'a.txt'), join(few, 'b.txt')]);
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/^Ready: 2 files/);
    await page.locator('.share-panel .code').waitFor({ timeout: 30_000 });
    expect(await paths()).toHaveLength(2);

    // The whole folder, twice: every file offered once per pick, under a name of its own.
    await page.getByLabel('Add folder').setInputFiles(folder);
    await page.getByLabel('Add folder').setInputFiles(folder);
    await expect
      .poll(() => status.textContent(), { timeout: 120_000 })
      .toMatch(/^Ready: 2,402 files/);
    await page.context().close();
  });
});
