import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
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

const app = useAppInChromium();
const MiB = 1024 * 1024;

/** A sender page that picks `files` and holds big.bin's hashes at 8 blocks; returns it and its early link. */
async function holdingSender(files: Record<string, Uint8Array>) {
  const dir = writeTree('ferry-draft-', files);
  const sender = await (await app.browser.newContext()).newPage();
  // The sender tells the hashes of big.bin's first 8 blocks only, and makes no manifest, until released.
  await sender.addInitScript(() => {
    const w = window as unknown as { __ferryFaults: object; releaseHashes: () => void };
    w.__ferryFaults = {
      holdDraftHashes: {
        path: 'big.bin',
        blocks: 8,
        until: new Promise<void>((resolve) => {
          w.releaseHashes = resolve;
        }),
      },
    };
  });
  await sender.goto(app.url);
  await sender
    .getByLabel('Add files')
    .setInputFiles(Object.keys(files).map((name) => join(dir, name)));
  await sender.getByText('Link ready').waitFor({ timeout: 30_000 });
  const linkEl = sender.getByRole('link', { name: 'Receive link' });
  return { sender, linkEl, earlyLink: (await linkEl.getAttribute('href'))! };
}

const release = (sender: Page) =>
  sender.evaluate(() => (window as unknown as { releaseHashes: () => void }).releaseHashes());

describe('receiving while the sender is still checking its files', () => {
  it('fetches verified blocks before the sender has hashed, and proves each file at the end', async () => {
    const originals: Record<string, Uint8Array> = {
      'big.bin': pseudoRandomBytes(24 * MiB + 17, 41),
      'small.txt': pseudoRandomBytes(5_000, 42),
    };
    const { sender, linkEl, earlyLink } = await holdingSender(originals);

    const receiver = await (await app.browser.newContext()).newPage();
    await receiver.goto(earlyLink);
    // The list and Receive come before the sender has a code.
    const receive = receiver.getByRole('button', { name: 'Receive' });
    await receive.waitFor({ timeout: 30_000 });
    await receiver.locator('.draft-note').waitFor();
    expect(await receiver.locator('.list-header .code').count()).toBe(0);
    expect(await sender.locator('.share-panel .code').count()).toBe(0);
    await receive.click();

    // Blocks of big.bin arrive and are stored while the sender still holds its hashes.
    await expect.poll(() => storedBlocks(receiver), { timeout: 60_000 }).toBeGreaterThanOrEqual(9);
    const total = receiver.getByRole('progressbar', { name: 'Received in total' });
    expect(Number(await total.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    expect(await linkEl.getAttribute('href')).toBe(earlyLink);
    expect(await sender.locator('.share-panel .code').count()).toBe(0);
    // Nothing is shown received and verified before it is proven against the final list.
    expect(await receiver.locator('.file-row[data-status="done"]').count()).toBe(0);
    expect(await receiver.locator('.file-hash').count()).toBe(0);

    await release(sender);
    const code = await sender.locator('.share-panel .code').textContent({ timeout: 60_000 });
    await waitForStatus(receiver, 'All 2 files received and verified.', 120_000);
    expect(await receiver.locator('.list-header .code').textContent()).toBe(code);
    expect(await receiver.locator('.draft-note').count()).toBe(0);
    const saved = await downloadAll(receiver, Object.keys(originals));
    for (const [name, data] of Object.entries(originals))
      expect(sha256(saved.get(name)!), name).toBe(sha256(data));
    await sender.context().close();
    await receiver.context().close();
  });

  it('resumes after a reload during the draft phase, fetching only what is missing', async () => {
    const originals: Record<string, Uint8Array> = {
      'big.bin': pseudoRandomBytes(24 * MiB + 17, 43),
      'small.txt': pseudoRandomBytes(5_000, 44),
    };
    const total = 24 * MiB + 17 + 5_000;
    const { sender, earlyLink } = await holdingSender(originals);
    const receiver = await (await app.browser.newContext()).newPage();
    await receiver.goto(earlyLink);
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    // The 8 blocks whose hashes were told, and the small file, are stored; then the page reloads.
    await expect.poll(() => storedBlocks(receiver), { timeout: 60_000 }).toBe(9);
    await receiver.reload();
    await expect
      .poll(() => sender.getByRole('list', { name: 'Receivers' }).innerText(), { timeout: 30_000 })
      .toMatch(/Receiver 2: connected/);
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    await receiver.locator('.draft-note').waitFor();
    await release(sender);
    await waitForStatus(receiver, 'All 2 files received and verified.', 120_000);
    const saved = await downloadAll(receiver, Object.keys(originals));
    for (const [name, data] of Object.entries(originals))
      expect(sha256(saved.get(name)!), name).toBe(sha256(data));
    // The second session sent only what the first had not stored (8 MiB and the small file).
    await expect.poll(() => sentBytes(sender, 1)).toBeCloseTo(total - 8 * MiB - 5_000, -5);
    await sender.context().close();
    await receiver.context().close();
  });
});
