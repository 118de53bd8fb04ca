// SPDX-License-Identifier: MIT
import { randomBytes } from 'node:crypto';
import { DEFAULT_TRUSTED_PROXIES, type ProxySettings, trustedProxyList } from './client-address';
import { DEFAULT_MAX_KEYS } from './rate-limit';
import type { TurnRest } from './turn-credentials';

/** Limits of the rendezvous server, each from an environment variable. */
export interface SignalLimits {
  /** Largest WebSocket message, bytes (SIGNAL_MAX_MESSAGE_BYTES, 65536). */
  maxMessageBytes: number;
  /** Rooms at once (SIGNAL_MAX_ROOMS, 10000). */
  maxRooms: number;
  /** Receivers in one room (SIGNAL_MAX_RECEIVERS, 16). */
  maxReceiversPerRoom: number;
  /** Open connections from one IP (SIGNAL_MAX_CONNECTIONS_PER_IP, 32). */
  maxConnectionsPerIp: number;
  /** New connections per second from one IP (SIGNAL_CONNECTIONS_PER_SECOND, 10; burst 4× that). */
  connectionsPerSecondPerIp: number;
  /** Messages per second from one IP (SIGNAL_MESSAGES_PER_SECOND, 50; burst 4× that). */
  messagesPerSecondPerIp: number;
  /** A connection that sends nothing this long is closed, ms (SIGNAL_IDLE_MS, 30 min). */
  idleMs: number;
  /** A connection must join a room this soon, ms (SIGNAL_JOIN_TIMEOUT_MS, 10 s). */
  joinTimeoutMs: number;
  /** A receiver waits this long for a sender before it is told there is none, ms (SIGNAL_NO_SENDER_MS, 20 s). */
  noSenderMs: number;
  /** A room closes this long after it opened, ms (SIGNAL_ROOM_LIFETIME_MS, 24 h). */
  roomLifetimeMs: number;
  /** Ping interval; a socket that misses one pong is dropped, ms (SIGNAL_HEARTBEAT_MS, 30 s). */
  heartbeatMs: number;
  /** Clients each rate limiter remembers at most; the least recently seen is forgotten (RATE_LIMIT_MAX_KEYS, 100000). */
  rateLimitMaxKeys: number;
}

/** Limits on TCP connections and HTTP requests, against one client taking every file descriptor. */
export interface HttpLimits {
  /** Open connections in total, HTTP and WebSocket (HTTP_MAX_CONNECTIONS, 4096). */
  maxConnections: number;
  /** Open connections from one client address, or /64 (HTTP_MAX_CONNECTIONS_PER_IP, 64). */
  maxConnectionsPerIp: number;
  /** Connections whose first request's headers have not all arrived (HTTP_MAX_PENDING_CONNECTIONS, 512). */
  maxPendingConnections: number;
  /** A request's headers (and a WebSocket upgrade's) must arrive this soon, ms (HTTP_HEADERS_TIMEOUT_MS, 10 s). */
  headersTimeoutMs: number;
  /** A whole request must arrive this soon, ms (HTTP_REQUEST_TIMEOUT_MS, 30 s). */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this, ms (HTTP_KEEP_ALIVE_MS, 5 s). */
  keepAliveMs: number;
}

/** An ICE server entry as RTCPeerConnection takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Server settings, from the environment. */
export interface ServerConfig {
  /** TCP port (PORT, default 8080). */
  port: number;
  /** Interface to bind (HOST, default all: a phone on the LAN must reach it). */
  host: string;
  /** Folder of the built app (STATIC_DIR, default ./dist). */
  staticDir: string;
  /** HTTPS: files (TLS_CERT and TLS_KEY), a generated self-signed pair (HTTPS=self-signed), or none. */
  tls: { certFile: string; keyFile: string } | 'self-signed' | null;
  /** Fixed ICE servers handed to browsers by /config.json (none unless configured). */
  iceServers: IceServer[];
  /** A TURN relay whose credentials are minted per request (TURN_URLS + TURN_SECRET), or null. */
  turn: TurnRest | null;
  limits: SignalLimits;
  http: HttpLimits;
  /** Whose X-Forwarded-For is believed (TRUST_PROXY, TRUSTED_PROXIES). */
  proxy: ProxySettings;
  /** Bearer token that opens /metrics from anywhere (METRICS_TOKEN); without it only direct loopback requests. */
  metricsToken: string | null;
  /** Rooms shared through Redis by several nodes (REDIS_URL), or null: rooms in this process only. */
  redis: RedisSettings | null;
}

