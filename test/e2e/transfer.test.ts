import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { pseudoRandomBytes } from '../helpers/data';
import {
  downloadAll,
  sentBytes,
  sha256,
  storedBlocks,
  useAppInChromium,
  writeTree,
} from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const app = useAppInChromium();
const { share, receive } = app;

describe('moving files between two browsers', () => {
  it('receives a folder and two files (one of 64 MiB), verified, and downloads them byte-identical', async () => {
    const originals: Record<string, Uint8Array> = {
      'album/été/photo 1.jpg': pseudoRandomBytes(3 * 1024 * 1024 + 17, 1),
      'album/notes.txt': pseudoRandomBytes(1234, 2),
      'album/empty': new Uint8Array(0),
      'big.bin': pseudoRandomBytes(64 * 1024 * 1024, 3),
      'read me.md': pseudoRandomBytes(4321, 4),
    };
    const dir = writeTree('ferry-send-', originals);
    const { sender, link } = await share({
      folder: join(dir, 'album'),
      files: [join(dir, 'big.bin'), join(dir, 'read me.md')],
    });

    const receiver = await receive(link);
    await expect
      .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 90_000 })
      .toBe('All 5 files received and verified.');
    expect(
      await receiver
        .getByRole('progressbar', { name: 'Received in total' })
        .getAttribute('aria-valuenow'),
    ).toBe('100');
    // Every row shows its verified BLAKE3 instead of a bar.
    expect(await receiver.getByRole('progressbar').count()).toBe(1);
    expect(await receiver.getByText('✓ verified').count()).toBe(5);

    const saved = await downloadAll(receiver, [
      'photo 1.jpg',
      'notes.txt',
      'empty',
      'big.bin',
      'read me.md',
    ]);
    expect(sha256(saved.get('read me.md')!)).toBe(sha256(originals['read me.md']!));
    expect(sha256(saved.get('photo 1.jpg')!)).toBe(sha256(originals['album/été/photo 1.jpg']!));
    expect(sha256(saved.get('notes.txt')!)).toBe(sha256(originals['album/notes.txt']!));
    expect(saved.get('empty')!.length).toBe(0);
    expect(sha256(saved.get('big.bin')!)).toBe(sha256(originals['big.bin']!));

    // The zip, unpacked with an independent decoder: every file at its path, byte-identical.
    const [zipDownload] = await Promise.all([
      receiver.waitForEvent('download'),
      receiver.getByRole('button', { name: 'Download zip' }).click(),
    ]);
    expect(zipDownload.suggestedFilename()).toMatch(/^ferry-[0-9A-Z]{4}(-[0-9A-Z]{4}){3}\.zip$/);
    const unzipped = unzipSync(new Uint8Array(readFileSync((await zipDownload.path())!)));
    for (const [path, data] of Object.entries(originals)) {
      expect(unzipped[path], path).toBeDefined();
      expect(sha256(unzipped[path]!)).toBe(sha256(data));
    }
    await sender.context().close();
    await receiver.context().close();
  });
});

