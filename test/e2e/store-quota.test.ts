import type { BrowserContext } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithProfile } from '../helpers/chromium';

// A folder on a small tmpfs that the test runner mounts in its private mount
// namespace (scripts/test.mjs). A profile there gives Chromium a real, tiny
// disk: IndexedDB fails with a genuine QuotaExceededError when it is full.
const smallDisk = process.env.FERRY_SMALL_DISK_DIR;

let vite: ViteDevServer;
let context: BrowserContext;
beforeAll(async () => {
  if (!smallDisk) return;
  vite = await createServer({ logLevel: 'warn', server: { host: '127.0.0.1', port: 0 } });
  await vite.listen();
  context = await launchWithProfile(smallDisk);
});
afterAll(async () => {
  await context?.close();
  await vite?.close();
});

describe('BlockStore when the disk fills up', () => {
  it.skipIf(!smallDisk)(
    'fails with Store/QuotaExceeded and keeps every block stored before',
    async () => {
      const page = await context.newPage();
      const url = vite.resolvedUrls!.local[0]!;
      await page.goto(`${url}test/browser/fixtures/store-page.html`);
      await page.waitForFunction(() => 'storeApi' in window);
      const result = await page.evaluate(async () => {
        type Api = import('../browser/fixtures/store-page').StorePageApi;
        const api = (window as unknown as { storeApi: Api }).storeApi;
        const MiB = 1024 * 1024;
        const blockData = (i: number) => {
          const data = new Uint8Array(MiB).fill((i * 7) & 255);
          new DataView(data.buffer).setUint32(0, i);
          return data;
        };
        const size = 1024 * MiB; // far more than the disk holds
        let written = 0;
        let error: { name: string; message: string } | null = null;
        while (written < 1024 && !error) {
          const batch = Array.from({ length: 8 }, (_, k) => ({
            index: written + k,
            data: blockData(written + k),
          }));
          try {
            await api.write('quota-db', 'big-file', size, batch);
            written += 8;
          } catch (err) {
            error = { name: (err as Error).name, message: (err as Error).message };
          }
        }
        const read = await api.read('quota-db', 'big-file');
        const stored = read.blocks.map((b, i) =>
          b
            ? b.length === MiB &&
              new DataView(b.buffer).getUint32(0) === i &&
              b[MiB - 1] === ((i * 7) & 255)
            : null,
        );
        const firstMissing = read.missing[0] ?? -1;
        return {
          written,
          error,
          firstMissing,
          storedOk: stored.slice(0, written).every((ok) => ok === true),
          strayBlocks: stored.slice(written).filter((s) => s !== null).length,
        };
      });
      expect(result.error?.name).toBe('Store/QuotaExceeded');
      expect(result.error?.message).toMatch(/no more storage space/);
      expect(result.written).toBeGreaterThan(8);
      // Everything written before the failure is intact; the failed batch left nothing behind.
      expect(result.storedOk).toBe(true);
      expect(result.firstMissing).toBe(result.written);
      expect(result.strayBlocks).toBe(0);
    },
  );
});
