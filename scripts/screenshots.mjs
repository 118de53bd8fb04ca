// SPDX-License-Identifier: MIT
// `npm run screenshots`: every screen, phone and desktop, light and dark, into
// docs/screenshots/. Builds the app, starts its own server, and runs inside
// the private network namespace so that the two-device screens can connect.
// `npm run screenshots -- send-many` makes only the Send screen with 1,000 files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDeps, run } from './ensure-deps.mjs';
import { ensureChromium } from './ensure-packages.mjs';
import { canIsolate, NETNS_SETUP } from './netns.mjs';
import { startServerProcess } from './server-process.mjs';

if (process.env.FERRY_PRIVATE_NETWORK !== '1') {
  ensureDeps();
  ensureChromium();
  // A build with the test hooks (the "checking" screen holds a file's hashing), kept out of
  // dist/, which `npm start` serves: the shipped bundle never has them.
  const shotsDist = mkdtempSync(join(tmpdir(), 'ferry-shots-dist-'));
  const { build } = await import('vite');
  await build({
    mode: 'production',
    logLevel: 'warn',
    define: { __FERRY_TEST_HOOKS__: 'true' },
    build: { outDir: shotsDist, emptyOutDir: true },
  });
  process.env.FERRY_SHOTS_DIST = shotsDist;
  if (!canIsolate()) {
    console.error(
      'Screenshots of connected screens need a private network namespace (unshare -n); not allowed here.',
    );
    process.exit(1);
  }
  const script = new URL(import.meta.url).pathname;
  const code = run(
    'unshare',
    [
      '-n',
      'sh',
      '-c',
      `${NETNS_SETUP} && exec "$@"`,
      'sh',
      process.execPath,
      script,
      ...process.argv.slice(2),
    ],
    {
      env: { ...process.env, FERRY_PRIVATE_NETWORK: '1' },
    },
  );
  rmSync(shotsDist, { recursive: true, force: true });
  process.exit(code);
}

const { chromium } = await import('playwright-core');
const { chromiumArgs, chromiumPath } = await import('./chromium.mjs');

const { url: base, process: server } = await startServerProcess({
  STATIC_DIR: process.env.FERRY_SHOTS_DIST,
});
// A file big enough to catch a transfer mid-way (Playwright takes buffers only up to 50 MB).
const bigDir = mkdtempSync(join(tmpdir(), 'ferry-shots-'));
const bigFiles = [
  ['lecture.mov', Buffer.alloc(160_000_000, 1)],
  ['slides.pdf', Buffer.alloc(2_400_000, 2)],
  ['notes.md', Buffer.from('# Lecture\n')],
].map(([name, data]) => {
  writeFileSync(join(bigDir, name), data);
  return join(bigDir, name);
});

