// SPDX-License-Identifier: MIT
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerConfig } from './config';
import { log } from './log';
import { SECURITY_HEADERS, serveStatic } from './static-files';
import type { TlsFiles } from './tls';
import { iceServersNow } from './turn-credentials';

/** Process start, for /healthz uptime. */
const STARTED = Date.now();

/**
 * Builds the HTTP(S) server: `/healthz`, `/config.json` (the ICE servers
 * browsers should use), then the built app. Signaling attaches to it separately.
 */
export function createAppServer(
  config: ServerConfig,
  tls: TlsFiles | null = null,
  /** Whether signaling can serve joins (false while Redis is unreachable); /healthz answers 503 then. */
  health: () => { ok: boolean; redis?: string } = () => ({ ok: true }),
): Server {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/share-target') {
      // The service worker takes shares; one reaching the server means it is not installed yet.
      req.resume();
      res.writeHead(303, { ...SECURITY_HEADERS, Location: '/?share-target=unavailable#send' });
      res.end();
      return;
    }
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
      const state = health();
      const body = JSON.stringify({
        ...state,
        uptimeSeconds: Math.round((Date.now() - STARTED) / 1000),
      });
      res.writeHead(state.ok ? 200 : 503, {
        ...SECURITY_HEADERS,
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      });
      res.end(body);
      return;
    }
    if (path === '/config.json') {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      });
      res.end(
        JSON.stringify({ iceServers: iceServersNow(config.iceServers, config.turn, Date.now()) }),
      );
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
  };
  return tls ? (createHttpsServer(tls, handler) as unknown as Server) : createServer(handler);
}
