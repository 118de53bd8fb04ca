// SPDX-License-Identifier: MIT
// Limits on connections, for HTTP and the WebSocket upgrade alike: counted at
// the TCP `connection` event, before a byte of HTTP is parsed.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ClientAddresses, limitKey } from './client-address';
import type { HttpLimits } from './config';
import { log } from './log';
import type { ClientErrorKind, ServerMetrics } from './metrics';

/**
 * How often Node looks for connections past their header or request time-out,
 * ms: a quarter of the header time-out (so it is kept within 25%), at most
 * once a second (the check walks every open connection).
 */
export function connectionsCheckingInterval(limits: HttpLimits): number {
  return Math.max(25, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)));
}

/** Answers for client errors Node reports: a time-out, headers too large, anything else malformed. */
const CLIENT_ERRORS: Record<string, [ClientErrorKind, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: ['timeout', '408 Request Timeout'],
  HPE_HEADER_OVERFLOW: ['header_overflow', '431 Request Header Fields Too Large'],
};

/**
 * Caps `server`'s connections: in total, per client (an IPv4 address or an
 * IPv6 /64; a trusted proxy's connections count only in the total, their
 * clients are limited by address at the WebSocket), and half-open ones (no
 * complete request yet), which with the header time-out bounds what slowloris
 * clients hold. Adds the server-level `clientError` and `error` handlers, so
 * a malformed request or a failed accept is logged, never fatal.
 */
export function limitConnections(
  server: Server,
  limits: HttpLimits,
  addresses: ClientAddresses,
  metrics: ServerMetrics,
): void {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveMs;

  const perClient = new Map<string, number>();
  /** Connections (peer address and port) that have not sent a whole request's headers yet. */
  const pending = new Set<string>();
  const socketId = (s: { remoteAddress?: string; remotePort?: number }) =>
    `${s.remoteAddress}|${s.remotePort}`;

  // Node closes connections past maxConnections itself, before `connection`.
  server.on('drop', () => metrics.connectionRefused('total'));
  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress;
    if (!peer) {
      socket.destroy(); // already gone
      return;
    }
    const key = addresses.trusts(peer) ? null : limitKey(peer);
    const open = key === null ? 0 : (perClient.get(key) ?? 0);
    if (open >= limits.maxConnectionsPerIp || pending.size >= limits.maxPendingConnections) {
      metrics.connectionRefused(open >= limits.maxConnectionsPerIp ? 'per_ip' : 'pending');
      socket.destroy();
      return;
    }
    if (key !== null) perClient.set(key, open + 1);
    const id = socketId(socket);
    pending.add(id);
    socket.once('close', () => {
      pending.delete(id);
      if (key === null) return;
      const left = (perClient.get(key) ?? 1) - 1;
      if (left > 0) perClient.set(key, left);
      else perClient.delete(key);
    });
  });
  // Over TLS these are the TLS sockets, not the TCP ones; both share the peer's address and port.
  server.on('request', (req) => pending.delete(socketId(req.socket)));
  server.on('upgrade', (req, socket: Duplex) => {
    pending.delete(socketId(req.socket));
    // This listener alone makes Node hand upgrades over; with no WebSocket endpoint, nothing would answer.
    if (server.listenerCount('upgrade') === 1)
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const [kind, status] = CLIENT_ERRORS[err.code ?? ''] ?? ['bad_request', '400 Bad Request'];
    if (err.code !== 'ECONNRESET') metrics.clientError(kind);
    if (socket.writable && err.code !== 'ECONNRESET')
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    // Before listening (EADDRINUSE) it stays fatal unless the caller listens for it; afterwards
    // an accept that failed (EMFILE) must not take the rendezvous down.
    if (!server.listening) {
      if (server.listenerCount('error') === 1) throw err;
      return;
    }
    log('error', 'server error', { code: err.code, error: err.message });
  });
}
