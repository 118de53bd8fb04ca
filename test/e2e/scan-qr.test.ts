import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { pseudoRandomBytes } from '../helpers/data';
import { useAppInChromium, waitForStatus, writeTree } from '../helpers/e2e-transfer';
import { writeQrVideo } from '../helpers/fake-camera';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const app = useAppInChromium();
const videos = mkdtempSync(join(tmpdir(), 'ferry-camera-'));
let cameraBrowser: Browser | null = null;

/** A Chromium whose camera films `text` as a QR code (or that has a camera but no permission). */
async function browserFilming(text: string, allowCamera = true): Promise<Browser> {
  const video = writeQrVideo(join(videos, `${Math.random().toString(36).slice(2)}.y4m`), text);
  cameraBrowser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      ...chromiumArgs(),
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
      ...(allowCamera ? ['--use-fake-ui-for-media-stream'] : []),
    ],
  });
  return cameraBrowser;
}

afterEach(async () => {
  await cameraBrowser?.close();
  cameraBrowser = null;
});

describe('scanning a QR code with the camera', () => {
  it('reads the link from the sending screen, opens it and receives', async () => {
    const data = pseudoRandomBytes(300_000, 7);
    const dir = writeTree('ferry-scan-', { 'scanned.bin': data });
    const { sender, link } = await app.share({ files: [join(dir, 'scanned.bin')] });
    const code = await sender.locator('.share-panel .code').textContent();

    const camera = await browserFilming(link);
    const receiver = await (await camera.newContext()).newPage();
    await receiver.goto(`${app.url}/#receive`);
    await receiver.getByRole('button', { name: 'Scan QR code' }).click();
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    // The camera is off once the link is read, and the screen names the same collection.
    expect(
      await receiver.locator('.scan-video').evaluate((v: HTMLVideoElement) => v.srcObject),
    ).toBe(null);
    expect(receiver.url()).toBe(link);
    expect(await receiver.locator('.list-header .code').textContent()).toBe(code);
    await waitForStatus(receiver, 'All 1 file received and verified.');
    await sender.context().close();
  });

  it('keeps looking past a QR code that is not a Ferry link, and stops when asked', async () => {
    const camera = await browserFilming('https://example.com/not-ferry');
    const page = await (await camera.newContext()).newPage();
    await page.goto(`${app.url}/#receive`);
    await page.getByRole('button', { name: 'Scan QR code' }).click();
    await page.getByText('That QR code is not a Ferry link.', { exact: false }).waitFor({
      timeout: 30_000,
    });
    expect(await page.locator('.scan-video').evaluate((v: HTMLVideoElement) => !!v.srcObject)).toBe(
      true,
    );
    await page.getByRole('button', { name: 'Stop scanning' }).click();
    expect(await page.locator('.scan-video').evaluate((v: HTMLVideoElement) => v.srcObject)).toBe(
      null,
    );
    await page.getByRole('button', { name: 'Scan QR code' }).waitFor();
  });

  it('says what to do when the camera is not allowed', async () => {
    const camera = await browserFilming('unused', false);
    const page = await (await camera.newContext()).newPage();
    await page.goto(`${app.url}/#receive`);
    await page.getByRole('button', { name: 'Scan QR code' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 })
      .toMatch(/Ferry needs the camera to scan the code\. Allow the camera .* or paste the link/);
  });
});
