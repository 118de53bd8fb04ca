// SPDX-License-Identifier: MIT
// The /signal WebSocket endpoint: wires sockets to a room bus, with limits.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { CLOSE, parseClientMessage } from '../src/core/signaling/messages';
import { RedisBus } from './bus/redis-bus';
import type { BusHealth, Peer, RoomBus } from './bus/room-bus';
import { ClientAddresses, limitKey } from './client-address';
import { readProxySettings, type ServerConfig } from './config';
import { log } from './log';
import { metricsOf, type ServerMetrics } from './metrics';
import { RateLimiter } from './rate-limit';
import { Rooms } from './rooms';

/** Path of the signaling WebSocket. */
export const SIGNAL_PATH = '/signal';

/** A running signaling endpoint. */
export interface Signaling {
  /** Closes every socket (code 1001), stops the timers and lets go of Redis. */
  close(): Promise<void>;
  /** The rooms: in memory, or shared through Redis; `size` counts rooms with a member here. */
  readonly rooms: RoomBus;
  /** Whether this node can serve joins now (false while Redis is unreachable), for /healthz. */
  health(): BusHealth;
  /** Shorthand for `health().ok`. */
  ready(): boolean;
}

/** Extra wiring for `attachSignaling`. */
export interface SignalingInit {
  /** Environment whose TRUST_PROXY and TRUSTED_PROXIES replace the config's (tests). */
  env?: NodeJS.ProcessEnv;
  /** Where to count (the app server's unless given). */
  metrics?: ServerMetrics;
  /** Sees every relayed payload, as relayed (metrics; tests check that nothing readable passes). */
  onRelay?: (data: string) => void;
  /** The rooms to use (tests); default: Redis when config.redis is set, else this process's memory. */
  bus?: RoomBus;
}

/** Attaches the signaling endpoint to `server` (same port as the app, path /signal). */
export function attachSignaling(
  server: Server,
  config: ServerConfig,
  init: SignalingInit = {},
): Signaling {
  const { limits } = config;
  const addresses = new ClientAddresses(init.env ? readProxySettings(init.env) : config.proxy);
  const metrics = init.metrics ?? metricsOf(server);
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  const rooms: RoomBus =
    init.bus ?? (config.redis ? new RedisBus(config.redis, limits) : new Rooms(limits));
  metrics.trackRooms(() => rooms.size);
  metrics.trackBus(() => rooms.health().ok);
  const connectionsPerIp = new Map<string, number>();
  const newConnections = new RateLimiter(
    limits.connectionsPerSecondPerIp,
    limits.connectionsPerSecondPerIp * 4,
    limits.rateLimitMaxKeys,
  );
  const messages = new RateLimiter(
    limits.messagesPerSecondPerIp,
    limits.messagesPerSecondPerIp * 4,
    limits.rateLimitMaxKeys,
  );
  const alive = new WeakMap<WebSocket, boolean>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== SIGNAL_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const client = addresses.clientAddress(
      req.socket.remoteAddress,
      req.headers['x-forwarded-for'],
    );
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, limitKey(client)));
  });

  function onConnection(ws: WebSocket, ip: string): void {
    const open = connectionsPerIp.get(ip) ?? 0;
    // Refuse after the handshake, so the browser gets a code and a reason it can show.
    if (!newConnections.take(ip) || open >= limits.maxConnectionsPerIp) {
      log('warn', 'connection refused: rate', { ip });
      metrics.refused(CLOSE.rateLimited);
      ws.close(CLOSE.rateLimited, 'Too many connections from your network. Try again in a minute.');
      return;
    }
    connectionsPerIp.set(ip, open + 1);
    metrics.socketOpened();
    alive.set(ws, true);
    const peer: Peer = {
      id: randomBytes(9).toString('base64url'),
      role: null,
      room: null,
      send: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      close: (code, reason) => {
        metrics.refused(code);
        ws.close(code, reason);
      },
      drop: (code, reason) => {
        metrics.refused(code);
        // A socket replaced by its own tab is most likely dead: a closing handshake would hold it 30 s.
        ws.close(code, reason);
        ws.terminate();
      },
    };
    let idle = setTimeout(
      () => peer.close(CLOSE.idle, 'Closed after a long time without activity.'),
      limits.joinTimeoutMs,
    );
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => peer.close(CLOSE.idle, 'Closed after a long time without activity.'),
        limits.idleMs,
      );
    };

    let joining = false;
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', (data, isBinary) => {
      if (!messages.take(ip)) {
        peer.close(CLOSE.rateLimited, 'Too many messages: slow down.');
        return;
      }
      if (isBinary) {
        peer.close(CLOSE.badMessage, 'Signaling messages are text.');
        return;
      }
      let message: ReturnType<typeof parseClientMessage>;
      try {
        message = parseClientMessage(data.toString());
      } catch (err) {
        return peer.close(CLOSE.badMessage, (err as Error).message.slice(0, 120));
      }
      touch();
      if (message.t === 'join') {
        if (peer.room || joining) {
          peer.close(CLOSE.badMessage, 'Already in a room.');
          return;
        }
        joining = true;
        // A Redis bus answers later; the bus itself closes the peer when it cannot join.
        void Promise.resolve(rooms.join(peer, message.room, message.role, message.claim)).then(
          () => {
            joining = false;
            if (!peer.room) return;
            metrics.joined(message.role);
            log('info', 'joined', {
              peer: peer.id,
              role: peer.role,
              room: message.room.slice(0, 8),
            });
          },
        );
      } else if (!peer.room) {
        peer.close(CLOSE.badMessage, 'Join a room first.');
      } else {
        const { to, data } = message;
        // Continuations run in the order the relays were made, so one peer's messages stay in order.
        void Promise.resolve(rooms.relay(peer, to, data)).then((relayed) => {
          if (relayed) {
            metrics.relayed();
            init.onRelay?.(data);
          } else
            peer.send({
              t: 'error',
              code: 'no-peer',
              message: 'That device is no longer connected.',
            });
        });
      }
    });
    ws.on('error', (err) => log('warn', 'socket error', { peer: peer.id, error: err.message }));
    ws.on('close', (code) => {
      clearTimeout(idle);
      metrics.socketClosed(code);
      rooms.leave(peer);
      const left = (connectionsPerIp.get(ip) ?? 1) - 1;
      if (left > 0) connectionsPerIp.set(ip, left);
      else connectionsPerIp.delete(ip);
      log('info', 'closed', { peer: peer.id, code });
    });
  }

  // Heartbeats: a socket that did not answer the last ping is dead (a phone that slept, a cut cable).
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  return {
    rooms,
    health: () => rooms.health(),
    ready: () => rooms.health().ok,
    async close() {
      clearInterval(heartbeat);
      for (const ws of wss.clients)
        ws.close(CLOSE.shuttingDown, 'The server is restarting. Ferry reconnects by itself.');
      wss.close();
      await rooms.close();
    },
  };
}
