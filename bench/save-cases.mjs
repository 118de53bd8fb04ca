// SPDX-License-Identifier: MIT
// Saving received files, measured: a collection is sent through the app to a
// receiver with an on-disk profile, then saved as a zip (streamed through the
// service worker, or as one Blob where no worker controls the page) and, for
// the huge case, as the single file itself. Reported: save MB/s, the receiving
// page's peak JS heap, and the extra storage the save took (growth of the
// browser profile on disk beyond what the transfer left). Every saved byte is
// compared with the originals by SHA-256 (zips unpacked by Info-ZIP's unzip).
// One round each: these move gigabytes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { makeBigFile } from './transfer-cases.mjs';

const MiB = 1024 * 1024;

/** The cases: how many files of what size, and how the receiver saves them. */
export const SAVE_CASES = {
  // 2 GiB in 8 files of 256 MiB (+ a few so no two are alike), zipped through the service worker.
  'save-zip-2g': { mib: [256, 257, 258, 259, 260, 261, 262, 263], via: 'stream' },
  // The same with service workers blocked: the zip is built as a Blob first (the old way).
  'save-zip-2g-blob': { mib: [256, 257, 258, 259, 260, 261, 262, 263], via: 'blob' },
  // A 4.5 GiB file, past every 32-bit size and offset, and a small one so the zip is
  // offered: the big one saved alone and both as Zip64.
  'huge-4g5': { mib: [4608, 1], via: 'stream', single: true },
};

/** Bytes of everything under `dir` on disk (du), or 0 while it is being deleted. */
function diskBytes(dir) {
  return new Promise((resolve) => {
    const du = spawn('du', ['-sb', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    du.stdout.on('data', (c) => {
      out += c;
    });
    du.once('exit', () => resolve(Number.parseInt(out, 10) || 0));
  });
}

/** SHA-256 of a stream's bytes, hex. */
function sha256Of(stream) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    stream.on('data', (c) => hash.update(c));
    stream.once('error', reject);
    stream.once('end', () => resolve(hash.digest('hex')));
  });
}

/** SHA-256 of one member of a zip, read by Info-ZIP's unzip (Zip64-aware). */
function zipMemberSha256(zip, member) {
  const unzip = spawn('unzip', ['-p', zip, member], { stdio: ['ignore', 'pipe', 'inherit'] });
  return sha256Of(unzip.stdout);
}

/**
 * Runs `action` (which starts a download in `page`) while sampling the page's
 * JS heap and the profile's size; returns the download's path, ms, peak heap
 * and the profile's peak growth over its size before.
 */
async function measureSave(page, profile, action) {
  const before = await diskBytes(profile);
  await page.evaluate(() => {
    window.__heapPeak = performance.memory?.usedJSHeapSize ?? 0;
    window.__heapTimer = setInterval(() => {
      window.__heapPeak = Math.max(window.__heapPeak, performance.memory?.usedJSHeapSize ?? 0);
    }, 50);
  });
  let peakDisk = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) peakDisk = Math.max(peakDisk, await diskBytes(profile));
  })();
  const startedAt = Date.now();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 600_000 }),
    action(),
  ]);
  const path = await download.path();
  const ms = Date.now() - startedAt;
  sampling = false;
  await sampler;
  const heapPeak = await page.evaluate(() => {
    clearInterval(window.__heapTimer);
    return window.__heapPeak;
  });
  return {
    path,
    url: download.url(),
    ms,
    heapPeakMB: heapPeak / 1e6,
    extraStorageMB: (peakDisk - before) / 1e6,
  };
}

/**
 * Runs one save case: sends the files from a page of `browser` to a receiver
 * with its own on-disk profile, then saves. Returns bytes, ms (the zip save)
 * and the figures; throws if any saved byte differs.
 */
