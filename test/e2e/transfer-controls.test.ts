import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../src/core/bytes';
import { ByteWriter } from '../../src/core/codec/byte-writer';
import { launchWithProfile } from '../helpers/chromium';
import { pseudoRandomBytes } from '../helpers/data';
import {
  downloadAll,
  sentBytes,
  sha256,
  storedBlocks,
  useAppInChromium,
  waitForStatus,
  writeTree,
} from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const MiB = 1024 * 1024;
const app = useAppInChromium();
const { share, receive } = app;

/** The total bar's value, percent. */
async function totalPercent(page: Page): Promise<number> {
  const bar = page.getByRole('progressbar', { name: 'Received in total' });
  return Number(await bar.getAttribute('aria-valuenow'));
}

describe('many files', () => {
  it('receives 300 small files in nested folders and several of mixed sizes, and the zip matches', async () => {
    const originals: Record<string, Uint8Array> = {};
    for (let i = 0; i < 300; i++) {
      const folder = ['docs', 'docs/ünïcode', 'src/a/b', 'Ωmega'][i % 4];
      const size = i === 7 ? 0 : (i * 977) % 40_000;
      originals[`project/${folder}/file ${i}.txt`] = pseudoRandomBytes(size, 100 + i);
    }
    originals['project/media/clip.mov'] = pseudoRandomBytes(5 * MiB + 3, 1);
    originals['project/media/still.png'] = pseudoRandomBytes(MiB, 2);
    originals['project/media/one more.png'] = pseudoRandomBytes(MiB + 1, 3);
    originals['project/media/tiny.gif'] = pseudoRandomBytes(43, 4);
    const dir = writeTree('ferry-many-', originals);
    const { sender, link } = await share({ folder: join(dir, 'project') });
    const receiver = await receive(link);
    await waitForStatus(receiver, 'All 304 files received and verified.', 120_000);
    const [zipDownload] = await Promise.all([
      receiver.waitForEvent('download'),
      receiver.getByRole('button', { name: 'Download zip' }).click(),
    ]);
    const unzipped = unzipSync(new Uint8Array(readFileSync((await zipDownload.path())!)));
    expect(Object.keys(unzipped).filter((p) => !p.endsWith('/')).length).toBe(304);
    for (const [path, data] of Object.entries(originals))
      expect(sha256(unzipped[path]!), path).toBe(sha256(data));
    await sender.context().close();
    await receiver.context().close();
  });
});

describe('two tabs of one browser', () => {
  it('lets only one receive the same files at a time; the other can once it is done', async () => {
    const data = pseudoRandomBytes(24 * MiB, 44);
    const dir = writeTree('ferry-two-tabs-', { 'talk.webm': data });
    const { sender, link } = await share({ files: [join(dir, 'talk.webm')] });
    const first = await receive(link);
    await expect.poll(() => totalPercent(first), { timeout: 60_000 }).toBeGreaterThan(0);
    // Paused, the first tab still holds the transfer.
    await first.getByRole('button', { name: 'Pause' }).click();
    await waitForStatus(first, /^Paused/);

    const second = await receive(link, await first.context().newPage());
    await second.getByText(/already being received in another tab/).waitFor({ timeout: 30_000 });
    // Nothing started there: Receive is still offered, no transfer status.
    expect(await second.getByRole('button', { name: 'Receive' }).isVisible()).toBe(true);
    expect(await second.locator('.transfer-status').count()).toBe(0);

    await first.getByRole('button', { name: 'Resume' }).click();
    await waitForStatus(first, 'All 1 file received and verified.', 60_000);
    // Now the second tab may: everything is already stored and verified, so nothing is sent to it.
    await second.getByRole('button', { name: 'Receive' }).click();
    await waitForStatus(second, 'All 1 file received and verified.', 60_000);
    const rows = sender.locator('.receivers > li');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator('.sent').count()).toBe(1);
    expect(await rows.nth(1).locator('.sent').count()).toBe(0);
    await sender.context().close();
    await first.context().close();
  });
});

