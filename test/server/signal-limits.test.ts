import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { ServerMetrics } from '../../server/metrics';
import { attachSignaling } from '../../server/signal';

const ROOM = 'R'.repeat(43);
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A server whose environment is `env` (TRUST_PROXY, TRUSTED_PROXIES, limits), all read by readConfig. */
async function start(env: Record<string, string>, metrics = new ServerMetrics()) {
  const config = readConfig(env, { staticDir: '/nonexistent' });
  const server = createAppServer(config, null, { metrics });
  // `env` goes to signaling as well, as signal.test.ts passes it (and as the code before read it).
  const signaling = attachSignaling(server, config, { metrics, env });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  stops.push(async () => {
    signaling.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { url: `ws://127.0.0.1:${port}/signal`, http: `http://127.0.0.1:${port}`, metrics };
}

/** Opens a socket with `forwardedFor` and resolves with its close code, or 'open' once joined. */
function connectAs(url: string, forwardedFor: string, join = false) {
  const ws = new WebSocket(url, { headers: { 'x-forwarded-for': forwardedFor } });
  ws.on('error', () => {});
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  const opened = new Promise<void>((r) => ws.once('open', () => r()));
  const joined = new Promise<string>((resolve) =>
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.t === 'joined') resolve(m.id);
    }),
  );
  if (join)
    void opened.then(() => ws.send(JSON.stringify({ t: 'join', room: ROOM, role: 'send' })));
  return { ws, closed, opened, joined };
}

/**
 * Holds `n - 1` sockets from `addresses(i)`, then opens one more (its close code is
 * `refused`) and one from `neighbour`, which must open: the limit binds the one
 * client, not everyone behind the same proxy.
 */
async function limitOf(
  url: string,
  n: number,
  addresses: (i: number) => string,
  neighbour: string,
): Promise<{ refused: number; neighbourOpened: boolean }> {
  const sockets = [];
  for (let i = 0; i < n - 1; i++) {
    const s = connectAs(url, addresses(i));
    await s.opened;
    sockets.push(s);
  }
  const refused = await connectAs(url, addresses(n - 1)).closed;
  // A refused socket opens too (the server refuses after the handshake, with a code): joining tells.
  const other = connectAs(url, neighbour, true);
  const neighbourOpened = await Promise.race([
    other.joined.then(() => true),
    other.closed.then(() => false),
  ]);
  for (const s of [...sockets, other]) s.ws.close();
  return { refused, neighbourOpened };
}

describe('per-client limits that cannot be walked around', () => {
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    // TRUST_PROXY is on, but loopback (the test's address) is not among the trusted proxies.
    const { url } = await start({
      TRUST_PROXY: '1',
      TRUSTED_PROXIES: '192.0.2.1',
      SIGNAL_MAX_CONNECTIONS_PER_IP: '2',
    });
    const { refused } = await limitOf(url, 3, (i) => `10.66.0.${i + 1}`, '10.66.1.1');
    expect(refused).toBe(4429);
  });

  it('takes the right-most hop from a trusted proxy, whatever the client wrote before it', async () => {
    const { url } = await start({ TRUST_PROXY: '1', SIGNAL_MAX_CONNECTIONS_PER_IP: '2' });
    expect(
      await limitOf(url, 3, (i) => `10.66.0.${i + 1}, 198.51.100.7`, '10.66.0.1, 198.51.100.8'),
    ).toEqual({ refused: 4429, neighbourOpened: true });
  });

  it('takes the second hop from the right with TRUST_PROXY=2', async () => {
    const { url } = await start({ TRUST_PROXY: '2', SIGNAL_MAX_CONNECTIONS_PER_IP: '2' });
    expect(
      await limitOf(
        url,
        3,
        (i) => `6.6.6.${i}, 198.51.100.7, 10.0.0.${i}`,
        '6.6.6.0, 198.51.100.8, 10.0.0.0',
      ),
    ).toEqual({ refused: 4429, neighbourOpened: true });
  });

  it('counts an IPv6 client by its /64', async () => {
    const { url } = await start({ TRUST_PROXY: '1', SIGNAL_MAX_CONNECTIONS_PER_IP: '2' });
    expect(
      await limitOf(url, 3, (i) => `2001:db8:5:6::${(i + 1).toString(16)}`, '2001:db8:5:7::1'),
    ).toEqual({ refused: 4429, neighbourOpened: true });
  });
});