describe('faults during a transfer', () => {
  it('detects a damaged block, fetches it again, and the file comes out right', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-fault-'));
    const data = pseudoRandomBytes(16 * 1024 * 1024, 9);
    writeFileSync(join(dir, 'video.mp4'), data);
    const { sender, link } = await share({ files: [join(dir, 'video.mp4')] });
    await sender.evaluate(() => {
      (globalThis as { __ferryFaults?: unknown }).__ferryFaults = {
        corruptBlock: { file: 0, block: 5, times: 1 },
      };
    });
    const receiver = await receive(link);
    await expect
      .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 60_000 })
      .toBe('All 1 file received and verified.');
    expect(
      await sender.evaluate(
        () =>
          (globalThis as { __ferryFaults?: { corruptBlock: { times: number } } }).__ferryFaults
            ?.corruptBlock.times,
      ),
    ).toBe(0);
    const saved = await downloadAll(receiver, ['video.mp4']);
    expect(sha256(saved.get('video.mp4')!)).toBe(sha256(data));
    // The damaged block was sent twice; nothing else was.
    await expect.poll(() => sentBytes(sender)).toBeCloseTo(17 * 1024 * 1024, -5);
    await sender.context().close();
    await receiver.context().close();
  });

  it('fails only the file changed on the sender after it was shared; the small files read with it arrive', async () => {
    // 40 small files: the sender reads them sixteen at a time, so f20 shares a read with f17..f32.
    const originals: Record<string, Uint8Array> = {};
    for (let i = 0; i < 40; i++)
      originals[`batch/f${String(i).padStart(2, '0')}.txt`] = pseudoRandomBytes(3000 + i, 300 + i);
    const dir = writeTree('ferry-changed-', originals);
    const { sender, link } = await share({ folder: join(dir, 'batch') });
    // Edited on disk after it was picked and checked: the browser refuses to read it now.
    const changed = join(dir, 'batch', 'f20.txt');
    writeFileSync(changed, pseudoRandomBytes(3020, 999));
    utimesSync(changed, new Date(), new Date(Date.now() + 60_000));
    const receiver = await receive(link);
    await expect
      .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 60_000 })
      .toBe('39 of 40 files received and verified; 1 failed.');
    const failedRow = receiver.locator('.file-row', { hasText: 'f20.txt' });
    expect(await failedRow.locator('.file-error').textContent()).toMatch(
      /can no longer read this file/,
    );
    // The zip holds every file that arrived, byte for byte, and not the one that failed.
    const [zipDownload] = await Promise.all([
      receiver.waitForEvent('download'),
      receiver.getByRole('button', { name: 'Download zip' }).click(),
    ]);
    const unzipped = unzipSync(new Uint8Array(readFileSync((await zipDownload.path())!)));
    const expected = Object.keys(originals).filter((p) => !p.endsWith('f20.txt'));
    expect(
      Object.keys(unzipped)
        .filter((p) => !p.endsWith('/'))
        .sort(),
    ).toEqual(expected.sort());
    for (const path of expected)
      expect(sha256(unzipped[path]!), path).toBe(sha256(originals[path]!));
    await sender.context().close();
    await receiver.context().close();
  });

  it('resumes after the receiving page is reloaded, without fetching again what it had verified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-reload-'));
    const size = 48 * 1024 * 1024;
    const data = pseudoRandomBytes(size, 10);
    writeFileSync(join(dir, 'archive.tar'), data);
    const { sender, link } = await share({ files: [join(dir, 'archive.tar')] });
    const receiver = await receive(link);
    const total = receiver.getByRole('progressbar', { name: 'Received in total' });
    await expect
      .poll(async () => Number(await total.getAttribute('aria-valuenow')), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(20);
    await receiver.reload();
    // What the store had verified when the page went away, read from IndexedDB directly.
    const storedBytes = (await storedBlocks(receiver)) * 1024 * 1024;
    expect(storedBytes).toBeGreaterThan(0);
    expect(storedBytes).toBeLessThan(size);
    await expect
      .poll(() => sender.getByRole('list', { name: 'Receivers' }).innerText(), { timeout: 30_000 })
      .toMatch(/Receiver 2: connected/);
    const sentBefore = await sentBytes(sender);
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    await expect
      .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 60_000 })
      .toBe('All 1 file received and verified.');
    const saved = await downloadAll(receiver, ['archive.tar']);
    expect(sha256(saved.get('archive.tar')!)).toBe(sha256(data));
    // The second session sent exactly what was missing (its figure refreshes at most every 100 ms).
    await expect.poll(() => sentBytes(sender, 1)).toBeCloseTo(size - storedBytes, -5);
    expect(sentBefore).toBeGreaterThan(0);
    await sender.context().close();
    await receiver.context().close();
  });
});

describe('losing the connection', () => {
  it('reconnects when every stream drops mid-transfer and finishes without re-sending what was verified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-drop-'));
    const size = 40 * 1024 * 1024;
    const data = pseudoRandomBytes(size, 11);
    writeFileSync(join(dir, 'backup.img'), data);
    // Instrumentation only: remember every RTCPeerConnection the sender page makes, so the test can cut them.
    const senderContext = await app.browser.newContext();
    await senderContext.addInitScript(() => {
      const Original = window.RTCPeerConnection;
      const made: RTCPeerConnection[] = [];
      (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = made;
      window.RTCPeerConnection = class extends Original {
        constructor(config?: RTCConfiguration) {
          super(config);
          made.push(this);
        }
      } as typeof RTCPeerConnection;
    });
    const { sender, link } = await share(
      { files: [join(dir, 'backup.img')] },
      await senderContext.newPage(),
    );
    const receiver = await receive(link);
    const total = receiver.getByRole('progressbar', { name: 'Received in total' });
    await expect
      .poll(async () => Number(await total.getAttribute('aria-valuenow')), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(15);
    // Every connection to the receiver dies at once (the signaling socket stays): it must reconnect and resume.
    const cut = await sender.evaluate(() => {
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
      for (const pc of pcs) pc.close();
      return pcs.length;
    });
    expect(cut).toBe(6);
    await expect
      .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 30_000 })
      .toMatch(/Reconnecting|Receiving/);
    await expect
      .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 90_000 })
      .toBe('All 1 file received and verified.');
    const saved = await downloadAll(receiver, ['backup.img']);
    expect(sha256(saved.get('backup.img')!)).toBe(sha256(data));
    // Two sessions in all; together they sent the file once, plus at most what was in flight when it dropped (6 streams × 8 blocks).
    // The screen rounds each session's figure to 0.1 MB and refreshes it at most every 100 ms.
    const totalSent = async () => {
      const sent = await sender.locator('.receivers .sent').allTextContents();
      return sent.reduce((sum, t) => sum + Number(t.replace(' MB sent', '')) * 1e6, 0);
    };
    const rounding = 0.05e6 * 2;
    await expect.poll(totalSent).toBeGreaterThanOrEqual(size - rounding);
    expect(await totalSent()).toBeLessThanOrEqual(size + 48 * 1024 * 1024 + rounding);
    await sender.context().close();
    await receiver.context().close();
  });
});

