import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useAppInChromium } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const app = useAppInChromium();

/** 1,000 small files, each its own bytes. */
const thousand = Array.from({ length: 1000 }, (_, i) => ({
  name: `IMG_${String(i + 1).padStart(4, '0')}.jpg`,
  mimeType: 'image/jpeg',
  buffer: Buffer.alloc(512 + i, i % 251),
}));

/** True when the element's whole box lies inside the viewport, with the page not scrolled. */
async function inFirstScreen(page: Page, element: Locator): Promise<boolean> {
  const box = await element.boundingBox();
  const viewport = page.viewportSize()!;
  const scrolled = await page.evaluate(() => window.scrollY);
  return (
    box !== null &&
    scrolled === 0 &&
    box.y >= 0 &&
    box.x >= 0 &&
    box.y + box.height <= viewport.height &&
    box.x + box.width <= viewport.width
  );
}

describe('the Send screen with 1,000 files', () => {
  for (const [name, viewport] of [
    ['phone', { width: 390, height: 844 }],
    ['desktop', { width: 1280, height: 800 }],
  ] as const) {
    it(`shows the link, its QR code and Copy link without scrolling (${name}, ${viewport.width}×${viewport.height})`, async () => {
      const page = await (await app.browser.newContext({ viewport })).newPage();
      await page.goto(app.url);
      await page.getByLabel('Add files').setInputFiles(thousand);
      await page.locator('.share-panel .code').waitFor({ timeout: 120_000 });
      expect(
        await inFirstScreen(page, page.getByRole('img', { name: 'QR code of the receive link' })),
      ).toBe(true);
      expect(await inFirstScreen(page, page.getByRole('button', { name: 'Copy link' }))).toBe(true);
      expect(await inFirstScreen(page, page.getByRole('link', { name: 'Receive link' }))).toBe(
        true,
      );

      // The list scrolls in its own box, and its last file can be reached there.
      const list = page.getByRole('region', { name: 'Files to send' });
      const sizes = await list.evaluate((el) => ({
        scroll: el.scrollHeight,
        client: el.clientHeight,
      }));
      expect(sizes.scroll).toBeGreaterThan(sizes.client);
      expect(sizes.client).toBeLessThanOrEqual(viewport.height * 0.6);
      await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await page.getByText('IMG_1000.jpg').waitFor();
      await page.context().close();
    });
  }
});
