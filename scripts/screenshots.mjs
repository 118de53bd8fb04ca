// SPDX-License-Identifier: MIT
// Screenshots of every screen, phone and desktop, light and dark, into docs/screenshots/.
// Needs a running server: npm start (or BASE_URL=http://host:port node scripts/screenshots.mjs).
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';

const base = process.env.BASE_URL || 'http://localhost:8080';
const out = new URL('../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const sizes = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });

/** Picks three files through the real "Add files" input and waits for them to be checked. */
async function sendWithFiles(page) {
  await page.getByLabel('Add files').setInputFiles([
    { name: 'holiday-photos.zip', mimeType: 'application/zip', buffer: Buffer.alloc(3_500_000, 7) },
    { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# Notes\n') },
    { name: 'Résumé 2026.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(240_000, 3) },
  ]);
  await page.getByText('Verification code').waitFor();
}

const screens = {
  'send-empty': async () => {},
  'send-files': sendWithFiles,
  receive: async (page) => {
    await page.goto(`${base}/#receive`);
    await page
      .getByLabel('Paste the link from the other device')
      .fill('https://ferry.example/#t=AQAAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw');
    await page.getByRole('button', { name: 'Open link' }).click();
  },
};
for (const [sizeName, viewport] of Object.entries(sizes)) {
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({
      viewport,
      colorScheme: scheme,
      deviceScaleFactor: 1,
    });
    for (const [name, act] of Object.entries(screens)) {
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await act(page);
      await page.screenshot({ path: `${out}${name}-${sizeName}-${scheme}.png`, fullPage: true });
      await page.close();
    }
    await context.close();
  }
}
await browser.close();
console.log(`screenshots written to ${out}`);
