import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { pseudoRandomBytes } from '../helpers/data';
import {
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

describe('the Received screen', () => {
  it('lists a finished transfer, saves it again as a zip, and deletes it with its bytes', async () => {
    const originals = {
      'trip/day 1/map.png': pseudoRandomBytes(1_500_000, 1),
      'trip/notes.txt': pseudoRandomBytes(2_000, 2),
    };
    const dir = writeTree('ferry-received-', originals);
    const { sender, link } = await app.share({ folder: join(dir, 'trip') });
    const receiver = await app.receive(link);
    await waitForStatus(receiver, 'All 2 files received and verified.');
    await sender.context().close();

    await receiver.getByRole('link', { name: 'Received', exact: true }).click();
    const item = receiver.getByRole('listitem', { name: 'trip (2 files)' });
    await item.getByText('Complete and verified.').waitFor();
    expect(await receiver.locator('.storage-line').textContent()).toMatch(
      /Ferry keeps .+ in this browser; .+ more is available/,
    );
    const [zip] = await Promise.all([
      receiver.waitForEvent('download'),
      item.getByRole('button', { name: 'Download zip' }).click(),
    ]);
    const unzipped = unzipSync(new Uint8Array(readFileSync((await zip.path())!)));
    for (const [path, data] of Object.entries(originals))
      expect(sha256(unzipped[path]!), path).toBe(sha256(data));

    expect(await storedBlocks(receiver)).toBe(3);
    await item.getByRole('button', { name: 'Delete' }).click();
    await item.getByRole('button', { name: 'Delete for good' }).click();
    await receiver.getByText(/Nothing received yet/).waitFor();
    expect(await storedBlocks(receiver)).toBe(0);
    await receiver.context().close();
  });

  it('shows an unfinished transfer with how far it came, and resumes it from there', async () => {
    const data = pseudoRandomBytes(40 * MiB, 3);
    const dir = writeTree('ferry-unfinished-', { 'backup.img': data });
    const { sender, link } = await app.share({ files: [join(dir, 'backup.img')] });
    const receiver = await app.receive(link);
    const total = receiver.getByRole('progressbar', { name: 'Received in total' });
    await expect
      .poll(async () => Number(await total.getAttribute('aria-valuenow')), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(15);
    await receiver.getByRole('button', { name: 'Pause' }).click();
    await waitForStatus(receiver, /^Paused/);

    await receiver.getByRole('link', { name: 'Received', exact: true }).click();
    const item = receiver.getByRole('listitem', { name: 'backup.img' });
    await item.getByText(/^Unfinished: .+ of 41\.9 MB received and verified\.$/).waitFor();
    const kept = Number(
      await item
        .getByRole('progressbar', { name: 'backup.img received' })
        .getAttribute('aria-valuenow'),
    );
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(100);

    await item.getByRole('link', { name: 'Resume' }).click();
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    await waitForStatus(receiver, 'All 1 file received and verified.');
    const [download] = await Promise.all([
      receiver.waitForEvent('download'),
      receiver.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(sha256(new Uint8Array(readFileSync((await download.path())!)))).toBe(sha256(data));
    // The resumed session fetched only what the first had not verified, and the sender showed it.
    await expect.poll(() => sentBytes(sender, 1)).toBeGreaterThan(0);
    expect(await sentBytes(sender, 1)).toBeLessThan(data.length * 0.9);
    const second = sender.locator('.receivers li').nth(1);
    await expect
      .poll(() =>
        second
          .getByRole('progressbar', { name: 'Receiver 2 progress' })
          .getAttribute('aria-valuenow'),
      )
      .toBe('100');
    const planned = (await second.locator('.receiver-progress').textContent())!;
    const [, doneMB, planMB] = /^([\d.]+) MB of ([\d.]+) MB$/.exec(planned)!;
    expect(doneMB).toBe(planMB);
    expect(Number(planMB) * 1e6).toBeLessThan(data.length * 0.9);
    await receiver.getByRole('link', { name: 'Received', exact: true }).click();
    await receiver
      .getByRole('listitem', { name: 'backup.img' })
      .getByText('Complete and verified.')
      .waitFor();
    await sender.context().close();
    await receiver.context().close();
  });

  it('saves a kept transfer into a folder again without replacing what is there, and says what it renamed', async () => {
    const originals = {
      'trip/notes.txt': pseudoRandomBytes(3_000, 4),
      'trip/map.png': pseudoRandomBytes(5_000, 5),
    };
    const dir = writeTree('ferry-received-folder-', originals);
    const { sender, link } = await app.share({ folder: join(dir, 'trip') });
    // The native picker cannot be driven headless; it hands back a real directory handle (OPFS) instead.
    const context = await app.browser.newContext();
    await context.addInitScript(() => {
      (
        window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }
      ).showDirectoryPicker = async () =>
        (await navigator.storage.getDirectory()).getDirectoryHandle('picked', { create: true });
    });
    const receiver = await app.receive(link, await context.newPage());
    await waitForStatus(receiver, 'All 2 files received and verified.');
    await sender.context().close();
    // The folder the person will pick already holds a trip/notes.txt of their own.
    await receiver.evaluate(async () => {
      const picked = await (await navigator.storage.getDirectory()).getDirectoryHandle('picked', {
        create: true,
      });
      const trip = await picked.getDirectoryHandle('trip', { create: true });
      const w = await (await trip.getFileHandle('notes.txt', { create: true })).createWritable();
      await w.write('mine');
      await w.close();
    });

    await receiver.getByRole('link', { name: 'Received', exact: true }).click();
    const item = receiver.getByRole('listitem', { name: 'trip (2 files)' });
    await item.getByRole('button', { name: 'Save to folder' }).click();
    await receiver
      .getByText(
        'Saved 2 files to the folder you chose. 1 was renamed to "trip/notes (1).txt" because the folder already had a file of that name; nothing there was replaced.',
      )
      .waitFor();
    const written = await receiver.evaluate(async () => {
      const trip = await (
        await (await navigator.storage.getDirectory()).getDirectoryHandle('picked')
      ).getDirectoryHandle('trip');
      const out: Record<string, number[]> = {};
      for (const name of ['notes.txt', 'notes (1).txt', 'map.png'])
        out[name] = [
          ...new Uint8Array(await (await (await trip.getFileHandle(name)).getFile()).arrayBuffer()),
        ];
      return out;
    });
    expect(new TextDecoder().decode(new Uint8Array(written['notes.txt']!))).toBe('mine');
    expect(sha256(new Uint8Array(written['notes (1).txt']!))).toBe(
      sha256(originals['trip/notes.txt']),
    );
    expect(sha256(new Uint8Array(written['map.png']!))).toBe(sha256(originals['trip/map.png']));
    await context.close();
  });
});
