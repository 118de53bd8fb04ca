import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { attachSignaling } from '../../server/signal';
import { fromBase64Url, toBase64Url } from '../../src/core/bytes';
import { launchChromium } from '../helpers/chromium';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const relayed: string[] = [];
let baseUrl = '';
let stop: () => Promise<void>;
let browser: Browser;

beforeAll(async () => {
  const config = readConfig({ SIGNAL_NO_SENDER_MS: '1500' }, { staticDir: inject('distDir') });
  const server = createAppServer(config);
  const signaling = attachSignaling(server, config, { onRelay: (data) => relayed.push(data) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stop = async () => {
    signaling.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
});

async function startSharing(names: string[]): Promise<{ page: Page; link: string }> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(baseUrl);
  await page.getByLabel('Add files').setInputFiles(
    names.map((name, i) => ({
      name,
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(1000 * (i + 1), i),
    })),
  );
  const link = page.getByRole('link', { name: 'Receive link' });
  await link.waitFor();
  await expect.poll(() => page.getByText('Link ready').count()).toBe(1);
  await page.locator('.share-panel .code').waitFor();
  return { page, link: (await link.getAttribute('href'))! };
}

describe('two browsers connect from a ticket link', () => {
  it('opens six streams through the sealed rendezvous, and the server never sees SDP', async () => {
    relayed.length = 0;
    const { page: sender, link } = await startSharing(['report.pdf', 'photo.jpg']);
    const receiver = await (await browser.newContext()).newPage();
    await receiver.goto(link);
    await expect
      .poll(() => receiver.getByRole('status').textContent(), { timeout: 30_000 })
      .toBe('Connected over 6 streams.');
    // The manifest came over stream 0 and checked out against the link; every stream answered a ping.
    await expect
      .poll(() => receiver.getByRole('list', { name: 'Files offered' }).textContent())
      .toMatch(/photo\.jpg.*report\.pdf/);
    await expect
      .poll(() => receiver.getByText(/Round trip: \d+ ms/).count(), { timeout: 10_000 })
      .toBe(1);
    const senderCode = await sender.locator('.share-panel .code').textContent();
    expect(await receiver.locator('.list-header .code').textContent()).toBe(senderCode);
    // The second line says how it is connected (direct here: one host, no relay).
    await expect
      .poll(() => sender.getByRole('list', { name: 'Receivers' }).innerText())
      .toMatch(/^Receiver 1: connected over 6 streams\nDirect connection · round trip \d+ ms$/);

    // What the server relayed: opaque base64url, never SDP or ICE candidates in clear.
    expect(relayed.length).toBeGreaterThanOrEqual(12);
    // The text is base64url only (so no '=' of an SDP line can appear in it); the bytes it
    // encodes are checked for SDP and ICE words. Short words are not looked for in the
    // base64 text itself: random base64 contains "sdp" now and then.
    for (const payload of relayed) {
      expect(payload).toMatch(/^[A-Za-z0-9_-]+$/);
      const raw = Buffer.from(fromBase64Url(payload)!).toString('latin1');
      for (const needle of [
        'a=fingerprint',
        'candidate:',
        'ice-ufrag',
        '"sdp"',
        '"offer"',
        '"answer"',
      ]) {
        expect(raw).not.toContain(needle);
      }
    }
    // And the sealed bytes do not even look like text: no JSON, no SDP line breaks.
    expect(
      relayed.some((p) => Buffer.from(fromBase64Url(p)!).toString('latin1').includes('\r\na=')),
    ).toBe(false);
    await sender.context().close();
    await receiver.context().close();
  });

  it('tells the receiver plainly when nobody is sharing with a link', async () => {
    const secret = toBase64Url(
      new Uint8Array([1, 0, ...crypto.getRandomValues(new Uint8Array(32))]),
    );
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${baseUrl}/#t=${secret}`);
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 15_000 })
      .toMatch(/No one is sharing with this link/);
    await page.context().close();
  });

  it('refuses an offer that does not match the link it came from', async () => {
    const { page: sender, link } = await startSharing(['a.txt']);
    // Same secret (so the connection works) but a different collection hash in the ticket.
    const [origin, ticket] = link.split('#t=') as [string, string];
    const bytes = fromBase64Url(ticket)!;
    bytes[2 + 32]! ^= 0xff;
    const receiver = await (await browser.newContext()).newPage();
    await receiver.goto(`${origin}#t=${toBase64Url(bytes)}`);
    await expect
      .poll(() => receiver.getByRole('alert').textContent(), { timeout: 30_000 })
      .toMatch(/do not match this link/);
    expect(await receiver.getByRole('list', { name: 'Files offered' }).count()).toBe(0);
    await sender.context().close();
    await receiver.context().close();
  });
});
