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

/** A TCP door in front of the server for the sender's page only: shut, the sender is offline. */
class Door {
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  shut = false;

  constructor(private readonly upstreamPort: number) {
    this.server = createServer((client) => {
      if (this.shut) return void client.destroy();
      const upstream = tcpConnect(this.upstreamPort, '127.0.0.1');
      this.open.add(client).add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.open.delete(client);
        this.open.delete(upstream);
      };
      for (const s of [client, upstream]) s.on('error', drop).on('close', drop);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Cuts every connection through it (the server sees them close) and refuses new ones. */
  shutAndCut(): void {
    this.shut = true;
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  close(): Promise<void> {
    this.shutAndCut();
    return new Promise((r) => this.server.close(() => r()));
  }
}

let browser: Browser;
let app: Awaited<ReturnType<typeof startAppServer>>;
let door: Door;
let senderUrl = '';

beforeAll(async () => {
  // A receiver waiting for an absent sender is told so after 1 s (20 s by default).
  app = await startAppServer(inject('distDir'), { SIGNAL_NO_SENDER_MS: '1000' });
  door = new Door(Number(new URL(app.url).port));
  senderUrl = await door.listen();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await door?.close();
  await app?.stop();
});

const SENDER_GONE =
  "The sender's page closed or lost its connection. Ferry will continue when it comes back.";

/** A sender page sharing `data` as backup.img from `url`; its peer connections are kept for the test to end. */
async function sharing(url: string, data: Uint8Array): Promise<{ sender: Page; link: string }> {
  const dir = writeTree('ferry-background-', { 'backup.img': data });
  // Instrumentation only: the sender page's peer connections, so the test can end them
  // as a phone that loses its network does.
  const context = await browser.newContext();
  await context.addInitScript(() => {
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
  return share(browser, url, { files: [join(dir, 'backup.img')] }, await context.newPage());
}

/** Ends every peer connection of the sender page. */
const cutStreams = (sender: Page) =>
  sender.evaluate(() => {
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) pc.close();
  });

/**
 * A receiver page on the server itself (not through the door) that the test
 * can hide and show as a phone's browser does when it is put away (the page
 * keeps running), and that counts its joins of the room (one signaling
 * socket each). It has clicked Receive and has some of the file.
 */
async function receiving(link: string) {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const Original = window.WebSocket;
    const w = window as unknown as { __joins: number };
    w.__joins = 0;
    window.WebSocket = class extends Original {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        if (String(url).includes('/signal')) w.__joins++;
      }
    } as typeof WebSocket;
    let hidden = false;
    Object.defineProperty(document, 'visibilityState', {
      get: () => (hidden ? 'hidden' : 'visible'),
    });
    Object.defineProperty(document, 'hidden', { get: () => hidden });
    (window as unknown as { __setHidden: (h: boolean) => void }).__setHidden = (value) => {
      hidden = value;
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
  const receiver = await context.newPage();
  await receiver.goto(`${app.url}/${new URL(link).hash}`);
  await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
  const total = receiver.getByRole('progressbar', { name: 'Received in total' });
  await expect
    .poll(async () => Number(await total.getAttribute('aria-valuenow')), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(5);
  return {
    receiver,
    setHidden: (hidden: boolean) =>
      receiver.evaluate(
        (h) => (window as unknown as { __setHidden: (h: boolean) => void }).__setHidden(h),
        hidden,
      ),
    joins: () => receiver.evaluate(() => (window as unknown as { __joins: number }).__joins),
    status: () => receiver.locator('.transfer-status').textContent(),
  };
}

/** Waits for the whole file on `receiver` and checks its bytes. */
async function finishes(receiver: Page, data: Uint8Array): Promise<void> {
  await expect
    .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 60_000 })
    .toBe('All 1 file received and verified.');
  const saved = await downloadAll(receiver, ['backup.img']);
  expect(sha256(saved.get('backup.img')!)).toBe(sha256(data));
}

describe('a receiver whose page was in the background', () => {
  it('says in words that its sender went away, and finishes by itself once shown again and the sender is back', async () => {
    const data = pseudoRandomBytes(40 * 1024 * 1024, 21);
    // The sender goes through the door; the receiver reaches the server directly.
    const { sender, link } = await sharing(senderUrl, data);
    const { receiver, setHidden, joins, status } = await receiving(link);

    // The receiver is put away; then the sender loses its network: signaling and every stream.
    await setHidden(true);
    door.shutAndCut();
    await cutStreams(sender);
    await expect.poll(status, { timeout: 30_000 }).toBe(SENDER_GONE);
    // It keeps looking (the server closes each look after 1 s with "no sender") and keeps saying why.
    const joinsThen = await joins();
    await expect.poll(joins, { timeout: 30_000 }).toBeGreaterThanOrEqual(joinsThen + 2);
    expect(await status()).toBe(SENDER_GONE);

    // The sender's network is back (it rejoins its room), and the receiver is shown again.
    door.shut = false;
    await expect.poll(() => sender.getByText('Link ready').count(), { timeout: 30_000 }).toBe(1);
    await setHidden(false);
    await finishes(receiver, data);
    await sender.context().close();
    await receiver.context().close();
  });

  it('resumes by itself when shown again, after its own network failed it while hidden', async () => {
    const data = pseudoRandomBytes(40 * 1024 * 1024, 22);
    const { sender, link } = await sharing(app.url, data);
    const { receiver, setHidden, status } = await receiving(link);

    // Put away, and its network turns bad: every stream drops and no new connection finds a
    // path (relay-only on a server with no relay), so after its reconnects it stops.
    await setHidden(true);
    await receiver.evaluate(() => {
      (globalThis as { __ferryFaults?: unknown }).__ferryFaults = { relayOnly: true };
    });
    await cutStreams(sender);
    await expect
      .poll(status, { timeout: 60_000 })
      .toBe('Stopped. Everything received so far is kept.');
    expect(await receiver.getByText('No network path was found').count()).toBe(1);

    // The network is fine again and the page is shown: no click needed.
    await receiver.evaluate(() => {
      (globalThis as { __ferryFaults?: unknown }).__ferryFaults = {};
    });
    await setHidden(false);
    await finishes(receiver, data);
    await sender.context().close();
    await receiver.context().close();
  });

  it('still says paused, with Resume, after the connection dropped and came back during a pause', async () => {
    const data = pseudoRandomBytes(40 * 1024 * 1024, 23);
    const { sender, link } = await sharing(app.url, data);
    const { receiver, status } = await receiving(link);
    await receiver.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(status).toBe('Paused. Everything received so far is kept.');
    await cutStreams(sender);
    // It reconnects by itself (the sender is there), and stays paused until the person resumes.
    await expect.poll(() => sender.getByText('Receiver 2:').count(), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(status, { timeout: 30_000 })
      .toBe('Paused. Everything received so far is kept.');
    await receiver.getByRole('button', { name: 'Resume' }).click();
    await finishes(receiver, data);
    await sender.context().close();
    await receiver.context().close();
  });
});
