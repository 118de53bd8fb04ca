import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAppServer } from '../helpers/app-server';
import { launchChromium } from '../helpers/chromium';
import { pseudoRandomBytes } from '../helpers/data';
import { downloadAll, sha256, share, writeTree } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

/**
 * A TCP forwarder in front of the app server, so a test can cut what the
 * browser holds without the server noticing (a phone switching from Wi-Fi
 * to mobile data), or point at a restarted server behind the same address.
 */
class Forwarder {
  private readonly server: Server;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; signaling: boolean }>();
  /** Signaling sockets left open server-side by `cutBrowserSide` that the server has since closed. */
  staleClosed = 0;

  constructor(public upstreamPort: number) {
    this.server = createServer((client) => {
      const upstream = tcpConnect(this.upstreamPort, '127.0.0.1');
      const pair = { client, upstream, signaling: false };
      this.pairs.add(pair);
      client.once('data', (chunk: Buffer) => {
        pair.signaling = chunk.toString('latin1').startsWith('GET /signal');
      });
      client.pipe(upstream);
      upstream.pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Drops every browser-side connection; the server-side ones stay open and silent. */
  cutBrowserSide(): void {
    for (const pair of [...this.pairs]) {
      this.pairs.delete(pair);
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.client.removeAllListeners('close').on('error', () => {});
      pair.upstream.removeAllListeners('close').removeAllListeners('error');
      pair.upstream
        .on('error', () => {})
        .on('close', () => {
          if (pair.signaling) this.staleClosed++;
        });
      pair.upstream.resume(); // read what the server still sends, as a live socket would, so its end shows
      pair.client.destroy();
    }
  }

  close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    return new Promise((r) => this.server.close(() => r()));
  }
}

let browser: Browser;
let app: Awaited<ReturnType<typeof startAppServer>>;
let forwarder: Forwarder;
let appUrl = '';

beforeAll(async () => {
  app = await startAppServer(inject('distDir'));
  forwarder = new Forwarder(Number(new URL(app.url).port));
  appUrl = await forwarder.listen();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await forwarder?.close();
  await app?.stop();
});

const files = { 'notes.txt': pseudoRandomBytes(70_000, 7) };

/** Shares `files` from a fresh sender page through the forwarder and waits until it is in its room. */
async function sharing(): Promise<{ sender: Page; link: string }> {
  const dir = writeTree('ferry-reconnect-', files);
  const shared = await share(browser, appUrl, { files: [join(dir, 'notes.txt')] });
  await expect.poll(() => shared.sender.getByText('Link ready').count()).toBe(1);
  return shared;
}

/** Opens the link in a fresh receiver page, receives, and checks the bytes saved. */
async function receiveAndCheck(sender: Page, link: string): Promise<Page> {
  const receiver = await (await browser.newContext()).newPage();
  await receiver.goto(link);
  try {
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
  } catch (err) {
    // Say what each side showed, so a failure here explains itself.
    const shown = async (page: Page) => (await page.locator('main').innerText()).slice(0, 600);
    throw new Error(
      `${(err as Error).message}\nReceiver showed: ${await shown(receiver)}\nSender showed: ${await shown(sender)}`,
    );
  }
  await expect
    .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 60_000 })
    .toBe('All 1 file received and verified.');
  const saved = await downloadAll(receiver, ['notes.txt']);
  expect(sha256(saved.get('notes.txt')!)).toBe(sha256(files['notes.txt']));
  return receiver;
}

describe('a sender whose signaling connection drops', () => {
  it('gets its room back when the server has not yet noticed its old socket died', async () => {
    const { sender, link } = await sharing();
    forwarder.cutBrowserSide();
    // The tab reconnects and shows its claim token: the server hands it the room and closes
    // the stale socket (before, it refused the tab as a second sender, and sharing died).
    await expect.poll(() => forwarder.staleClosed, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => sender.getByText('Link ready').count()).toBe(1);
    expect(await sender.getByText(/already being shared/).count()).toBe(0);
    const receiver = await receiveAndCheck(sender, link);
    await sender.context().close();
    await receiver.context().close();
  });

  it('gets its room back after the server restarts', async () => {
    const { sender, link } = await sharing();
    await app.stop();
    app = await startAppServer(inject('distDir'));
    forwarder.upstreamPort = Number(new URL(app.url).port);
    await expect.poll(() => sender.getByText('Link ready').count(), { timeout: 20_000 }).toBe(1);
    const receiver = await receiveAndCheck(sender, link);
    await sender.context().close();
    await receiver.context().close();
  });
});
