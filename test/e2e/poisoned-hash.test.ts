import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/core/bytes';
import { encodeManifest } from '../../src/core/content/manifest';
import { oracleHash, pseudoRandomBytes } from '../helpers/data';
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
import { testFile } from '../helpers/transfer-harness';

requirePrivateNetwork();

const MiB = 1024 * 1024;
const app = useAppInChromium();
const { share, receive } = app;

/** The genuine file G: four blocks, the last one short. */
const genuine = pseudoRandomBytes(3 * MiB + 4321, 81);

/** G with its third block replaced: one planted block inside a genuine file. */
function withPlantedBlock(): Uint8Array {
  const planted = genuine.slice();
  planted.set(pseudoRandomBytes(MiB, 82), 2 * MiB);
  return planted;
}

/**
 * What a hostile sender offers: a file list naming G's hash for its file,
 * with the outboard hash of the bytes it really serves (so every block it
 * sends passes its block check).
 */
function poisonedManifest(hostile: Uint8Array): string {
  const served = testFile(hostile);
  return toHex(
    encodeManifest({
      version: 1,
      files: [
        {
          path: 'talk.webm',
          size: hostile.length,
          mtime: 0,
          fileHash: oracleHash(genuine),
          outboardHash: oracleHash(served.outboard),
        },
      ],
    }),
  );
}

describe('a sender offering other bytes under a real file hash', () => {
  const cases = [
    { what: 'a whole other file', hostile: () => pseudoRandomBytes(genuine.length, 83) },
    { what: 'the genuine file with one planted block', hostile: withPlantedBlock },
  ];
  for (const c of cases) {
    it(`is refused when it sends ${c.what}, and an honest transfer then saves the genuine bytes`, async () => {
      const hostile = c.hostile();
      const hostileDir = writeTree('ferry-poison-', { 'talk.webm': hostile });
      const hostilePage = await (await app.browser.newContext()).newPage();
      await hostilePage.addInitScript((hex) => {
        (globalThis as { __ferryFaults?: unknown }).__ferryFaults = { manifestHex: hex };
      }, poisonedManifest(hostile));
      const { sender: hostileSender, link: hostileLink } = await share(
        { files: [join(hostileDir, 'talk.webm')] },
        hostilePage,
      );
      // One receiving browser profile for both transfers: what the first left behind, the second sees.
      const receiverContext = await app.browser.newContext();
      const first = await receive(hostileLink, await receiverContext.newPage());
      await waitForStatus(first, '0 of 1 file received and verified; 1 failed.');
      expect(await first.locator('.file-error').textContent()).toMatch(
        /not the file its sender named.*Do not trust this sender/,
      );
      expect(await first.getByRole('button', { name: 'Download' }).count()).toBe(0);
      // Nothing of it is kept under G's hash.
      expect(await storedBlocks(first)).toBe(0);
      await hostileSender.context().close();
      await first.close();

      const honestDir = writeTree('ferry-honest-', { 'talk.webm': genuine });
      const { sender, link } = await share({ files: [join(honestDir, 'talk.webm')] });
      const second = await receive(link, await receiverContext.newPage());
      await waitForStatus(second, 'All 1 file received and verified.');
      // The honest sender sent the whole file: nothing the hostile one left was reused. (Its
      // count is drawn once per frame, so the last block may show a frame after the receiver's status.)
      await expect
        .poll(() => sentBytes(sender), { timeout: 10_000 })
        .toBeGreaterThan(genuine.length * 0.9);
      const saved = await downloadAll(second, ['talk.webm']);
      expect(sha256(saved.get('talk.webm')!)).toBe(sha256(genuine));
      await sender.context().close();
      await receiverContext.close();
    });
  }
});
