// SPDX-License-Identifier: MIT
import { createServer, type Server } from 'node:http';
import type { ServerConfig } from './config';
import { log } from './log';
import { SECURITY_HEADERS, serveStatic } from './static-files';

/** Process start, for /healthz uptime. */
const STARTED = Date.now();

/** Builds the HTTP server: `/healthz`, then the built app. */
export function createAppServer(config: ServerConfig): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, {
        ...SECURITY_HEADERS,
        Allow: 'GET, HEAD',
        'Content-Type': 'text/plain; charset=utf-8',
      });
      res.end('Method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const body = JSON.stringify({
        ok: true,
        uptimeSeconds: Math.round((Date.now() - STARTED) / 1000),
      });
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      });
      res.end(body);
      return;
    }
    serveStatic(config.staticDir, req, res)
      .then((served) => {
        if (served) return;
        res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Not found\n');
      })
      .catch((err: unknown) => {
        log('error', 'static file failed', { path, error: String(err) });
        if (!res.headersSent) res.writeHead(500, SECURITY_HEADERS);
        res.end();
      });
  });
}
