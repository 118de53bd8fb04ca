// Several nodes over one Redis: what only the Redis room bus can do (the
// single-node contract runs on both buses in signal.test.ts).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis } from '../../scripts/redis.mjs';
import { startServerProcess } from '../../scripts/server-process.mjs';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { attachSignaling } from '../../server/signal';
import type { ServerMessage } from '../../src/core/signaling/messages';
import {
  freshPrefix,
  NO_REDIS_MESSAGE,
  redisEnv,
  TEST_REDIS_URL,
  untilReady,
} from '../helpers/redis';
import { Client, ROOM } from '../helpers/signal-client';

if (!TEST_REDIS_URL) console.warn(NO_REDIS_MESSAGE);

const CLAIM = 'C'.repeat(43);
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** An in-process node: app server plus signaling on `env` (a Redis bus when REDIS_URL is set). */
async function startNode(env: Record<string, string>) {
  const config = readConfig(
    { SIGNAL_NO_SENDER_MS: '30000', ...env },
    { staticDir: '/nonexistent' },
  );
  let signaling: ReturnType<typeof attachSignaling> | null = null;
  const server = createAppServer(config, null, { health: () => signaling!.health() });
  signaling = attachSignaling(server, config, { env: { TRUST_PROXY: '1' } });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  stops.push(async () => {
    await signaling.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  await untilReady(signaling);
  return { url: `ws://127.0.0.1:${port}/signal`, http: `http://127.0.0.1:${port}`, signaling };
}

/** Two nodes sharing rooms through the run's Redis under a fresh prefix. */
async function twoNodes(env: Record<string, string> = {}) {
  const shared = { ...redisEnv(freshPrefix()), ...env };
  return [await startNode(shared), await startNode(shared)] as const;
}

/** A sender joined with the claim token (as the app's sender tab does). */
async function claimedSender(url: string, ip = '10.0.0.1') {
  const c = new Client(url, ip);
  await c.opened();
  c.send({ t: 'join', room: ROOM, role: 'send', claim: CLAIM });
  const joined = (await c.next('joined')) as Extract<ServerMessage, { t: 'joined' }>;
  return { client: c, id: joined.id };
}

describe.skipIf(!TEST_REDIS_URL)(
  'rooms shared by two nodes over Redis',
  { timeout: 30_000 },
  () => {
    it('relays both ways between a sender on one node and a receiver on the other, in order', async () => {
      const [a, b] = await twoNodes();
      const s = await Client.joined(a.url, 'send');
      const r = await Client.joined(b.url, 'recv', ROOM, '10.0.0.2');
      expect(r.senderPresent).toBe(true);
      expect(await s.client.next('peer')).toEqual({ t: 'peer', id: r.id });
      // 150: within the per-IP burst of 200 messages (join included), which would close the socket.
      const sent = Array.from({ length: 150 }, (_, i) => `bXNn${i}`);
      for (const data of sent) r.client.send({ t: 'relay', data });
      for (const data of sent)
        expect(await s.client.next('relay')).toEqual({ t: 'relay', from: r.id, data });
      s.client.send({ t: 'relay', to: r.id, data: 'YmFjaw' });
      expect(await r.client.next('relay')).toEqual({ t: 'relay', from: s.id, data: 'YmFjaw' });
      r.client.ws.close();
      expect(await s.client.next('gone')).toEqual({ t: 'gone', id: r.id });
    });

    it('keeps every limit of a room across nodes: one sender, the receiver cap, the room count', async () => {
      const [a, b] = await twoNodes({ SIGNAL_MAX_RECEIVERS: '1', SIGNAL_MAX_ROOMS: '1' });
      await Client.joined(a.url, 'send');
      await Client.joined(a.url, 'recv', ROOM, '10.0.0.2');
      for (const [join, code] of [
        [{ t: 'join', room: ROOM, role: 'send' }, 4409],
        [{ t: 'join', room: ROOM, role: 'recv' }, 4430],
        [{ t: 'join', room: 'S'.repeat(43), role: 'send' }, 4503],
      ] as const) {
        const c = new Client(b.url, '10.0.0.3');
        await c.opened();
        c.send(join);
        expect((await c.closed).code).toBe(code);
      }
    });

    it('gives the room back to its sender through the other node, closing the stale socket', async () => {
      const [a, b] = await twoNodes();
      const stale = await claimedSender(a.url);
      const r = await Client.joined(b.url, 'recv', ROOM, '10.0.0.2');
      await stale.client.next('peer');
      const back = await claimedSender(b.url, '10.0.0.3');
      expect(await back.client.next('peer')).toEqual({ t: 'peer', id: r.id });
      expect((await stale.client.closed).code).toBe(4411);
      await r.client.next('sender');
      r.client.send({ t: 'relay', data: 'YWdhaW4' });
      expect(await back.client.next('relay')).toMatchObject({ from: r.id, data: 'YWdhaW4' });
      expect(r.client.inbox.some((m) => m.t === 'gone')).toBe(false);
    });

    it('treats its inbox as untrusted: malformed entries are dropped, the node goes on', async () => {
      const prefix = freshPrefix();
      const node = await startNode({ ...redisEnv(prefix), NODE_ID: 'inbox-check' });
      const r = await Client.joined(node.url, 'recv');
      const { Redis } = await import('ioredis');
      const admin = new Redis(TEST_REDIS_URL!);
      const inbox = `${prefix}inbox:inbox-check`;
      const relay = (data: unknown) => JSON.stringify({ t: 'relay', from: 'someone', data });
      for (const fields of [
        ['to', r.id], // no message
        ['to', '../etc', 'm', relay('eA')], // not a peer id
        ['to', r.id, 'm', '{not json'],
        ['to', r.id, 'm', relay('has spaces')], // not base64url
        ['to', r.id, 'm', relay('x'.repeat(70_000))], // past every bound
        ['to', r.id, 'm', JSON.stringify({ t: 'joined', id: r.id, sender: 'yes' })],
        ['to', r.id, 'm', JSON.stringify({ t: 'joined', id: r.id, sender: true })], // not from afar
        ['to', r.id, 'm', JSON.stringify({ t: 'error', code: 'x', message: 'forged' })],
        ['to', r.id, 'x', '1', 'y', '2', 'z', '3', 'w', '4', 'm', relay('eA')], // too many fields
      ])
        await admin.xadd(inbox, '*', ...fields);
      await admin.xadd(inbox, '*', 'to', r.id, 'm', relay('b2s'));
      expect(await r.client.next('relay')).toEqual({ t: 'relay', from: 'someone', data: 'b2s' });
      expect(r.client.inbox).toEqual([]);
      admin.disconnect();
    });

    it('says so when its inbox lost entries it had not read (the length cap hit)', async () => {
      const prefix = freshPrefix();
      const node = await startNode({ ...redisEnv(prefix), NODE_ID: 'stuck-node' });
      const s = await Client.joined(node.url, 'send');
      const { Redis } = await import('ioredis');
      const admin = new Redis(TEST_REDIS_URL!);
      // As if Redis had trimmed entries far ahead of what the node read.
      const inbox = `${prefix}inbox:stuck-node`;
      await admin.xadd(inbox, '*', 'to', 'nobody', 'm', '{}');
      await admin.call('XSETID', inbox, '99999999999999-0', 'MAXDELETEDID', '99999999999998-0');
      expect(await s.client.closed).toEqual({
        code: 1001,
        reason: expect.stringMatching(/reconnects/),
      });
      admin.disconnect();
    });

    it('loses no relayed message when every Redis connection drops for a moment', async () => {
      const [a, b] = await twoNodes();
      const s = await Client.joined(a.url, 'send');
      const r = await Client.joined(b.url, 'recv', ROOM, '10.0.0.2');
      await s.client.next('peer');
      const { Redis } = await import('ioredis');
      const admin = new Redis(TEST_REDIS_URL!);
      const sent = Array.from({ length: 100 }, (_, i) => `bG9zcw${i}`);
      for (const [i, data] of sent.entries()) {
        r.client.send({ t: 'relay', data });
        if (i === 50) await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      }
      const got: string[] = [];
      while (got.length < sent.length) {
        const m = (await s.client.next('relay')) as { data: string };
        if (!got.includes(m.data)) got.push(m.data); // a command in flight at the cut may be resent
      }
      expect(got).toEqual(sent);
      admin.disconnect();
    });
  },
);

describe.skipIf(!TEST_REDIS_URL)('a node that dies', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  it('is noticed by the other within 15 s: the partners hear "gone" and the sender rejoins elsewhere', async () => {
    const env = redisEnv(freshPrefix());
    const doomed = await startServerProcess({ ...env, TRUST_PROXY: '1' });
    child = doomed.process;
    await expect.poll(async () => (await fetch(`${doomed.url}/healthz`)).status).toBe(200);
    const survivor = await startNode(env);
    const doomedUrl = `${doomed.url.replace('http', 'ws')}/signal`;
    // The doomed node holds the sender of one room and a receiver of another.
    const s = await claimedSender(doomedUrl);
    const r = await Client.joined(survivor.url, 'recv', ROOM, '10.0.0.2');
    await s.client.next('peer');
    const other = await Client.joined(survivor.url, 'send', 'T'.repeat(43), '10.0.0.3');
    const lost = await Client.joined(doomedUrl, 'recv', 'T'.repeat(43), '10.0.0.4');
    await other.client.next('peer');

    const killedAt = Date.now();
    child.kill('SIGKILL');
    const [goneSender, goneReceiver] = await Promise.all([
      r.client.next('gone'),
      other.client.next('gone'),
    ]);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(goneSender).toEqual({ t: 'gone', id: s.id });
    expect(goneReceiver).toEqual({ t: 'gone', id: lost.id });

    // The sender's tab comes back through the surviving node with its claim token.
    const back = await claimedSender(survivor.url, '10.0.0.5');
    expect(await back.client.next('peer')).toEqual({ t: 'peer', id: r.id });
    await r.client.next('sender');
  }, 30_000);
});

describe.skipIf(!TEST_REDIS_URL)('Redis restarted under a live room', () => {
  it('says so to the peers (or loses nothing), says not-ready meanwhile, and the peers recover', async () => {
    // A redis-server of this test's own: the run's shared one must not restart.
    const dir = mkdtempSync(join(tmpdir(), 'ferry-redis-restart-'));
    const socket = join(dir, 'redis.sock');
    let redis = await startRedis(socket);
    stops.push(async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const env = { REDIS_URL: socket, REDIS_KEY_PREFIX: 'restart:' };
    const a = await startNode(env);
    const b = await startNode(env);
    const s = await claimedSender(a.url);
    const r = await Client.joined(b.url, 'recv', ROOM, '10.0.0.2');
    await s.client.next('peer');

    const exited = new Promise((done) => redis.process.once('exit', done));
    redis.process.kill('SIGKILL');
    await exited;
    await expect
      .poll(
        async () => {
          const res = await fetch(`${a.http}/healthz`);
          return [res.status, (await res.json()).redis];
        },
        { timeout: 20_000 },
      )
      .toEqual([503, 'unreachable']);
    r.client.send({ t: 'relay', data: 'ZHVyaW5n' }); // sent while Redis is away
    redis = await startRedis(socket);

    // Either the message arrives, or each side is told: an error, or a close that makes it rejoin.
    const sOutcome = await Promise.race([s.client.next('relay'), s.client.closed]);
    const rOutcome = await Promise.race([r.client.next('error'), r.client.closed]);
    if (!('t' in sOutcome)) expect(sOutcome.code).toBe(1001);
    if (!('t' in rOutcome)) expect(rOutcome.code).toBe(1001);
    else expect(rOutcome).toMatchObject({ code: 'no-peer' });
    // Reconnecting, finding the rooms gone and registering again takes a moment on a busy machine.
    await untilReady(a.signaling, 30_000);
    await untilReady(b.signaling, 30_000);
    expect((await fetch(`${a.http}/healthz`)).status).toBe(200);

    // The peers rejoin as the app does (the sender with its claim) and talk again.
    const s2 = await claimedSender(a.url, '10.0.0.3');
    const r2 = await Client.joined(b.url, 'recv', ROOM, '10.0.0.4');
    await s2.client.next('peer');
    r2.client.send({ t: 'relay', data: 'YWZ0ZXI' });
    expect(await s2.client.next('relay')).toMatchObject({ from: r2.id, data: 'YWZ0ZXI' });
  }, 90_000);
});
