import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { pseudoRandomBytes } from '../helpers/data';
import { sha256, useAppInChromium, waitForStatus, writeTree } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const app = useAppInChromium();

describe('Download zip streams to disk', () => {
  it('goes through the service worker, not a Blob, and unpacks byte-identical', async () => {
    const originals: Record<string, Uint8Array> = {
      'set/a.bin': pseudoRandomBytes(5 * 1024 * 1024 + 3, 31),
      'set/sub/b.txt': pseudoRandomBytes(777, 32),
      'set/sub/empty': new Uint8Array(0),
    };
    const dir = writeTree('ferry-zipstream-', originals);
    const { sender, link } = await app.share({ folder: join(dir, 'set') });
    const receiver = await app.receive(link);
    await waitForStatus(receiver, 'All 3 files received and verified.', 90_000);
    // The app's service worker takes control of the page it installed from (clientsClaim).
    await receiver.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
      timeout: 30_000,
    });
    // A Blob of the whole archive is the second copy this must not make.
    await receiver.evaluate(() => {
      const w = window as unknown as { zipBlobs: number };
      w.zipBlobs = 0;
      const blob = Response.prototype.blob;
      Response.prototype.blob = function (this: Response) {
        w.zipBlobs++;
        return blob.call(this);
      };
    });
    const [zip] = await Promise.all([
      receiver.waitForEvent('download'),
      receiver.getByRole('button', { name: 'Download zip' }).click(),
    ]);
    expect(new URL(zip.url()).pathname).toMatch(/^\/__ferry-download\/[0-9a-f]{32}\/ferry-/);
    expect(zip.suggestedFilename()).toMatch(/^ferry-[0-9A-Z-]+\.zip$/);
    const unzipped = unzipSync(new Uint8Array(readFileSync((await zip.path())!)));
    for (const [path, data] of Object.entries(originals)) {
      const inZip = unzipped[path.slice('set/'.length)] ?? unzipped[path];
      expect(inZip, path).toBeDefined();
      expect(sha256(inZip!)).toBe(sha256(data));
    }
    expect(
      await receiver.evaluate(() => (window as unknown as { zipBlobs: number }).zipBlobs),
    ).toBe(0);

    // Ids are single-use and unguessable: anything else gets a sentence, never bytes.
    const stray = await receiver.evaluate(async () => {
      const r = await fetch(`/__ferry-download/${'0'.repeat(32)}/x.zip`);
      return { status: r.status, text: await r.text() };
    });
    expect(stray.status).toBe(404);
    expect(stray.text).toMatch(/Save again from Ferry/);
    await sender.context().close();
    await receiver.context().close();
  });
});
