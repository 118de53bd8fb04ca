import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { attachSignaling } from '../../server/signal';
import { busKinds, freshPrefix, redisEnv, untilReady } from '../helpers/redis';
import { Client, ROOM } from '../helpers/signal-client';

const ROOM2 = 'S'.repeat(43);
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A server on a free port, its rooms in memory or (with `bus` redis) in the run's Redis. */
async function startServerOn(env: Record<string, string> = {}, bus: 'memory' | 'redis' = 'memory') {
  const busEnv = bus === 'redis' ? redisEnv(freshPrefix()) : {};
  const config = readConfig(
    { SIGNAL_NO_SENDER_MS: '30000', ...busEnv, ...env },
    { staticDir: '/nonexistent' },
  );
  const server = createAppServer(config);
  const signaling = attachSignaling(server, config, { env: { TRUST_PROXY: '1' } });
  await untilReady(signaling);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  stops.push(async () => {
    await signaling.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { url: `ws://127.0.0.1:${port}/signal`, http: `http://127.0.0.1:${port}`, signaling };
}

// The same contract for both room buses: this process's memory, and Redis.
describe.each(busKinds())('rendezvous rooms over real sockets (%s bus)', (bus) => {
  const startServer = (env: Record<string, string> = {}) => startServerOn(env, bus);

  it('relays sealed payloads untouched between a sender and its receivers', async () => {
    const { url } = await startServer();
    const sender = await Client.joined(url, 'send');
    const a = await Client.joined(url, 'recv');
    const b = await Client.joined(url, 'recv');
    expect(a.senderPresent).toBe(true);
    expect(await sender.client.next('peer')).toEqual({ t: 'peer', id: a.id });
    expect(await sender.client.next('peer')).toEqual({ t: 'peer', id: b.id });
    a.client.send({ t: 'relay', data: 'c2VhbGVkLWZyb20tYQ' });
    expect(await sender.client.next('relay')).toEqual({
      t: 'relay',
      from: a.id,
      data: 'c2VhbGVkLWZyb20tYQ',
    });
    sender.client.send({ t: 'relay', to: b.id, data: 'Zm9yLWI' });
    expect(await b.client.next('relay')).toEqual({ t: 'relay', from: sender.id, data: 'Zm9yLWI' });
    expect(a.client.inbox.some((m) => m.t === 'relay')).toBe(false);
  });

  it('tells waiting receivers when the sender arrives, and when it leaves', async () => {
    const { url } = await startServer();
    const r = await Client.joined(url, 'recv');
    expect(r.senderPresent).toBe(false);
    const s = await Client.joined(url, 'send');
    await r.client.next('sender');
    expect(await s.client.next('peer')).toEqual({ t: 'peer', id: r.id });
    s.client.ws.close();
    expect(await r.client.next('gone')).toEqual({ t: 'gone', id: s.id });
  });

  it('closes a receiver with a clear reason when no sender comes', async () => {
    const { url } = await startServer({ SIGNAL_NO_SENDER_MS: '200' });
    const r = await Client.joined(url, 'recv');
    expect(await r.client.closed).toEqual({
      code: 4404,
      reason: expect.stringMatching(/No one is sharing/),
    });
  });

  it('refuses a second sender and receivers past the limit', async () => {
    const { url } = await startServer({ SIGNAL_MAX_RECEIVERS: '1' });
    await Client.joined(url, 'send');
    await Client.joined(url, 'recv');
    const second = new Client(url);
    await second.opened();
    second.send({ t: 'join', room: ROOM, role: 'send' });
    expect((await second.closed).code).toBe(4409);
    const extra = new Client(url);
    await extra.opened();
    extra.send({ t: 'join', room: ROOM, role: 'recv' });
    expect((await extra.closed).code).toBe(4430);
  });

  it('gives the room back to a sender that rejoins with its claim token, and to no one else', async () => {
    const { url } = await startServer();
    const claim = 'C'.repeat(43);
    const stale = new Client(url, '10.0.0.1');
    await stale.opened();
    stale.send({ t: 'join', room: ROOM, role: 'send', claim });
    await stale.next('joined');
    const r = await Client.joined(url, 'recv', ROOM, '10.0.0.2');
    await stale.next('peer');

    // The same tab on a new socket (a network switch): the server has not seen the old one die.
    const back = new Client(url, '10.0.0.3');
    await back.opened();
    back.send({ t: 'join', room: ROOM, role: 'send', claim });
    expect(await Promise.race([back.next('joined'), back.closed])).toMatchObject({
      t: 'joined',
      sender: true,
    });
    expect(await back.next('peer')).toEqual({ t: 'peer', id: r.id });
    expect(await stale.closed).toEqual({
      code: 4411,
      reason: expect.stringMatching(/reconnected/),
    });
    await r.client.next('sender'); // told the sender is back
    r.client.send({ t: 'relay', data: 'YWdhaW4' });
    expect(await back.next('relay')).toMatchObject({ from: r.id, data: 'YWdhaW4' });
    expect(r.client.inbox.some((m) => m.t === 'gone')).toBe(false);

    // Another token, or none, while the sender is there: refused as before.
    for (const join of [
      { t: 'join', room: ROOM, role: 'send', claim: 'D'.repeat(43) },
      { t: 'join', room: ROOM, role: 'send' },
    ]) {
      const other = new Client(url, '10.0.0.4');
      await other.opened();
      other.send(join);
      expect((await other.closed).code).toBe(4409);
    }
    // The rightful sender is still in place.
    r.client.send({ t: 'relay', data: 'c3RpbGw' });
    expect(await back.next('relay')).toMatchObject({ data: 'c3RpbGw' });
  });

  it('refuses a malformed claim token, and one shown by a receiver', async () => {
    const { url } = await startServer();
    for (const join of [
      { t: 'join', room: ROOM, role: 'send', claim: 'short' },
      { t: 'join', room: ROOM, role: 'send', claim: 'C'.repeat(44) },
      { t: 'join', room: ROOM, role: 'send', claim: 7 },
      { t: 'join', room: ROOM, role: 'recv', claim: 'C'.repeat(43) },
    ]) {
      const c = new Client(url);
      await c.opened();
      c.send(join);
      expect((await c.closed).code).toBe(4400);
    }
  });

  it('refuses new rooms when the server is full', async () => {
    const { url } = await startServer({ SIGNAL_MAX_ROOMS: '1' });
    await Client.joined(url, 'send');
    const c = new Client(url);
    await c.opened();
    c.send({ t: 'join', room: ROOM2, role: 'send' });
    expect((await c.closed).code).toBe(4503);
  });

  it('expires rooms and closes idle connections', async () => {
    const { url, signaling } = await startServer({
      SIGNAL_ROOM_LIFETIME_MS: '1000',
      SIGNAL_JOIN_TIMEOUT_MS: '150',
    });
    const s = await Client.joined(url, 'send');
    const lurker = new Client(url);
    expect((await lurker.closed).code).toBe(4408);
    expect(await s.client.closed).toEqual({ code: 4410, reason: expect.stringMatching(/expired/) });
    expect(signaling.rooms.size).toBe(0);
  });

  it('keeps a newer room with the same id when a stale member of the old one leaves late', async () => {
    const { url, signaling } = await startServer({ SIGNAL_ROOM_LIFETIME_MS: '1000' });
    const stale = await Client.joined(url, 'send');
    // Hold the stale socket's bytes, so its close reaches the server only after a new room opened.
    const raw = (stale.client.ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();
    await expect.poll(() => signaling.rooms.size, { timeout: 5000 }).toBe(0);
    const fresh = await Client.joined(url, 'send', ROOM, '10.0.0.2');
    expect(fresh.senderPresent).toBe(true);
    raw.resume();
    expect((await stale.client.closed).code).toBe(4410);
    const intruder = new Client(url, '10.0.0.3');
    await intruder.opened();
    intruder.send({ t: 'join', room: ROOM, role: 'send' });
    expect((await intruder.closed).code).toBe(4409);
  });

  it('closes on oversize, binary, malformed and out-of-order messages', async () => {
    const { url } = await startServer({ SIGNAL_MAX_MESSAGE_BYTES: '2048' });
    const cases: [(c: Client) => void, number][] = [
      [(c) => c.send('x'.repeat(4096)), 1009],
      [(c) => c.ws.send(Buffer.from([1, 2, 3])), 4400],
      [(c) => c.send('{not json'), 4400],
      [(c) => c.send({ t: 'join', room: 'short', role: 'send' }), 4400],
      [(c) => c.send({ t: 'relay', data: 'abc' }), 4400],
    ];
    for (const [act, code] of cases) {
      const c = new Client(url);
      await c.opened();
      act(c);
      expect((await c.closed).code).toBe(code);
    }
  });

  it('rate-limits a flooding client without stopping another room', async () => {
    const { url } = await startServer({ SIGNAL_MESSAGES_PER_SECOND: '20' });
    const flooder = await Client.joined(url, 'send', ROOM, '10.9.9.9');
    for (let i = 0; i < 500; i++) flooder.client.send({ t: 'relay', to: 'nobody', data: 'eA' });
    expect((await flooder.client.closed).code).toBe(4429);
    // Meanwhile, and after, a handshake in another room from elsewhere goes through.
    const s = await Client.joined(url, 'send', ROOM2, '10.1.1.1');
    const r = await Client.joined(url, 'recv', ROOM2, '10.1.1.2');
    r.client.send({ t: 'relay', data: 'b2ZmZXI' });
    expect(await s.client.next('relay')).toMatchObject({ data: 'b2ZmZXI' });
  });

  it('limits connections per IP', async () => {
    const { url } = await startServer({ SIGNAL_MAX_CONNECTIONS_PER_IP: '2' });
    const clients = [
      new Client(url, '10.5.5.5'),
      new Client(url, '10.5.5.5'),
      new Client(url, '10.5.5.5'),
    ];
    expect((await clients[2]!.closed).code).toBe(4429);
    for (const c of clients.slice(0, 2)) c.ws.close();
  });

  it('drops sockets that stop answering heartbeats and tells the other side', async () => {
    const { url } = await startServer({ SIGNAL_HEARTBEAT_MS: '100' });
    const s = await Client.joined(url, 'send');
    const dead = new Client(url, '10.0.0.2', { autoPong: false });
    await dead.opened();
    dead.send({ t: 'join', room: ROOM, role: 'recv' });
    const joined = (await dead.next('joined')) as { id: string };
    expect(await s.client.next('gone')).toEqual({ t: 'gone', id: joined.id });
  });

  it('stays up after random garbage, and still serves handshakes and /healthz', async () => {
    const { url, http } = await startServer({
      SIGNAL_MESSAGES_PER_SECOND: '100000',
      SIGNAL_CONNECTIONS_PER_SECOND: '100000',
      SIGNAL_MAX_CONNECTIONS_PER_IP: '100000',
    });
    const inputs = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.json(),
        fc.jsonValue().map((v) => JSON.stringify({ t: 'relay', to: v, data: v })),
      ),
      300,
    );
    // Many connections, each fed garbage until the server closes it.
    for (let i = 0; i < inputs.length; i += 30) {
      const { client } = await Client.joined(
        url,
        'send',
        `${'G'.repeat(40)}${String(i).padStart(3, '0')}`,
        '10.7.7.7',
      );
      for (const input of inputs.slice(i, i + 30))
        if (client.ws.readyState === WebSocket.OPEN) client.send(input);
      client.ws.close();
      await client.closed;
    }
    const s = await Client.joined(url, 'send', ROOM2);
    const r = await Client.joined(url, 'recv', ROOM2, '10.0.0.3');
    r.client.send({ t: 'relay', data: 'b2s' });
    expect(await s.client.next('relay')).toMatchObject({ data: 'b2s' });
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
  });
});

describe('the HTTP side of the signaling server', () => {
  const startServer = (env: Record<string, string> = {}) => startServerOn(env);

  it('hands out ICE servers from the environment on /config.json, none by default', async () => {
    const none = await startServer();
    expect(await (await fetch(`${none.http}/config.json`)).json()).toEqual({ iceServers: [] });
    const some = await startServer({
      STUN_URLS: 'stun:stun.example:3478',
      TURN_URLS: 'turn:turn.example:3478',
      TURN_USERNAME: 'u',
      TURN_CREDENTIAL: 'p',
    });
    expect(await (await fetch(`${some.http}/config.json`)).json()).toEqual({
      iceServers: [
        { urls: ['stun:stun.example:3478'] },
        { urls: ['turn:turn.example:3478'], username: 'u', credential: 'p' },
      ],
    });
  });

  it('answers other WebSocket paths with 404', async () => {
    const { http } = await startServer();
    const c = new Client(`${http.replace('http', 'ws')}/elsewhere`);
    await expect(c.opened()).rejects.toThrow(/404/);
  });
});
