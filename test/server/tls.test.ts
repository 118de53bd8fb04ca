import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { loadTls } from '../../server/tls';

describe('HTTPS for a LAN', () => {
  it('makes a self-signed certificate for this machine once, reuses it, and serves HTTPS with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-cert-'));
    const config = readConfig({}, { staticDir: '/nonexistent' }, ['--https']);
    expect(config.tls).toBe('self-signed');
    const first = await loadTls('self-signed', dir);
    const cert = new X509Certificate(first.cert);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    const again = await loadTls('self-signed', dir);
    expect(again.cert).toBe(first.cert);
    expect(readFileSync(join(dir, 'key.pem'), 'utf8')).toBe(first.key);

    const server = createAppServer(config, first);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    let hsts: string | undefined;
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/healthz', ca: first.cert, servername: 'localhost' },
        (res) => {
          hsts = res.headers['strict-transport-security'];
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    // Except for localhost: HSTS would pin every local development server on any port.
    const localHsts = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/healthz',
          ca: first.cert,
          servername: 'localhost',
          headers: { Host: `localhost:${port}` },
        },
        (res) => {
          res.resume();
          resolve(res.headers['strict-transport-security']);
        },
      );
      req.on('error', reject);
      req.end();
    });
    server.close();
    expect(localHsts).toBeUndefined();
    expect(JSON.parse(body)).toMatchObject({ ok: true });
    // Over TLS the browser is told to stay on HTTPS (plain HTTP never says so: see static-files).
    expect(hsts).toBe('max-age=31536000');
  });

  it('insists on both TLS_CERT and TLS_KEY', () => {
    expect(() => readConfig({ TLS_CERT: '/x.pem' }, { staticDir: '/d' })).toThrow(
      /TLS_CERT and TLS_KEY/,
    );
  });
});
