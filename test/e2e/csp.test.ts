// The app under the server's Content-Security-Policy: a real transfer between
// two pages with no violation, and a service worker that never keeps /config.json.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { attachSignaling } from '../../server/signal';
import { launchChromium } from '../helpers/chromium';
import { pseudoRandomBytes } from '../helpers/data';
import { downloadAll, sha256, share, waitForStatus, writeTree } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

let baseUrl = '';
let configRequests = 0;
/** Violation reports browsers POSTed to the server's report-uri (pages, workers, service worker). */
const reports: string[] = [];
let reportArrived: (report: string) => void = () => {};
let stop: () => Promise<void>;
let browser: Browser;

beforeAll(async () => {
  const config = readConfig({}, { staticDir: inject('distDir') });
  const server = createAppServer(config);
  const signaling = attachSignaling(server, config);
  server.on('request', (req) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/config.json') configRequests++;
    if (req.method === 'POST' && path === '/csp-report') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        reports.push(body);
        reportArrived(body);
      });
    }
  });
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

/** What a context reports about CSP: violation events on its pages, errors in their consoles and workers'. */
interface CspWatch {
  consoleErrors: string[];
  /** Rejects with the first CSP message or report, so a blocked worker fails the test at once, saying why. */
  violated: Promise<never>;
  violations(page: Page): Promise<string[]>;
}

/** A fresh context that records every CSP violation its pages and their workers report. */
async function watchedContext(): Promise<{ context: BrowserContext; watch: CspWatch }> {
  const context = await browser.newContext();
  const consoleErrors: string[] = [];
  let reject: (err: Error) => void = () => {};
  const violated = new Promise<never>((_, r) => {
    reject = r;
  });
  violated.catch(() => {}); // read by the tests that race it; the others look at consoleErrors
  // Workers' violations reach no page console or event: the server's report-uri hears them all.
  reportArrived = (report) => reject(new Error(`CSP report: ${report}`));
  const note = (text: string) => {
    if (!/Content.Security.Policy|Refused to/i.test(text)) return;
    consoleErrors.push(text);
    reject(new Error(`CSP: ${text}`));
  };
  context.on('console', (m) => note(m.text()));
  context.on('page', (page) => page.on('worker', (w) => w.on('console', (m) => note(m.text()))));
  await context.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(
        `${e.effectiveDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`,
      ),
    );
  });
  return {
    context,
    watch: {
      consoleErrors,
      violated,
      violations: (page) =>
        page.evaluate(
          () => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations,
        ),
    },
  };
}

describe('the app under its Content-Security-Policy', () => {
  it('moves files between two pages with no CSP violation on either', async () => {
    const originals: Record<string, Uint8Array> = {
      // More than one block: hashed in workers with WebAssembly, verified block by block.
      'film.bin': pseudoRandomBytes(3 * 1024 * 1024 + 5, 11),
      'notes.txt': pseudoRandomBytes(2345, 12),
    };
    const dir = writeTree('ferry-csp-', originals);
    const sending = await watchedContext();
    const senderPage = await sending.context.newPage();
    const first = await senderPage.goto(baseUrl);
    expect(first?.headers()['content-security-policy']).toContain("default-src 'none'");
    const { sender, link } = await Promise.race([
      share(
        browser,
        baseUrl,
        { files: [join(dir, 'film.bin'), join(dir, 'notes.txt')] },
        senderPage,
      ),
      sending.watch.violated,
    ]);

    const receiving = await watchedContext();
    const receiver = await receiving.context.newPage();
    await receiver.goto(link);
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    await Promise.race([
      waitForStatus(receiver, 'All 2 files received and verified.', 90_000),
      receiving.watch.violated,
      sending.watch.violated,
    ]);
    const saved = await downloadAll(receiver, ['film.bin', 'notes.txt']);
    for (const [name, data] of Object.entries(originals))
      expect(sha256(saved.get(name)!), name).toBe(sha256(data));

    expect(await sending.watch.violations(sender)).toEqual([]);
    expect(await receiving.watch.violations(receiver)).toEqual([]);
    expect(sending.watch.consoleErrors).toEqual([]);
    expect(receiving.watch.consoleErrors).toEqual([]);
    expect(reports).toEqual([]);
    await sending.context.close();
    await receiving.context.close();
  });

  it('lets the service worker control the page, and never answers /config.json from a cache', async () => {
    const { context, watch } = await watchedContext();
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, {
      timeout: 30_000,
    });
    const before = configRequests;
    const statuses = await page.evaluate(async () => {
      const a = await fetch('/config.json');
      const b = await fetch('/config.json');
      return [a.status, b.status];
    });
    expect(statuses).toEqual([200, 200]);
    expect(configRequests - before).toBe(2); // both reached the server, through the worker
    const kept = await page.evaluate(async () => {
      const found: string[] = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys())
          if (new URL(request.url).pathname === '/config.json') found.push(request.url);
      }
      return found;
    });
    expect(kept).toEqual([]);
    // Offline, the shell still opens from the cache, but /config.json is not there to be had.
    await context.setOffline(true);
    const offline = await page.evaluate(() =>
      fetch('/config.json').then(
        (r) => `answered ${r.status}`,
        () => 'failed',
      ),
    );
    expect(offline).toBe('failed');
    expect(await watch.violations(page)).toEqual([]);
    expect(watch.consoleErrors).toEqual([]);
    expect(reports).toEqual([]);
    await context.close();
  });
});
