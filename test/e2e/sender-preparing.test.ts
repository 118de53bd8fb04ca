import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pseudoRandomBytes } from '../helpers/data';
import {
  downloadAll,
  sha256,
  useAppInChromium,
  waitForStatus,
  writeTree,
} from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const app = useAppInChromium();

describe('a receiver that arrives while the sender is still checking its files', () => {
  it('gets the list at once, then the code and the checked files once the sender is done', async () => {
    const originals: Record<string, Uint8Array> = {
      'notes.txt': pseudoRandomBytes(12_345, 1),
      'photo.jpg': pseudoRandomBytes(700_000, 2),
      'film.mov': pseudoRandomBytes(3_000_000, 3),
    };
    const dir = writeTree('ferry-preparing-', originals);
    const sender = await (await app.browser.newContext()).newPage();
    // Hashing of film.mov waits until the test lets it go: a sender still checking a big file.
    await sender.addInitScript(() => {
      const w = window as unknown as { __ferryFaults: object; releaseHashing: () => void };
      w.__ferryFaults = {
        holdHashing: {
          path: 'film.mov',
          until: new Promise<void>((resolve) => {
            w.releaseHashing = resolve;
          }),
        },
      };
    });
    await sender.goto(app.url);
    await sender
      .getByLabel('Add files')
      .setInputFiles(Object.keys(originals).map((name) => join(dir, name)));
    // The link works before every file is checked; it carries no collection hash yet.
    await sender.getByText('Link ready').waitFor({ timeout: 30_000 });
    await sender.getByText(/can open the link and start receiving now/).waitFor();
    const earlyLink = (await sender
      .getByRole('link', { name: 'Receive link' })
      .getAttribute('href'))!;

    const receiver = await (await app.browser.newContext()).newPage();
    await receiver.goto(earlyLink);
    // A sender that can send while hashing gives its list at once (its draft): no waiting screen,
    // Receive at once, no code until the sender's final list exists.
    await receiver.getByRole('button', { name: 'Receive' }).waitFor({ timeout: 30_000 });
    await receiver.locator('.draft-note').waitFor();
    expect(await receiver.locator('.list-header .code').count()).toBe(0);
    expect(await receiver.locator('.file-row').count()).toBe(3);

    await sender.evaluate(() =>
      (window as unknown as { releaseHashing: () => void }).releaseHashing(),
    );
    // The final link names the collection; the waiting receiver gets the same list and code.
    const code = await sender.locator('.share-panel .code').textContent({ timeout: 30_000 });
    const finalLink = await sender.getByRole('link', { name: 'Receive link' }).getAttribute('href');
    expect(finalLink!.length).toBeGreaterThan(earlyLink.length);
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    expect(await receiver.locator('.sender-preparing').count()).toBe(0);
    await waitForStatus(receiver, 'All 3 files received and verified.');
    expect(await receiver.locator('.list-header .code').textContent()).toBe(code);
    const saved = await downloadAll(receiver, Object.keys(originals));
    for (const [name, data] of Object.entries(originals))
      expect(sha256(saved.get(name)!), name).toBe(sha256(data));
    await sender.context().close();
    await receiver.context().close();
  });
});