describe('choosing files', () => {
  it('receives only the files left ticked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-choose-'));
    const files = {
      'keep-a.bin': pseudoRandomBytes(3_000_000, 21),
      'skip.bin': pseudoRandomBytes(5_000_000, 22),
      'keep-b.bin': pseudoRandomBytes(700_000, 23),
    };
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    const { sender, link } = await share({ files: Object.keys(files).map((n) => join(dir, n)) });
    const receiver = await (await app.browser.newContext()).newPage();
    await receiver.goto(link);
    const chosen = receiver.locator('.chosen-line');
    await expect
      .poll(() => chosen.textContent(), { timeout: 30_000 })
      .toMatch(/^Chosen: 3 of 3 · 8\.70 MB · .+ free for Ferry on this device$/);
    await receiver.getByRole('checkbox', { name: 'Receive skip.bin' }).uncheck({ timeout: 30_000 });
    expect(await chosen.textContent()).toMatch(/^Chosen: 2 of 3 · 3\.70 MB · /);
    await receiver.getByRole('button', { name: 'Receive' }).click();
    await expect
      .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 60_000 })
      .toBe('All 2 files received and verified.');
    const skipRow = receiver.locator('.file-row', { hasText: 'skip.bin' });
    expect(await skipRow.getByRole('button', { name: 'Download' }).count()).toBe(0);
    const saved = await downloadAll(receiver, ['keep-a.bin', 'keep-b.bin']);
    expect(sha256(saved.get('keep-a.bin')!)).toBe(sha256(files['keep-a.bin']));
    expect(sha256(saved.get('keep-b.bin')!)).toBe(sha256(files['keep-b.bin']));
    await expect.poll(() => sentBytes(sender)).toBeCloseTo(3_700_000, -5);
    await sender.context().close();
    await receiver.context().close();
  });
});

describe('saving to a folder', () => {
  it('writes every file, sub-folders kept, into the folder the person picks', async () => {
    const originals: Record<string, Uint8Array> = {
      'trip/day 1/map.png': pseudoRandomBytes(2 * 1024 * 1024 + 5, 31),
      'trip/día 2.txt': pseudoRandomBytes(4321, 32),
      'trip/empty': new Uint8Array(0),
    };
    const dir = writeTree('ferry-folder-', originals);
    const { sender, link } = await share({ folder: join(dir, 'trip') });
    // The native picker cannot be driven headless; it hands back a real directory handle (OPFS) instead.
    const receiverContext = await app.browser.newContext();
    await receiverContext.addInitScript(() => {
      (
        window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }
      ).showDirectoryPicker = async () =>
        (await navigator.storage.getDirectory()).getDirectoryHandle('picked', { create: true });
    });
    const receiver = await receiverContext.newPage();
    await receiver.goto(link);
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    await expect
      .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 60_000 })
      .toBe('All 3 files received and verified.');
    await receiver.getByRole('button', { name: 'Save to folder' }).click();
    await expect
      .poll(() => receiver.getByText(/Saved \d+ files/).textContent())
      .toBe('Saved 3 files to the folder you chose.');
    const written = await receiver.evaluate(async (paths) => {
      const out: Record<string, string> = {};
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('picked');
      for (const path of paths) {
        const parts = path.split('/');
        let d = root;
        for (const p of parts.slice(0, -1)) d = await d.getDirectoryHandle(p);
        const file = await (await d.getFileHandle(parts.at(-1)!)).getFile();
        const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
        out[path] = [...new Uint8Array(digest)]
          .map((b) => b.toString(16).padStart(2, '0'))
          .join('');
      }
      return out;
    }, Object.keys(originals));
    for (const [path, data] of Object.entries(originals))
      expect(written[path], path).toBe(sha256(data));
    await sender.context().close();
    await receiverContext.close();
  });
});