const out = new URL('../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const sizes = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
const cameraBrowser = await chromium.launch({
  executablePath: chromiumPath(),
  args: [...chromiumArgs(), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
});

/** Only the Send screen with 1,000 files (`-- send-many`), or every screen. */
const onlySendMany = process.argv.slice(2).includes('send-many');

/** 1,000 small files, each its own bytes: a folder of photos' worth of names. */
const thousandFiles = Array.from({ length: 1000 }, (_, i) => ({
  name: `IMG_${String(i + 1).padStart(4, '0')}.jpg`,
  mimeType: 'image/jpeg',
  buffer: Buffer.alloc(2048 + i, i % 251),
}));

/**
 * The Send screen with 1,000 files, as the first screen shows it (not the
 * whole page): the link, its QR code and Copy link must be in view.
 */
async function sendMany(context, sizeName, scheme) {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel('Add files').setInputFiles(thousandFiles);
  await page.locator('.share-panel .code').waitFor({ timeout: 120_000 });
  await page.getByText('Link ready').waitFor();
  await page.screenshot({ path: `${out}send-many-${sizeName}-${scheme}.png` });
  await page.close();
}

/** Picks files through the real "Add files" input and waits until the link is ready. */
async function sendWithFiles(page) {
  await page.getByLabel('Add files').setInputFiles([
    { name: 'holiday-photos.zip', mimeType: 'application/zip', buffer: Buffer.alloc(3_500_000, 7) },
    { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# Notes\n') },
    { name: 'Résumé 2026.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(240_000, 3) },
  ]);
  await page.getByText('Link ready').waitFor();
  await page.locator('.share-panel .code').waitFor();
}

for (const [sizeName, viewport] of Object.entries(sizes)) {
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport, colorScheme: scheme });
    const shot = (page, name) =>
      page.screenshot({ path: `${out}${name}-${sizeName}-${scheme}.png`, fullPage: true });
    await sendMany(context, sizeName, scheme);
    if (onlySendMany) {
      await context.close();
      continue;
    }

    const empty = await context.newPage();
    await empty.goto(`${base}/`);
    await shot(empty, 'send-empty');

    const sender = await context.newPage();
    await sender.goto(`${base}/`);
    await sendWithFiles(sender);
    const link = await sender.getByRole('link', { name: 'Receive link' }).getAttribute('href');

    const other = await browser.newContext({ viewport, colorScheme: scheme });
    const receiver = await other.newPage();
    await receiver.goto(link);
    await receiver.getByText(/Round trip/).waitFor({ timeout: 30_000 });
    await shot(receiver, 'receive-connected');
    await receiver.getByRole('button', { name: 'Receive' }).click();
    await receiver.getByText(/received and verified/).waitFor({ timeout: 60_000 });
    // Let the progress bars finish their 150 ms width transition.
    await receiver.waitForTimeout(400);
    await shot(receiver, 'receive-done');
    await sender.getByText('connected over 6 streams').waitFor();
    await shot(sender, 'send-sharing');

    // Mid-transfer (rate and time left), then paused.
    const bigSender = await context.newPage();
    await bigSender.goto(`${base}/`);
    await bigSender.getByLabel('Add files').setInputFiles(bigFiles);
    await bigSender.locator('.share-panel .code').waitFor({ timeout: 60_000 });
    const bigLink = await bigSender
      .getByRole('link', { name: 'Receive link' })
      .getAttribute('href');
    const third = await browser.newContext({ viewport, colorScheme: scheme });
    const mid = await third.newPage();
    await mid.goto(bigLink);
    await mid.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    await mid.getByText(/left$/).first().waitFor({ timeout: 30_000 });
    await mid.waitForTimeout(1500);
    await shot(mid, 'receive-progress');
    await mid.getByRole('button', { name: 'Pause' }).click();
    await mid.getByText(/^Paused/).waitFor();
    await mid.waitForTimeout(400);
    await shot(mid, 'receive-paused');
    // The Received screen: the paused transfer and a finished one, kept in this browser.
    const again = await third.newPage();
    await again.goto(link);
    await again.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    await again.getByText(/received and verified/).waitFor({ timeout: 60_000 });
    await again.getByRole('link', { name: 'Received', exact: true }).click();
    await again.getByText('Complete and verified.').waitFor();
    await shot(again, 'received');
    await third.close();

    const bad = await context.newPage();
    await bad.goto(`${base}/#receive`);
    await bad
      .getByLabel('Paste the link from the other device')
      .fill('https://ferry.example/#t=AQAAAQIDBAUGBwg');
    await bad.getByRole('button', { name: 'Open link' }).click();
    await shot(bad, 'receive-bad-link');

    // A receiver that opened the link while the sender still checks a file (held by the test hook):
    // it gets the file list before the hashes.
    const holding = await browser.newContext({ viewport, colorScheme: scheme });
    await holding.addInitScript(() => {
      window.__ferryFaults = { holdHashing: { path: 'film.mov', until: new Promise(() => {}) } };
    });
    const slowSender = await holding.newPage();
    await slowSender.goto(`${base}/`);
    await slowSender.getByLabel('Add files').setInputFiles([
      { name: 'film.mov', mimeType: 'video/quicktime', buffer: Buffer.alloc(9_000_000, 4) },
      { name: 'poster.png', mimeType: 'image/png', buffer: Buffer.alloc(800_000, 5) },
    ]);
    await slowSender.getByText('Link ready').waitFor();
    await slowSender
      .getByText(/1 of 2|Checking 1 file/)
      .first()
      .waitFor();
    await shot(slowSender, 'send-checking');
    const early = await slowSender.getByRole('link', { name: 'Receive link' }).getAttribute('href');
    const waiting = await (await browser.newContext({ viewport, colorScheme: scheme })).newPage();
    await waiting.goto(early);
    // The sender lists its files at once: the receiver may receive while they are checked.
    await waiting.locator('.draft-note').waitFor({ timeout: 30_000 });
    await shot(waiting, 'receive-waiting');
    await waiting.context().close();
    await holding.close();

    // Scanning with the camera (Chromium's test pattern stands in for the camera picture).
    const scanPage = await (
      await cameraBrowser.newContext({ viewport, colorScheme: scheme })
    ).newPage();
    await scanPage.goto(`${base}/#receive`);
    await scanPage.getByRole('button', { name: 'Scan QR code' }).click();
    await scanPage.getByText('Point the camera').waitFor();
    await scanPage.waitForTimeout(500);
    await shot(scanPage, 'receive-scan');
    await scanPage.context().close();
    await other.close();
    await context.close();
  }
}
await browser.close();
await cameraBrowser.close();
server.kill('SIGTERM');
rmSync(bigDir, { recursive: true, force: true });
console.log(`screenshots written to ${out}`);
