import { request } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { ServerMetrics } from '../../server/metrics';
import { attachSignaling } from '../../server/signal';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function start(env: Record<string, string>) {
  const config = readConfig(env, { staticDir: '/nonexistent' });
  const metrics = new ServerMetrics();
  const server = createAppServer(config, null, { metrics });
  const signaling = attachSignaling(server, config, { env });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(async () => {
    signaling.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { server, metrics, port: (server.address() as AddressInfo).port };
}

/** A raw TCP connection, with what it received and a promise of its close. */
function rawSocket(port: number) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, closed, received: () => received };
}

/** GET /healthz on a kept-alive socket of its own; resolves with the status, rejects if cut. */
function healthz(port: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', headers, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket and completes one request on it, keeping it open: the server counts it. */
async function heldConnection(port: number): Promise<Socket> {
  const { socket, received } = rawSocket(port);
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await expect.poll(() => received()).toContain('"ok":true');
  return socket;
}

describe('connection limits', () => {
  it('closes a connection whose headers trickle in byte by byte (slowloris)', async () => {
    const { port, metrics } = await start({
      HTTP_HEADERS_TIMEOUT_MS: '300',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
    });
    const { socket, closed, received } = rawSocket(port);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    // The attacker: one header byte every 20 ms, forever, until the server hangs up.
    const drip = setInterval(() => socket.writable && socket.write('X'), 20);
    await closed;
    clearInterval(drip);
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
    expect(await healthz(port)).toBe(200);
    expect(await metrics.render()).toMatch(/^ferry_http_client_errors_total\{kind="timeout"\} 1$/m);
  });

  it('closes a connection that never sends a request', async () => {
    const { port } = await start({
      HTTP_HEADERS_TIMEOUT_MS: '300',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
    });
    const { closed } = rawSocket(port);
    await closed;
  });

  it('refuses the connection past the per-client cap, HTTP and WebSocket alike', async () => {
    const { port } = await start({ HTTP_MAX_CONNECTIONS_PER_IP: '3' });
    const held = [
      await heldConnection(port),
      await heldConnection(port),
      await heldConnection(port),
    ];
    await expect(healthz(port)).rejects.toThrow(/socket hang up|ECONNRESET/);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signal`);
    const wsOutcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', (err) => resolve(err.message));
    });
    expect(wsOutcome).not.toBe('open');
    // One closes: there is room again (once the server has seen it go).
    const gone = new Promise((r) => held[0]!.once('close', r));
    held[0]!.destroy();
    await gone;
    await expect.poll(() => healthz(port).catch(() => 0)).toBe(200);
    for (const s of held) s.destroy();
  });

  it('does not cap a trusted proxy per address (TRUST_PROXY=1, peer on loopback)', async () => {
    const { port } = await start({ HTTP_MAX_CONNECTIONS_PER_IP: '2', TRUST_PROXY: '1' });
    const held = [
      await heldConnection(port),
      await heldConnection(port),
      await heldConnection(port),
    ];
    expect(await healthz(port, { 'X-Forwarded-For': '198.51.100.7' })).toBe(200);
    for (const s of held) s.destroy();
  });

  it('refuses connections past the total cap', async () => {
    const { port, metrics } = await start({ HTTP_MAX_CONNECTIONS: '2' });
    const held = [await heldConnection(port), await heldConnection(port)];
    await expect(healthz(port)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(await metrics.render()).toMatch(
      /^ferry_http_connections_refused_total\{reason="total"\} 1$/m,
    );
    for (const s of held) s.destroy();
  });

  it('refuses new connections while too many are half-open', async () => {
    const { server, port } = await start({ HTTP_MAX_PENDING_CONNECTIONS: '2' });
    const a = rawSocket(port);
    const b = rawSocket(port);
    const count = () => new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
    await expect.poll(count).toBe(2);
    const third = rawSocket(port);
    await third.closed;
    expect(third.received()).toBe('');
    // A half-open one that completes its request is answered, and frees a place.
    a.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect.poll(() => a.received()).toContain('"ok":true');
    expect(await healthz(port)).toBe(200);
    a.socket.destroy();
    b.socket.destroy();
  });

  it('answers a malformed request with 400 and stays up', async () => {
    const { port } = await start({});
    const { socket, closed, received } = rawSocket(port);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 400/);
    expect(await healthz(port)).toBe(200);
  });
});