describe('/metrics', () => {
  it('counts joins, relays, refusals and open rooms, with no room id, address or payload', async () => {
    const { url, http } = await start({ TRUST_PROXY: '1' });
    const sender = connectAs(url, '203.0.113.50', true);
    await sender.joined;
    const receiver = connectAs(url, '203.0.113.51');
    await receiver.opened;
    receiver.ws.send(JSON.stringify({ t: 'join', room: ROOM, role: 'recv' }));
    await receiver.joined;
    const relayed = new Promise<void>((r) =>
      sender.ws.on('message', (d) => JSON.parse(d.toString()).t === 'relay' && r()),
    );
    receiver.ws.send(JSON.stringify({ t: 'relay', data: 'U0VBTEVEUEFZTE9BRA' }));
    await relayed;
    const bad = connectAs(url, '203.0.113.52');
    await bad.opened;
    bad.ws.send('{not json');
    expect(await bad.closed).toBe(4400);

    const response = await fetch(`${http}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^ferry_signal_joins_total\{role="send"\} 1$/m);
    expect(text).toMatch(/^ferry_signal_joins_total\{role="recv"\} 1$/m);
    expect(text).toMatch(/^ferry_signal_relayed_messages_total 1$/m);
    expect(text).toMatch(/^ferry_signal_refusals_total\{code="4400"\} 1$/m);
    expect(text).toMatch(/^ferry_signal_rooms_open 1$/m);
    expect(text).toMatch(/^ferry_signal_sockets_open 2$/m);
    expect(text).toMatch(/^ferry_room_bus_up 1$/m);
    for (const secret of [ROOM, ROOM.slice(0, 8), '203.0.113', '127.0.0.1', 'U0VBTEVE'])
      expect(text).not.toContain(secret);
    sender.ws.close();
    receiver.ws.close();
    await sender.closed;
    await receiver.closed;
    await expect
      .poll(
        async () =>
          (await (await fetch(`${http}/metrics`)).text()).match(
            /^ferry_signal_rooms_open \d+$/m,
          )?.[0],
      )
      .toBe('ferry_signal_rooms_open 0');
  });

  it('counts refused HTTP connections', async () => {
    const { url, http, metrics } = await start({ HTTP_MAX_CONNECTIONS_PER_IP: '1' });
    const held = connectAs(url, '203.0.113.60');
    await held.opened;
    await expect(fetch(`${http}/healthz`)).rejects.toThrow();
    // Read in-process: /metrics itself would be a second connection from this address.
    expect(await metrics.render()).toMatch(
      /^ferry_http_connections_refused_total\{reason="per_ip"\} 1$/m,
    );
    held.ws.close();
  });

  it('answers only direct loopback requests, or a METRICS_TOKEN bearer', async () => {
    const open = await start({});
    expect((await fetch(`${open.http}/metrics`)).status).toBe(200);
    // Through a reverse proxy on the same machine the peer is loopback too: the header gives it away.
    const proxied = await fetch(`${open.http}/metrics`, {
      headers: { 'X-Forwarded-For': '198.51.100.7' },
    });
    expect(proxied.status).toBe(403);
    const locked = await start({ METRICS_TOKEN: 's3cret-token' });
    expect((await fetch(`${locked.http}/metrics`)).status).toBe(403);
    const wrong = { headers: { Authorization: 'Bearer nope' } };
    expect((await fetch(`${locked.http}/metrics`, wrong)).status).toBe(403);
    const right = { headers: { Authorization: 'Bearer s3cret-token' } };
    expect((await fetch(`${locked.http}/metrics`, right)).status).toBe(200);
  });

  it('gives each server its own registry', async () => {
    const a = await start({});
    const b = await start({});
    expect(a.metrics.registry).not.toBe(b.metrics.registry);
    a.metrics.relayed();
    expect(await b.metrics.render()).toMatch(/^ferry_signal_relayed_messages_total 0$/m);
  });
});