export async function runSave(browser, appUrl, inputsRoot, given) {
  // BENCH_SAVE_MIB=n makes each file n MiB (quick checks of the harness).
  const quick = Number(process.env.BENCH_SAVE_MIB);
  const spec = { ...given, mib: quick ? given.mib.map((_, i) => quick + i) : given.mib };
  const folder = join(inputsRoot, `save-${spec.mib.join('-')}`);
  mkdirSync(folder, { recursive: true });
  const paths = spec.mib.map((mib) => makeBigFile(folder, mib));
  const bytes = spec.mib.reduce((sum, mib) => sum + mib * MiB, 0);
  const hashes = await Promise.all(paths.map((p) => sha256Of(createReadStream(p))));

  const sender = await (await browser.newContext()).newPage();
  await sender.goto(appUrl);
  await sender.getByLabel('Add files').setInputFiles(paths);
  await sender.locator('.share-panel .code').waitFor({ timeout: 900_000 });
  const link = await sender.getByRole('link', { name: 'Receive link' }).getAttribute('href');

  const profile = mkdtempSync(join(tmpdir(), 'ferry-bench-save-profile-'));
  const receiverContext = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: [...chromiumArgs(), '--enable-precise-memory-info'],
    serviceWorkers: spec.via === 'blob' ? 'block' : 'allow',
  });
  try {
    const receiver = await receiverContext.newPage();
    await receiver.goto(link);
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 60_000 });
    const transferHeap = await receiver.evaluate(
      () =>
        new Promise((resolve, reject) => {
          let peak = 0;
          const timer = setInterval(() => {
            peak = Math.max(peak, performance.memory?.usedJSHeapSize ?? 0);
            const status = document.querySelector('.transfer-status')?.textContent ?? '';
            if (/received and verified/.test(status)) {
              clearInterval(timer);
              resolve(peak);
            } else if (/failed|Stopped/.test(status)) {
              clearInterval(timer);
              reject(new Error(status));
            }
          }, 100);
        }),
    );
    if (spec.via === 'stream')
      await receiver
        .waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
          timeout: 60_000,
        })
        .catch(async (err) => {
          const state = await receiver.evaluate(async () => {
            const r = await navigator.serviceWorker.getRegistration();
            return { installing: !!r?.installing, waiting: !!r?.waiting, active: r?.active?.state };
          });
          throw new Error(`no service worker controls the receiver: ${JSON.stringify(state)}`, {
            cause: err,
          });
        });
    const stored = await receiver.evaluate(async () => (await navigator.storage.estimate()).usage);
    const zip = await measureSave(receiver, profile, () =>
      receiver.getByRole('button', { name: 'Download zip' }).click(),
    );
    const names = paths.map((p) => p.split('/').pop());
    for (const [i, name] of names.entries())
      if ((await zipMemberSha256(zip.path, name)) !== hashes[i])
        throw new Error(`${name} in the zip differs from the original`);
    const figures = {
      bytes,
      ms: zip.ms,
      heapPeakMB: zip.heapPeakMB,
      extraStorageMB: zip.extraStorageMB,
      streamed: zip.url.includes('/__ferry-download/'),
      transferHeapPeakMB: transferHeap / 1e6,
      storedMB: stored / 1e6,
    };
    if (spec.single) {
      // The first file of the case, by its row's button (the list is in name order).
      console.log(`${names[0]} in the zip matches; saving it alone: ${JSON.stringify(figures)}`);
      const one = await measureSave(receiver, profile, () =>
        receiver.getByTitle(`Download ${names[0]}`, { exact: true }).click(),
      );
      if ((await sha256Of(createReadStream(one.path))) !== hashes[0])
        throw new Error('the file saved alone differs from the original');
      Object.assign(figures, {
        singleMs: one.ms,
        singleHeapPeakMB: one.heapPeakMB,
        singleExtraStorageMB: one.extraStorageMB,
      });
    }
    return figures;
  } finally {
    await receiverContext.close();
    await sender.context().close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * e2e-big: what a person waits for with one 256 MiB file, from picking it on
 * the sender to the file on the receiver's disk, through the UI, the way a
 * person does it now: the link is opened as soon as it shows and Receive
 * pressed on the file list while the sender still checks the file (sent
 * while hashing, verified, proven, saved with Download). Compared with the
 * raw channel; `checkMs` is the sender's checking, which overlaps the transfer.
 */
export async function runPickToDisk(browser, appUrl, inputsRoot) {
  const path = makeBigFile(inputsRoot, 256);
  const hash = await sha256Of(createReadStream(path));
  const sender = await (await browser.newContext()).newPage();
  const receiver = await (await browser.newContext()).newPage();
  try {
    await sender.goto(appUrl);
    const startedAt = Date.now();
    await sender.getByLabel('Add files').setInputFiles(path);
    const checked = sender
      .locator('.share-panel .code')
      .waitFor({ timeout: 300_000 })
      .then(
        () => Date.now(),
        () => null,
      );
    const linkEl = sender.getByRole('link', { name: 'Receive link' });
    await linkEl.waitFor({ timeout: 60_000 });
    const link = await linkEl.getAttribute('href');
    await receiver.goto(link);
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 60_000 });
    const receiveAt = Date.now();
    const download = receiver.getByRole('button', { name: 'Download', exact: true }).first();
    await download.waitFor({ timeout: 600_000 });
    const verifiedAt = Date.now();
    const [saved] = await Promise.all([receiver.waitForEvent('download'), download.click()]);
    const file = await saved.path();
    const ms = Date.now() - startedAt;
    if ((await sha256Of(createReadStream(file))) !== hash)
      throw new Error('the saved file differs from the original');
    const checkedAt = await checked;
    return {
      bytes: 256 * MiB,
      ms,
      // Where the wait went: the sender's checking (under way while the transfer runs), the
      // transfer from Receive to verified, saving after the last byte.
      checkMs: checkedAt === null ? null : checkedAt - startedAt,
      transferMs: verifiedAt - receiveAt,
      saveMs: ms - (verifiedAt - startedAt),
    };
  } finally {
    await sender.context().close();
    await receiver.context().close();
  }
}
