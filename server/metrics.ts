// SPDX-License-Identifier: MIT
// What the server counts, for Prometheus at /metrics. Labels are close codes,
// roles and reasons from small fixed sets: never a room id, an address or a payload.
import type { Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** Why a TCP connection was refused before any request: the total cap, one client's cap, too many half-open. */
export type ConnectionRefusal = 'total' | 'per_ip' | 'pending';

/** Why an HTTP connection was closed on a client error: too slow (slowloris), headers too large, malformed. */
export type ClientErrorKind = 'timeout' | 'header_overflow' | 'bad_request';

/** Options of `ServerMetrics`. */
export interface ServerMetricsInit {
  /** Also export Node's process metrics (open file descriptors, heap, event-loop lag): once per process. */
  processMetrics?: boolean;
}

/**
 * The server's counters, each instance with its own registry (tests start
 * many servers in one process; the global registry would refuse the second).
 * The room bus's health is read when scraped (`trackBus`).
 */
export class ServerMetrics {
  /** The registry /metrics renders. */
  readonly registry = new Registry();
  private readonly sockets: Gauge;
  private readonly closes: Counter<'code'>;
  private readonly joins: Counter<'role'>;
  private readonly relays: Counter;
  private readonly refusals: Counter<'code'>;
  private readonly connectionsRefused: Counter<'reason'>;
  private readonly clientErrors: Counter<'kind'>;
  private readonly cspViolations: Counter<'directive'>;
  private roomCount: () => number = () => 0;
  private busUp: () => boolean = () => true;

  constructor(init: ServerMetricsInit = {}) {
    const registers = [this.registry];
    this.sockets = new Gauge({
      name: 'ferry_signal_sockets_open',
      help: 'Signaling WebSockets open now.',
      registers,
    });
    this.closes = new Counter({
      name: 'ferry_signal_socket_closes_total',
      help: 'Signaling WebSockets closed, by close code (1006: dropped without a close frame).',
      labelNames: ['code'],
      registers,
    });
    this.joins = new Counter({
      name: 'ferry_signal_joins_total',
      help: 'Sockets that joined a room, by role.',
      labelNames: ['role'],
      registers,
    });
    this.relays = new Counter({
      name: 'ferry_signal_relayed_messages_total',
      help: 'Sealed handshake messages relayed between peers.',
      registers,
    });
    this.refusals = new Counter({
      name: 'ferry_signal_refusals_total',
      help: 'Sockets the server closed, by close code (4400 bad message, 4409/4430/4503 room refusals, 4429 rate, 4408/4410 time-outs, 4411 replaced).',
      labelNames: ['code'],
      registers,
    });
    this.connectionsRefused = new Counter({
      name: 'ferry_http_connections_refused_total',
      help: 'TCP connections refused before any request, by reason (total cap, per-client cap, too many half-open).',
      labelNames: ['reason'],
      registers,
    });
    this.clientErrors = new Counter({
      name: 'ferry_http_client_errors_total',
      help: 'HTTP connections closed on a client error, by kind (timeout: headers or request too slow).',
      labelNames: ['kind'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'ferry_room_bus_up',
      help: 'Whether the room bus is reachable (1; always 1 for the in-memory bus).',
      registers,
      collect() {
        this.set(self.busUp() ? 1 : 0);
      },
    });
    this.cspViolations = new Counter({
      name: 'ferry_csp_violations_total',
      help: 'Content-Security-Policy violations browsers reported, by directive.',
      labelNames: ['directive'],
      registers,
    });
    const rooms = this;
    new Gauge({
      name: 'ferry_signal_rooms_open',
      help: 'Rendezvous rooms open now.',
      registers,
      collect() {
        this.set(rooms.roomCount());
      },
    });
    if (init.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** A signaling socket opened. */
  socketOpened(): void {
    this.sockets.inc();
  }

  /** A signaling socket closed with `code`. */
  socketClosed(code: number): void {
    this.sockets.dec();
    this.closes.inc({ code: String(code) });
  }

  /** A socket joined a room as `role`. */
  joined(role: string): void {
    this.joins.inc({ role: role === 'send' ? 'send' : 'recv' });
  }

  /** One message relayed. */
  relayed(): void {
    this.relays.inc();
  }

  /** The server closed a socket with `code` (a refusal, a time-out, a replacement). */
  refused(code: number): void {
    this.refusals.inc({ code: String(code) });
  }

  /** A TCP connection was refused before its first request. */
  connectionRefused(reason: ConnectionRefusal): void {
    this.connectionsRefused.inc({ reason });
  }

  /** A browser reported that the CSP blocked something under `directive` (from a fixed set). */
  cspViolation(directive: string): void {
    this.cspViolations.inc({ directive });
  }

  /** An HTTP connection was closed on a client error of `kind`. */
  clientError(kind: ClientErrorKind): void {
    this.clientErrors.inc({ kind });
  }

  /** Where the open-room gauge reads its value when scraped. */
  trackRooms(count: () => number): void {
    this.roomCount = count;
  }

  /** Where the room-bus gauge reads its health when scraped (a Redis bus: its connection). */
  trackBus(up: () => boolean): void {
    this.busUp = up;
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The metrics of each app server, so signaling attached later counts into the same registry. */
const BY_SERVER = new WeakMap<Server, ServerMetrics>();

/** Makes `metrics` the ones `metricsOf(server)` returns. */
export function bindMetrics(server: Server, metrics: ServerMetrics): void {
  BY_SERVER.set(server, metrics);
}

/** The metrics bound to `server` by `createAppServer` (a fresh, unexported set for any other server). */
export function metricsOf(server: Server): ServerMetrics {
  return BY_SERVER.get(server) ?? new ServerMetrics();
}
