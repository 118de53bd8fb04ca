// WebKitGTK (the engine under Safari) runs the app: the service worker, the
// hash workers and the Send screen, with real files typed into the real file
// input (WebKit's driver takes paths through Element Send Keys). No transfer:
// Debian's WebKitGTK has no RTCPeerConnection.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toHex } from '../../src/core/bytes';
import { nobleBlake3, pseudoRandomBytes } from '../helpers/data';
import { writeTree } from '../helpers/e2e-transfer';
import { launchWebKit, pickFiles, run, type WebKitInstance, waitFor } from '../helpers/webkit';

const MiB = 1024 * 1024;
let webkit: WebKitInstance;
beforeAll(async () => {
  webkit = await launchWebKit();
});
afterAll(async () => {
  await webkit?.close();
});

/** BLAKE3 hex as b3sum prints it, from an independent implementation. */
function b3sum(data: Uint8Array): string {
  const h = nobleBlake3();
  h.update(data);
  return toHex(h.digest());
}

describe('WebKitGTK', () => {
  it('hashes real picked files on the Send screen and shows the link and its QR code', async () => {
    const { client } = webkit;
    const originals: Record<string, Uint8Array> = {
      'two blocks.bin': pseudoRandomBytes(2 * MiB + 1, 41),
      'note.txt': pseudoRandomBytes(700, 42),
      empty: new Uint8Array(0),
    };
    const dir = writeTree('ferry-webkit-send-', originals);
    await client.navigateTo(inject('baseUrl'));
    // This engine lacks these: the app must run without them (and hide what needs them).
    expect(
      await run(
        client,
        `return [typeof RTCPeerConnection, typeof showDirectoryPicker, typeof navigator.storage?.persist];`,
      ),
    ).toEqual(['undefined', 'undefined', 'undefined']);
    await pickFiles(
      client,
      'input[aria-label="Add files"]',
      Object.keys(originals).map((n) => join(dir, n)),
    );
    const code = await waitFor<string>(
      client,
      `return document.querySelector('.share-panel .code')?.textContent ?? '';`,
      60_000,
    );
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    const screen = await run<{
      status: string;
      link: string;
      qrPath: number;
      hashes: Record<string, string>;
    }>(
      client,
      `const hashes = {};
      for (const row of document.querySelectorAll('.file-row'))
        hashes[row.querySelector('.file-name').title] =
          row.querySelector('.file-hash')?.textContent.trim();
      return {
        status: document.querySelector('.status').textContent.trim(),
        link: document.querySelector('a.share-link').href,
        qrPath: document.querySelector('.share-panel svg.qr-code path')?.getAttribute('d').length ?? 0,
        hashes,
      };`,
    );
    expect(screen.status).toBe(`Ready: 3 files, 2.10 MB. Verification code ${code}.`);
    expect(screen.link.startsWith(`${inject('baseUrl')}/#`)).toBe(true);
    expect(screen.qrPath).toBeGreaterThan(100);
    // Each file's BLAKE3, computed in WebKit's workers, equals an independent one.
    for (const [name, data] of Object.entries(originals))
      expect(screen.hashes[name], name).toBe(b3sum(data));
    // The room is open on the server: WebCrypto (HKDF, AES-GCM) and the WebSocket work here.
    expect(
      await waitFor<boolean>(
        client,
        `return document.querySelector('.share-panel').textContent.includes('Link ready. Open it on the other device.');`,
      ),
    ).toBe(true);
    // No navigator.share in this engine: no Share button (Safari has one).
    expect(
      await run(
        client,
        `return [...document.querySelectorAll('.share-panel button')].map((b) => b.textContent.trim());`,
      ),
    ).toEqual(['Copy link', 'Stop sharing']);

    // Opened here, the link says at once why this browser cannot receive, instead of waiting.
    await client.navigateTo(screen.link);
    expect(
      await waitFor<string>(client, `return document.querySelector('.error')?.textContent;`),
    ).toBe(
      'This browser cannot make direct connections (it has no WebRTC, or it is turned off), so it cannot receive files. Open the link in Safari, Chrome, Edge or Firefox.',
    );
  });

  it('runs the service worker: after a reload the page is controlled by it', async () => {
    const { client } = webkit;
    const state = await waitFor<string>(
      client,
      `const r = await navigator.serviceWorker.ready; return r.active?.state === 'activated' && 'activated';`,
    );
    expect(state).toBe('activated');
    await client.refresh();
    expect(
      await waitFor<boolean>(client, `return Boolean(navigator.serviceWorker.controller);`),
    ).toBe(true);
  });
});