describe('pause, resume and cancel', () => {
  it('pauses at once (nothing more is sent), resumes, and finishes with the file right', async () => {
    const size = 48 * MiB;
    const data = pseudoRandomBytes(size, 40);
    const dir = writeTree('ferry-pause-', { 'film.mkv': data });
    const { sender, link } = await share({ files: [join(dir, 'film.mkv')] });
    const receiver = await receive(link);
    await expect.poll(() => totalPercent(receiver), { timeout: 60_000 }).toBeGreaterThan(0);
    await receiver.getByRole('button', { name: 'Pause' }).click();
    await waitForStatus(receiver, /^Paused/);
    // What was asked for before the pause lands; then nothing moves.
    let settled = -1;
    await expect
      .poll(
        async () => {
          const now = await sentBytes(sender);
          const same = now === settled;
          settled = now;
          return same;
        },
        { interval: 1500, timeout: 30_000 },
      )
      .toBe(true);
    expect(settled).toBeLessThan(size);
    const percentPaused = await totalPercent(receiver);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await totalPercent(receiver)).toBe(percentPaused);
    expect(await sentBytes(sender)).toBe(settled);

    await receiver.getByRole('button', { name: 'Resume' }).click();
    await waitForStatus(receiver, 'All 1 file received and verified.');
    const saved = await downloadAll(receiver, ['film.mkv']);
    expect(sha256(saved.get('film.mkv')!)).toBe(sha256(data));
    // Pausing cost at most what each stream already had on its way (the figure refreshes every 100 ms;
    // the screen rounds it to three digits).
    await expect.poll(() => sentBytes(sender)).toBeGreaterThanOrEqual(size - 0.05 * MiB);
    const sent = await sentBytes(sender);
    // (about two blocks per stream: the one being read and the one in the channel's buffers).
    expect(sent).toBeLessThanOrEqual(size + 12 * MiB);
    await sender.context().close();
    await receiver.context().close();
  });

  it('cancels: the transfer stops and the unfinished file’s blocks are removed', async () => {
    const dir = writeTree('ferry-cancel-', {
      'done.txt': pseudoRandomBytes(1000, 41),
      'huge.iso': pseudoRandomBytes(64 * MiB, 42),
    });
    const { sender, link } = await share({
      files: [join(dir, 'done.txt'), join(dir, 'huge.iso')],
    });
    const receiver = await receive(link);
    await expect.poll(() => totalPercent(receiver), { timeout: 60_000 }).toBeGreaterThan(5);
    await receiver.getByRole('button', { name: 'Cancel' }).click();
    await waitForStatus(
      receiver,
      'Cancelled. 1 finished file is kept; unfinished files were removed.',
    );
    expect(await receiver.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    // Only the finished one-block file is left in storage.
    expect(await storedBlocks(receiver)).toBe(1);
    const saved = await downloadAll(receiver, ['done.txt']);
    expect(saved.get('done.txt')!.length).toBe(1000);
    await sender.context().close();
    await receiver.context().close();
  });
});

/** A manifest written byte by byte, with no validation: what a hostile sender could offer. */
function rawManifest(entries: { path: string; size: number }[], count = entries.length): string {
  const w = new ByteWriter();
  w.bytes(utf8('FRYM')).u8(1).varint(count);
  for (const e of entries) {
    w.lengthPrefixed(utf8(e.path)).varint(e.size).varint(0).bytes(new Uint8Array(32).fill(7));
    if (e.size > MiB) w.bytes(new Uint8Array(32).fill(8));
  }
  return toHex(w.finish());
}

