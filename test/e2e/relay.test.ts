import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { turnCredential } from '../../server/turn-credentials';
import { startAppServer } from '../helpers/app-server';
import { launchChromium } from '../helpers/chromium';
import { type Coturn, startCoturn } from '../helpers/coturn';
import { pseudoRandomBytes } from '../helpers/data';
import { downloadAll, sha256, share, writeTree } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

type AppServer = Awaited<ReturnType<typeof startAppServer>>;

let coturn: Coturn;
let browser: Browser;
/** Mints credentials with coturn's secret, as a correctly deployed server does. */
let good: AppServer;
/** Mints credentials with a secret coturn does not know. */
let wrongSecret: AppServer;
/** Hands out a credential that expired an hour ago (the server's clock and coturn's disagree, or a stale config). */
let expired: AppServer;
/** Offers no relay at all. */
let noRelay: AppServer;

beforeAll(async () => {
  coturn = await startCoturn();
  const distDir = inject('distDir');
  const turnUrls = coturn.urls.join(',');
  good = await startAppServer(distDir, { TURN_URLS: turnUrls, TURN_SECRET: coturn.secret });
  wrongSecret = await startAppServer(distDir, {
    TURN_URLS: turnUrls,
    TURN_SECRET: `${coturn.secret}-not`,
  });
  const stale = turnCredential(
    { urls: coturn.urls, secret: coturn.secret, ttlSeconds: 60 },
    Date.now() - 3600_000,
  );
  expired = await startAppServer(distDir, { ICE_SERVERS: JSON.stringify([stale]) });
  noRelay = await startAppServer(distDir);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([good?.stop(), wrongSecret?.stop(), expired?.stop(), noRelay?.stop()]);
  await coturn?.stop();
});

const files = {
  'report.pdf': pseudoRandomBytes(3 * 1024 * 1024 + 11, 31),
  'notes.txt': pseudoRandomBytes(40_000, 32),
};
const dir = writeTree('ferry-relay-', files);
const paths = Object.keys(files).map((name) => join(dir, name));

/** A fresh browser context; `relayOnly` makes its connections use relayed candidates only (a test-build hook). */
async function context(relayOnly: boolean): Promise<BrowserContext> {
  const ctx = await browser.newContext();
  if (relayOnly)
    await ctx.addInitScript(() => {
      (globalThis as { __ferryFaults?: unknown }).__ferryFaults = { relayOnly: true };
    });
  return ctx;
}

/** Shares the files from a sender through `server` and opens the link in a receiver. */
async function connectPair(server: AppServer, relayOnly: boolean) {
  const { sender, link } = await share(
    browser,
    server.url,
    { files: paths },
    await (await context(relayOnly)).newPage(),
  );
  const receiver = await (await context(relayOnly)).newPage();
  await receiver.goto(link);
  return { sender, receiver };
}

/** Receives everything on `receiver` and checks the saved bytes against the originals. */
async function receiveAndCheck(receiver: Page): Promise<void> {
  await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
  await expect
    .poll(() => receiver.locator('.transfer-status').textContent(), { timeout: 60_000 })
    .toBe('All 2 files received and verified.');
  const saved = await downloadAll(receiver, Object.keys(files));
  for (const [name, data] of Object.entries(files))
    expect(sha256(saved.get(name)!)).toBe(sha256(data));
}

const closeAll = (...pages: Page[]) => Promise.all(pages.map((p) => p.context().close()));

describe('through a real TURN relay (coturn, TURN REST credentials)', () => {
  it('moves files when only relayed paths are allowed, and both screens say "relayed"', async () => {
    const { sender, receiver } = await connectPair(good, true);
    await expect
      .poll(() => receiver.locator('.ticket-card p', { hasText: 'Round trip' }).textContent(), {
        timeout: 30_000,
      })
      .toMatch(/^Relayed through the TURN server\. Round trip: \d+ ms\.$/);
    await expect
      .poll(() => sender.locator('.receivers .path').textContent(), { timeout: 30_000 })
      .toMatch(/^Relayed through the TURN server/);
    await receiveAndCheck(receiver);
    // coturn itself handed out the relays, to the credentials the server minted.
    expect(coturn.log()).toMatch(/user <\d+:ferry>.*ALLOCATE processed, success/);
    await closeAll(sender, receiver);
  });

  it('goes direct when it can, with the relay offered, and both screens say "direct"', async () => {
    const { sender, receiver } = await connectPair(good, false);
    await expect
      .poll(() => receiver.locator('.ticket-card p', { hasText: 'Round trip' }).textContent(), {
        timeout: 30_000,
      })
      .toMatch(/^Direct connection\. Round trip: \d+ ms\.$/);
    await expect
      .poll(() => sender.locator('.receivers .path').textContent(), { timeout: 30_000 })
      .toMatch(/^Direct connection/);
    await receiveAndCheck(receiver);
    await closeAll(sender, receiver);
  });

  for (const [what, server] of [
    ['a wrong TURN secret', () => wrongSecret],
    ['an expired TURN credential', () => expired],
  ] as const) {
    it(`says on both screens, in a sentence, that the relay refused ${what}`, async () => {
      const { sender, receiver } = await connectPair(server(), true);
      const sentence = /relay \(TURN server\) refused this device's credentials.*Reload the page/;
      await expect
        .poll(() => receiver.locator('.ticket-card [role="status"]').textContent(), {
          timeout: 30_000,
        })
        .toMatch(sentence);
      await expect
        .poll(() => sender.getByRole('list', { name: 'Receivers' }).innerText(), {
          timeout: 30_000,
        })
        .toMatch(/could not connect[\s\S]*refused this device's credentials/);
      await closeAll(sender, receiver);
    });
  }

  it('says, when there is no direct path and the server offers no relay, that one is needed', async () => {
    // Relay-only with no relay: as two devices on networks that allow no direct connection.
    const { sender, receiver } = await connectPair(noRelay, true);
    const sentence = /No network path was found.*this Ferry server offers no relay \(TURN\)/;
    await expect
      .poll(() => receiver.locator('.ticket-card [role="status"]').textContent(), {
        timeout: 30_000,
      })
      .toMatch(sentence);
    await expect
      .poll(() => sender.getByRole('list', { name: 'Receivers' }).innerText(), { timeout: 30_000 })
      .toMatch(/could not connect[\s\S]*offers no relay \(TURN\)/);
    await closeAll(sender, receiver);
  });
});
