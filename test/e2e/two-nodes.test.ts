// Two server nodes sharing rooms through one Redis: the sender's page talks
// to one node, the receiver's to the other, and the files move end to end.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAppServer } from '../helpers/app-server';
import { launchChromium } from '../helpers/chromium';
import { pseudoRandomBytes } from '../helpers/data';
import { downloadAll, sha256, share, waitForStatus, writeTree } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';
import { freshPrefix, NO_REDIS_MESSAGE, redisEnv, TEST_REDIS_URL } from '../helpers/redis';

requirePrivateNetwork();
if (!TEST_REDIS_URL) console.warn(NO_REDIS_MESSAGE);

describe.skipIf(!TEST_REDIS_URL)('two server nodes over one Redis', () => {
  let browser: Browser | null = null;
  const nodes: Awaited<ReturnType<typeof startAppServer>>[] = [];
  const relayed: number[] = [0, 0];

  beforeAll(async () => {
    const env = redisEnv(freshPrefix());
    for (const i of [0, 1]) {
      const node = await startAppServer(inject('distDir'), env, () => relayed[i]!++);
      nodes.push(node);
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    for (const node of nodes) await node.stop();
  });

  it('moves files from a sender on one node to a receiver on the other, byte-identical', async () => {
    const originals = {
      'a.bin': pseudoRandomBytes(6 * 1024 * 1024 + 5, 21),
      'b.txt': pseudoRandomBytes(4321, 22),
    };
    const dir = writeTree('ferry-two-nodes-', originals);
    const [nodeA, nodeB] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    // A Redis node serves joins once it registered; /healthz says when.
    for (const node of nodes)
      await expect.poll(async () => (await fetch(`${node.url}/healthz`)).status).toBe(200);
    const { sender, link } = await share(browser!, nodeA.url, {
      files: [join(dir, 'a.bin'), join(dir, 'b.txt')],
    });
    // The same link, opened on the other node's address: its relay is that node.
    expect(link.startsWith(`${nodeA.url}/`)).toBe(true);
    const receiver = await (await browser!.newContext()).newPage();
    await receiver.goto(nodeB.url + link.slice(nodeA.url.length));
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 30_000 });
    await waitForStatus(receiver, 'All 2 files received and verified.', 90_000);

    // The handshake crossed nodes: each relayed the sealed messages of its own page.
    expect(relayed[0]).toBeGreaterThan(0);
    expect(relayed[1]).toBeGreaterThan(0);
    const saved = await downloadAll(receiver, ['a.bin', 'b.txt']);
    expect(sha256(saved.get('a.bin')!)).toBe(sha256(originals['a.bin']));
    expect(sha256(saved.get('b.txt')!)).toBe(sha256(originals['b.txt']));
    await sender.context().close();
    await receiver.context().close();
  });
});