describe('a hostile sender', () => {
  const cases = [
    {
      what: 'a path that climbs out of the folder',
      manifest: rawManifest([{ path: '../outside.txt', size: 10 }]),
      says: /refused this sender's file list: .*"\.\.".*outside the folder/,
    },
    {
      what: 'a file inside a .git folder',
      manifest: rawManifest([{ path: 'repo/.git/hooks/post-checkout', size: 10 }]),
      says: /refused this sender's file list: .*hidden folder "\.git"; Ferry does not write into hidden folders/,
    },
    {
      what: 'a name with a right-to-left override',
      manifest: rawManifest([{ path: 'invoice\u202Efdp.exe', size: 10 }]),
      says: /refused this sender's file list: The path "invoice\\u\{202E\}fdp\.exe" contains an invisible formatting character/,
    },
    {
      what: 'an absurd number of files',
      manifest: rawManifest([{ path: 'a.txt', size: 1 }], 4_000_000_000),
      says: /refused this sender's file list: The collection lists 4,000,000,000 files; at most 100,000 are allowed/,
    },
    {
      what: 'an absurd size (refused before anything is asked for)',
      manifest: rawManifest([{ path: 'huge.bin', size: 2 ** 52 }]),
      receive: true,
      says: /These files need 4504 TB but this browser lets Ferry store only .* more/,
    },
  ];
  for (const c of cases) {
    it(`is refused when it offers ${c.what}, with a sentence saying why`, async () => {
      const dir = writeTree('ferry-hostile-', { 'real.txt': pseudoRandomBytes(100, 50) });
      const senderPage = await (await app.browser.newContext()).newPage();
      await senderPage.addInitScript((hex) => {
        (globalThis as { __ferryFaults?: unknown }).__ferryFaults = { manifestHex: hex };
      }, c.manifest);
      // The link carries the hash of the hostile list itself: the hash check passes, validation must not.
      const { sender, link } = await share({ files: [join(dir, 'real.txt')] }, senderPage);
      const receiver = c.receive
        ? await receive(link)
        : await (await app.browser.newContext()).newPage();
      if (!c.receive) await receiver.goto(link);
      const alert = receiver.getByRole('alert');
      await expect.poll(() => alert.textContent(), { timeout: 30_000 }).toMatch(c.says);
      // Nothing was received.
      expect(await sentBytes(sender)).toBe(0);
      if (!c.receive)
        expect(await receiver.getByRole('button', { name: 'Receive' }).count()).toBe(0);
      await sender.context().close();
      await receiver.context().close();
    });
  }
});

/** Writes `path` until the disk it is on has no space left. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = new Uint8Array(MiB);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

// The test runner mounts a small tmpfs here (scripts/test.mjs): a receiver profile on it
// has a real disk that really fills up.
const smallDisk = process.env.FERRY_SMALL_DISK_DIR;

describe('storage running out mid-transfer', () => {
  it.skipIf(!smallDisk)(
    'pauses with a clear message when the disk is full, and finishes after space is freed',
    async () => {
      const disk = smallDisk!;
      for (const entry of readdirSync(disk))
        rmSync(join(disk, entry), { recursive: true, force: true });
      const size = 48 * MiB;
      const data = pseudoRandomBytes(size, 60);
      const dir = writeTree('ferry-full-', { 'disk.img': data });
      const { sender, link } = await share({ files: [join(dir, 'disk.img')] });
      const receiverContext = await launchWithProfile(disk);
      try {
        const receiver = await receive(link, await receiverContext.newPage());
        await expect.poll(() => totalPercent(receiver), { timeout: 60_000 }).toBeGreaterThan(15);
        // Something else on the device takes all the free space.
        const filler = join(disk, 'filler.bin');
        fillDisk(filler);
        // Usually reported as the disk being full; when the browser's closing of the database
        // is what surfaces first, as a storing failure. Either way: paused, with a sentence.
        await waitForStatus(
          receiver,
          /^Paused: (this device has no more storage space|this browser could not store)/,
        );
        expect(await receiver.getByRole('button', { name: 'Resume' }).count()).toBe(1);
        // Space is freed; the person presses Resume. (The test cannot look into IndexedDB here:
        // after Chromium closed the full database, opening it waits until the app reconnects.)
        rmSync(filler);
        await receiver.getByRole('button', { name: 'Resume' }).click();
        await waitForStatus(receiver, 'All 1 file received and verified.', 90_000);
        const saved = await downloadAll(receiver, ['disk.img']);
        expect(sha256(saved.get('disk.img')!)).toBe(sha256(data));
      } finally {
        await receiverContext.close();
        await sender.context().close();
        for (const entry of readdirSync(disk))
          rmSync(join(disk, entry), { recursive: true, force: true });
      }
    },
  );
});