/** Scale-out: where the shared rooms live and who this node is. */
export interface RedisSettings {
  /** redis://host:port/db, rediss://…, or a unix socket path starting with / (REDIS_URL). */
  url: string;
  /** Prefix of every key, so several deployments or tests can share one Redis (REDIS_KEY_PREFIX, "ferry:"). */
  keyPrefix: string;
  /** This node's name in Redis (NODE_ID, default random per process: a restarted node is a new node). */
  nodeId: string;
}

function number(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}.`,
    );
  }
  return value;
}

/** A comma-separated setting as a list, blanks dropped. */
function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** TURN with per-client credentials: TURN_URLS + TURN_SECRET, TURN_TTL_S (default 1 day). */
function turnRest(env: NodeJS.ProcessEnv): TurnRest | null {
  if (!env.TURN_SECRET) return null;
  const urls = list(env.TURN_URLS);
  if (urls.length === 0)
    throw new Error('TURN_SECRET needs TURN_URLS (the relay, e.g. turn:turn.example.org:3478).');
  if (env.TURN_USERNAME || env.TURN_CREDENTIAL)
    throw new Error(
      'Set TURN_SECRET (credentials minted per client) or TURN_USERNAME and TURN_CREDENTIAL (one fixed pair), not both.',
    );
  if (!urls.every((u) => /^turns?:/.test(u)))
    throw new Error(
      `TURN_URLS must be turn: or turns: addresses, not ${JSON.stringify(urls.join(','))}.`,
    );
  return {
    urls,
    secret: env.TURN_SECRET,
    ttlSeconds: number(env, 'TURN_TTL_S', 86_400, 60, 7 * 86_400),
  };
}

/**
 * Fixed ICE servers from ICE_SERVERS (JSON, as RTCPeerConnection takes them), or
 * from STUN_URLS / TURN_URLS (comma-separated) with TURN_USERNAME and TURN_CREDENTIAL.
 * TURN_URLS with TURN_SECRET is minted per request instead (see turnRest).
 */
function iceServers(env: NodeJS.ProcessEnv): IceServer[] {
  if (env.ICE_SERVERS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.ICE_SERVERS);
    } catch {
      throw new Error(
        'ICE_SERVERS must be JSON: an array of { "urls": …, "username"?, "credential"? }.',
      );
    }
    if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'object' && s && 'urls' in s)) {
      throw new Error('ICE_SERVERS must be an array of objects with "urls".');
    }
    return parsed as IceServer[];
  }
  const servers: IceServer[] = [];
  const stun = list(env.STUN_URLS);
  if (stun.length) servers.push({ urls: stun });
  const turn = list(env.TURN_URLS);
  if (turn.length && !env.TURN_SECRET) {
    if (!env.TURN_USERNAME || !env.TURN_CREDENTIAL)
      throw new Error('TURN_URLS needs TURN_USERNAME and TURN_CREDENTIAL.');
    servers.push({ urls: turn, username: env.TURN_USERNAME, credential: env.TURN_CREDENTIAL });
  }
  return servers;
}

/**
 * TRUST_PROXY=N (N proxies in front, each appending to X-Forwarded-For; 0 or
 * unset: none) and TRUSTED_PROXIES (their addresses or CIDRs, default loopback).
 */
export function readProxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const trusted = env.TRUSTED_PROXIES ? list(env.TRUSTED_PROXIES) : [...DEFAULT_TRUSTED_PROXIES];
  trustedProxyList(trusted); // throws a sentence naming a bad entry, at start rather than per request
  return { hops: number(env, 'TRUST_PROXY', 0, 0, 10), trusted };
}

/** Reads the config from `env` and command-line `args`; throws a sentence naming the bad setting. */
export function readConfig(
  env: NodeJS.ProcessEnv,
  defaults: { staticDir: string },
  args: readonly string[] = [],
): ServerConfig {
  let tls: ServerConfig['tls'] = null;
  if (env.TLS_CERT || env.TLS_KEY) {
    if (!env.TLS_CERT || !env.TLS_KEY)
      throw new Error('Set both TLS_CERT and TLS_KEY (paths to PEM files), or neither.');
    tls = { certFile: env.TLS_CERT, keyFile: env.TLS_KEY };
  } else if (env.HTTPS === 'self-signed' || args.includes('--https')) {
    tls = 'self-signed';
  }
  return {
    port: number(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    staticDir: env.STATIC_DIR || defaults.staticDir,
    tls,
    iceServers: iceServers(env),
    turn: turnRest(env),
    limits: {
      maxMessageBytes: number(env, 'SIGNAL_MAX_MESSAGE_BYTES', 64 * 1024, 1024),
      maxRooms: number(env, 'SIGNAL_MAX_ROOMS', 10_000, 1),
      maxReceiversPerRoom: number(env, 'SIGNAL_MAX_RECEIVERS', 16, 1),
      maxConnectionsPerIp: number(env, 'SIGNAL_MAX_CONNECTIONS_PER_IP', 32, 1),
      connectionsPerSecondPerIp: number(env, 'SIGNAL_CONNECTIONS_PER_SECOND', 10, 1),
      messagesPerSecondPerIp: number(env, 'SIGNAL_MESSAGES_PER_SECOND', 50, 1),
      idleMs: number(env, 'SIGNAL_IDLE_MS', 30 * 60_000, 1000),
      joinTimeoutMs: number(env, 'SIGNAL_JOIN_TIMEOUT_MS', 10_000, 100),
      noSenderMs: number(env, 'SIGNAL_NO_SENDER_MS', 20_000, 100),
      roomLifetimeMs: number(env, 'SIGNAL_ROOM_LIFETIME_MS', 24 * 3600_000, 1000),
      heartbeatMs: number(env, 'SIGNAL_HEARTBEAT_MS', 30_000, 100),
      rateLimitMaxKeys: number(env, 'RATE_LIMIT_MAX_KEYS', DEFAULT_MAX_KEYS, 100),
    },
    http: {
      maxConnections: number(env, 'HTTP_MAX_CONNECTIONS', 4096, 1),
      maxConnectionsPerIp: number(env, 'HTTP_MAX_CONNECTIONS_PER_IP', 64, 1),
      maxPendingConnections: number(env, 'HTTP_MAX_PENDING_CONNECTIONS', 512, 1),
      headersTimeoutMs: number(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 100),
      requestTimeoutMs: number(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 100),
      keepAliveMs: number(env, 'HTTP_KEEP_ALIVE_MS', 5_000, 100),
    },
    proxy: readProxySettings(env),
    metricsToken: env.METRICS_TOKEN || null,
    redis: redisSettings(env),
  };
}

/** REDIS_URL, REDIS_KEY_PREFIX and NODE_ID, checked; null without REDIS_URL. */
function redisSettings(env: NodeJS.ProcessEnv): RedisSettings | null {
  if (!env.REDIS_URL) return null;
  const keyPrefix = env.REDIS_KEY_PREFIX ?? 'ferry:';
  if (!/^[A-Za-z0-9_.:-]{0,64}$/.test(keyPrefix))
    throw new Error('REDIS_KEY_PREFIX must be up to 64 letters, digits, or _ . : -');
  const nodeId = env.NODE_ID || randomBytes(9).toString('base64url');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(nodeId))
    throw new Error('NODE_ID must be 1 to 64 letters, digits, _ or -.');
  return { url: env.REDIS_URL, keyPrefix, nodeId };
}
