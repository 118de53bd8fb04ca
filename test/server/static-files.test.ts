import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { SECURITY_HEADERS } from '../../server/security-headers';
import { attachSignaling } from '../../server/signal';
import { cacheControl } from '../../server/static-files';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A built-app folder with a secret beside it (outside the root). */
function appDir(): string {
  const parent = mkdtempSync(join(tmpdir(), 'ferry-static-'));
  writeFileSync(join(parent, 'secret.txt'), 'SECRET');
  const root = join(parent, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Ferry</title>');
  writeFileSync(join(root, 'sw.js'), 'self.x = 1;');
  writeFileSync(join(root, 'manifest.webmanifest'), '{}');
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1);');
  writeFileSync(join(root, 'assets', 'zxing-abc.wasm'), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(root, '.env'), 'TOKEN=1');
  return root;
}

async function start(staticDir: string) {
  const config = readConfig({}, { staticDir });
  const server = createAppServer(config);
  const signaling = attachSignaling(server, config);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  stops.push(async () => {
    signaling.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return port;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw GET (the path is sent exactly as given, unlike fetch, which normalizes `..`). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  it('serves the app with its content types, caching and security headers', async () => {
    const port = await start(appDir());
    const index = await get(port, '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Ferry');
    expect(index.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      expect(index.headers[name.toLowerCase()]).toBe(value);
    expect(index.headers['content-security-policy']).toContain("default-src 'none'");
    // HSTS only over TLS (tls.test.ts): over plain HTTP it would mean nothing, or pin a LAN box.
    expect(index.headers['strict-transport-security']).toBeUndefined();

    const js = await get(port, '/assets/index-abc123.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get(port, '/assets/zxing-abc.wasm')).headers['content-type']).toBe(
      'application/wasm',
    );
    expect((await get(port, '/sw.js')).headers['cache-control']).toBe('no-cache');
    expect((await get(port, '/manifest.webmanifest')).headers['content-type']).toBe(
      'application/manifest+json; charset=utf-8',
    );
    // A second visit revalidates: 304, still with the security headers.
    const etag = String((await get(port, '/sw.js')).headers.etag);
    const cached = await get(port, '/sw.js', { 'If-None-Match': etag });
    expect(cached.status).toBe(304);
    expect(cached.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers client-side routes with index.html and anything else missing with 404', async () => {
    const port = await start(appDir());
    const route = await get(port, '/receive', { Accept: 'text/html' });
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>Ferry');
    expect(route.headers['cache-control']).toBe('no-cache');
    expect((await get(port, '/receive')).status).toBe(404);
    const missing = await get(port, '/assets/gone-123.js', { Accept: 'text/html' });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-security-policy']).toBeDefined();
  });

  it('refuses every way out of the root, dotfiles and malformed paths', async () => {
    const port = await start(appDir());
    for (const path of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/../../../../etc/passwd',
      '/%E0%A4%A',
      '/x%00.js',
      '/.env',
      '/assets/%2e%2e/.env',
    ]) {
      const answer = await get(port, path, { Accept: 'text/html' });
      expect(answer.body, path).not.toMatch(/SECRET|TOKEN|root:/);
      expect([200, 400, 404], path).toContain(answer.status);
      if (answer.status === 200) expect(answer.body, path).toContain('<title>Ferry'); // the app, by its route
    }
  });

  // /proc/self/mem is Linux's.
  it.skipIf(process.platform !== 'linux')(
    'survives a file whose read fails (a real EIO), and goes on serving /healthz and the WebSocket',
    async () => {
      const root = appDir();
      // A regular file to stat (size 0) whose first read fails in the kernel with EIO.
      symlinkSync('/proc/self/mem', join(root, 'assets', 'broken-1.js'));
      const port = await start(root);
      const outcome = await get(port, '/assets/broken-1.js').then(
        (a) => `answered ${a.status}`,
        (err: NodeJS.ErrnoException) => `cut ${err.code}`,
      );
      // Headers went out before the read: the response is cut (or, for an empty body, already complete).
      expect(outcome).toMatch(/^(cut |answered (200|500))/);
      expect((await get(port, '/healthz')).status).toBe(200);
      const ws = new WebSocket(`ws://127.0.0.1:${port}/signal`);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      ws.close();
      expect((await get(port, '/')).status).toBe(200);
    },
  );

  it('answers /config.json fresh to any origin, without credentials', async () => {
    const port = await start(appDir());
    const config = await get(port, '/config.json', { Origin: 'https://sender.example' });
    expect(config.status).toBe(200);
    expect(config.headers['cache-control']).toBe('no-store');
    expect(config.headers['access-control-allow-origin']).toBe('*');
    expect(config.headers['access-control-allow-credentials']).toBeUndefined();
    expect(JSON.parse(config.body)).toEqual({ iceServers: [] });
  });

  it('keeps the cache rule: hashed assets forever, the rest revalidated', () => {
    expect(cacheControl('/assets/index-abc123.js')).toContain('immutable');
    expect(cacheControl('/sw.js')).toBe('no-cache');
    expect(cacheControl('/index.html')).toBe('no-cache');
  });
});

describe('server config', () => {
  it('uses defaults and reads PORT and HOST', () => {
    expect(readConfig({}, { staticDir: '/d' })).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      staticDir: '/d',
    });
    expect(readConfig({ PORT: '9000', HOST: '127.0.0.1' }, { staticDir: '/d' })).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
    });
  });
  it('names a bad PORT', () => {
    expect(() => readConfig({ PORT: 'eighty' }, { staticDir: '/d' })).toThrow(/PORT/);
  });
  it('reads the proxy settings and names a bad one', () => {
    expect(readConfig({}, { staticDir: '/d' }).proxy).toEqual({
      hops: 0,
      trusted: ['127.0.0.0/8', '::1/128'],
    });
    expect(
      readConfig({ TRUST_PROXY: '2', TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8' }, { staticDir: '/d' })
        .proxy,
    ).toEqual({ hops: 2, trusted: ['10.0.0.0/8', 'fd00::/8'] });
    expect(() => readConfig({ TRUSTED_PROXIES: 'proxy' }, { staticDir: '/d' })).toThrow(
      /TRUSTED_PROXIES/,
    );
    expect(() => readConfig({ TRUST_PROXY: 'yes' }, { staticDir: '/d' })).toThrow(/TRUST_PROXY/);
  });
});
