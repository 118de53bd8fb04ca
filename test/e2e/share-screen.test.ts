import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { useAppInChromium } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const app = useAppInChromium();

/** Decodes the QR code in a PNG with jsQR: a decoder independent of the app's encoder. */
function decodeQr(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR(pixels, image.width, image.height)?.data ?? null;
}

const files = [
  { name: 'report.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(50_000, 1) },
  { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(20_000, 2) },
];

describe('the share panel', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`shows a QR code that decodes to the receive link (${colorScheme}, phone width)`, async () => {
      const context = await app.browser.newContext({
        colorScheme,
        viewport: { width: 360, height: 740 },
      });
      const page = await context.newPage();
      await page.goto(app.url);
      await page.getByLabel('Add files').setInputFiles(files);
      await page.locator('.share-panel .code').waitFor({ timeout: 30_000 });
      const href = await page.getByRole('link', { name: 'Receive link' }).getAttribute('href');
      const qr = page.getByRole('img', { name: 'QR code of the receive link' });
      expect(decodeQr(await qr.screenshot())).toBe(href);
      // A QR code of the early link (before every file was checked) would decode to a different, shorter text.
      expect(href).toMatch(/#t=[A-Za-z0-9_-]{60,}$/);
      await context.close();
    });
  }

  it('copies the link, and warns before the page closes while sharing', async () => {
    const context = await app.browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    const page = await context.newPage();
    await page.goto(app.url);
    await page.getByLabel('Add files').setInputFiles(files);
    await page.locator('.share-panel .code').waitFor({ timeout: 30_000 });
    const href = await page.getByRole('link', { name: 'Receive link' }).getAttribute('href');
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('Copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(href);

    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.dismiss();
    });
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => dialogs).toEqual(['beforeunload']);
    expect(page.isClosed()).toBe(false);

    // Once sharing stops, the page closes without a question.
    await page.getByRole('button', { name: 'Stop sharing' }).click();
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => page.isClosed()).toBe(true);
    expect(dialogs).toEqual(['beforeunload']);
    await context.close();
  });
});
