// SPDX-License-Identifier: MIT
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { ClientAddresses, DEFAULT_TRUSTED_PROXIES } from './client-address';
import type { ServerConfig } from './config';
import { CSP_REPORT_PATH, receiveCspReport } from './csp-reports';
import { connectionsCheckingInterval, limitConnections } from './http-limits';
import { log } from './log';
import { bindMetrics, ServerMetrics } from './metrics';
import { responseHeaders } from './security-headers';
import { createStaticHandler } from './static-files';
import type { TlsFiles } from './tls';
import { iceServersNow } from './turn-credentials';

/** Process start, for /healthz uptime. */
const STARTED = Date.now();

/** Extra wiring for `createAppServer`. */
export interface AppServerInit {
  /** Where the server counts (the same object goes to `attachSignaling`); a fresh one unless given. */
  metrics?: ServerMetrics;
  /** Whether signaling can serve joins (false while Redis is unreachable); /healthz answers 503 then. */
  health?: () => { ok: boolean; redis?: string };
}

/** Tells loopback peers (v4, v6, v4-mapped) from others. */
const LOOPBACK = new ClientAddresses({ hops: 1, trusted: DEFAULT_TRUSTED_PROXIES });

/**
 * Who may read /metrics: with METRICS_TOKEN, whoever shows it as a bearer
 * token; without, only a request made on this machine, straight to the
 * server. A request a local reverse proxy forwarded also comes from loopback,
 * so any forwarding header shuts the door: the counters are harmless, but a
 * deployment should choose to publish them.
 */
function metricsAllowed(req: IncomingMessage, token: string | null): boolean {
  if (token !== null) {
    const shown = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const digest = (s: string) => createHash('sha256').update(s).digest();
    return timingSafeEqual(digest(shown), digest(token));
  }
  const forwarded =
    'x-forwarded-for' in req.headers || 'forwarded' in req.headers || 'x-real-ip' in req.headers;
  return !forwarded && LOOPBACK.trusts(req.socket.remoteAddress);
}

/**
 * Builds the HTTP(S) server: `/healthz`, `/config.json` (the ICE servers
 * browsers should use), `/metrics`, then the built app, every response with
 * the security headers and the CSP (and HSTS over TLS), the connection caps
 * and time-outs of `config.http`. Signaling attaches to it separately.
 */
export function createAppServer(
  config: ServerConfig,
  tls: TlsFiles | null = null,
  init: AppServerInit = {},
): Server {
  const metrics = init.metrics ?? new ServerMetrics();
  const headers = responseHeaders(tls !== null);
  const notFound = (res: ServerResponse) => {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
  };
  const serveStatic = createStaticHandler(config.staticDir, notFound);
  // Behind a proxy with TRUST_PROXY unset, every client is the proxy and shares its limits: say so once.
  const proxyLike = new ClientAddresses({ ...config.proxy, hops: 1 });
  let warnedProxy = config.proxy.hops > 0;
  const warnIfProxied = (req: IncomingMessage) => {
    if (warnedProxy || req.headers['x-forwarded-for'] === undefined) return;
    if (!proxyLike.trusts(req.socket.remoteAddress)) return;
    warnedProxy = true;
    log(
      'warn',
      'requests come through a proxy but TRUST_PROXY is not set: every client counts as the proxy and shares its limits',
      {},
    );
  };

  const route = (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    // HSTS is per host name, whatever the port: pinning `localhost` (the self-signed LAN mode
    // answers to it) would send every other local development server to HTTPS for a year.
    if (tls && isLocalhost(req.headers.host)) res.removeHeader('Strict-Transport-Security');
    warnIfProxied(req);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/share-target') {
      // The service worker takes shares; one reaching the server means it is not installed yet.
      req.resume();
      res.writeHead(303, { Location: '/?share-target=unavailable#send' });
      res.end();
      return;
    }
    if (req.method === 'POST' && path === CSP_REPORT_PATH) {
      receiveCspReport(req, res, metrics);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const state = init.health?.() ?? { ok: true };
      const body = JSON.stringify({
        ...state,
        uptimeSeconds: Math.round((Date.now() - STARTED) / 1000),
      });
      res.writeHead(state.ok ? 200 : 503, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      });
      res.end(body);
      return;
    }
    if (path === '/config.json') {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        // A receiver whose ticket names this server as its relay fetches this from the sender's
        // origin, whichever that is. Any origin may read it: it holds only ICE servers and
        // short-lived TURN credentials minted per request, which any client may ask for anyway;
        // no cookies or credentials are involved (no Allow-Credentials).
        'Access-Control-Allow-Origin': '*',
      });
      res.end(
        JSON.stringify({ iceServers: iceServersNow(config.iceServers, config.turn, Date.now()) }),
      );
      return;
    }
    if (path === '/metrics') {
      if (!metricsAllowed(req, config.metricsToken)) {
        res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Metrics are served to this machine, or with METRICS_TOKEN.\n');
        return;
      }
      metrics.render().then(
        (text) => {
          res.writeHead(200, {
            'Content-Type': metrics.registry.contentType,
            'Cache-Control': 'no-store',
          });
          res.end(text);
        },
        (err: unknown) => fail(res, err),
      );
      return;
    }
    serveStatic(req, res);
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    try {
      route(req, res);
    } catch (err) {
      fail(res, err);
    }
  };

  const options = { connectionsCheckingInterval: connectionsCheckingInterval(config.http) };
  const server = tls
    ? (createHttpsServer(
        { ...tls, ...options, handshakeTimeout: config.http.headersTimeoutMs },
        handler,
      ) as unknown as Server)
    : createServer(options, handler);
  limitConnections(server, config.http, new ClientAddresses(config.proxy), metrics);
  bindMetrics(server, metrics);
  return server;
}

/** True for `localhost` and `*.localhost`, with or without a port. */
function isLocalhost(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost');
}

/** A request that failed inside the server: 500 if nothing was sent, else the response is cut. */
function fail(res: ServerResponse, err: unknown): void {
  log('error', 'request failed', { error: String(err) });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Server error\n');
}
