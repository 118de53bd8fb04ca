// SPDX-License-Identifier: MIT
// Rooms shared by several nodes through Redis. Room state lives in Redis and
// changes only in atomic Lua scripts (redis-scripts.ts); every message for a
// peer, even one on this node, goes through its node's inbox stream, so what
// one peer sends arrives in order. This node keeps only its own sockets and
// their timers. Everything read from Redis is checked as if a peer sent it.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  CLOSE,
  parseServerMessage,
  type Role,
  type ServerMessage,
} from '../../src/core/signaling/messages';
import type { RedisSettings, SignalLimits } from '../config';
import { log } from '../log';
import { CLOSE_REASONS } from '../rooms';
import { InboxReader } from './inbox-reader';
import { NodeLiveness } from './node-liveness';
import { defineScripts, runScript } from './redis-scripts';
import type { BusHealth, Peer, RoomBus } from './room-bus';

/** Redis commands waiting at once, past which relays are refused instead of queued (bounds memory while Redis is away). */
const MAX_PENDING_COMMANDS = 20_000;
/** Messages held for a peer whose join has not been answered yet. */
const MAX_HELD_PER_PEER = 256;
/** Said to peers when this node finds its rooms gone from Redis; 1001 makes browsers rejoin. */
const STATE_LOST_REASON = 'The Ferry server lost track of this room. Ferry reconnects by itself.';

/** Message kinds an inbox may carry; `joined` and `error` come only from this node. */
const INBOX_KINDS = new Set<ServerMessage['t']>(['peer', 'sender', 'gone', 'relay']);

/** A peer on this node, with what the node keeps for it. */
interface Local {
  readonly peer: Peer;
  readonly roomId: string;
  /** Messages that arrived before the join's answer; null once joined. */
  held: ServerMessage[] | null;
  /** The socket closed while its join was under way: leave as soon as it is in. */
  leaveWhenJoined: boolean;
  noSender?: ReturnType<typeof setTimeout>;
}

/** Rooms through Redis, for several nodes behind one address. */
export class RedisBus implements RoomBus {
  private readonly redis: Redis;
  private readonly inbox: InboxReader;
  private readonly locals = new Map<string, Local>();
  /** Room id → this node's members there and the room's expiry timer. */
  private readonly localRooms = new Map<
    string,
    { members: Set<string>; expires: ReturnType<typeof setTimeout> }
  >();
  private readonly liveness: NodeLiveness;
  private pending = 0;
  private closed = false;

  constructor(
    private readonly settings: RedisSettings,
    private readonly limits: SignalLimits,
  ) {
    const options = {
      maxRetriesPerRequest: null,
      retryStrategy: (n: number) => Math.min(50 * n, 1000),
    };
    this.redis = new Redis(settings.url, options);
    this.redis.on('error', (err: Error) => log('warn', 'redis error', { error: err.message }));
    defineScripts(this.redis);
    this.inbox = new InboxReader(settings.url, this.key('inbox', settings.nodeId), (to, fields) =>
      this.deliver(to, fields),
    );
    this.liveness = new NodeLiveness(this.redis, settings, {
      inboxPosition: () => this.inbox.position,
      onRoomsLost: () => this.forgetEveryone(),
      onInboxLost: () => {
        // Their rooms are intact: each member leaves the usual way as its socket closes.
        for (const local of this.locals.values())
          local.peer.close(CLOSE.shuttingDown, STATE_LOST_REASON);
      },
    });
  }

  get size(): number {
    return this.localRooms.size;
  }

  /** Ready while Redis answers and this node's heartbeat is in place. */
  health(): BusHealth {
    const up = this.redis.status === 'ready' && this.liveness.registered;
    return { ok: up, redis: up ? 'ready' : 'unreachable' };
  }

  async join(peer: Peer, roomId: string, role: Role, claim?: string): Promise<void> {
    if (!this.health().ok) {
      peer.close(CLOSE.serverFull, CLOSE_REASONS.serverFull);
      return;
    }
    const local: Local = { peer, roomId, held: [], leaveWhenJoined: false };
    this.locals.set(peer.id, local);
    const claimHash = claim === undefined ? '' : createHash('sha256').update(claim).digest('hex');
    let answer: unknown;
    try {
      answer = await runScript(this.redis, 'JOIN')(
        this.key('room', roomId),
        this.key('recv', roomId),
        this.key('rooms'),
        this.key('peers', this.settings.nodeId),
        this.settings.keyPrefix,
        roomId,
        peer.id,
        role,
        claimHash,
        this.settings.nodeId,
        this.limits.roomLifetimeMs,
        this.limits.maxRooms,
        this.limits.maxReceiversPerRoom,
      );
    } catch (err) {
      log('warn', 'join failed', { error: (err as Error).message });
      answer = ['server-full'];
    }
    const [outcome, msLeft, senderPresent, ...receivers] = Array.isArray(answer) ? answer : [];
    if (this.locals.get(peer.id) !== local) {
      // Dropped or forgotten while joining (replaced, or Redis lost its data): already closed.
      if (outcome === 'ok') this.track(this.leaveScript(roomId, peer.id, role)).catch(() => {});
      return;
    }
    if (outcome !== 'ok') {
      this.locals.delete(peer.id);
      const refusal = REFUSALS[String(outcome)] ?? REFUSALS['server-full']!;
      peer.close(refusal.code, refusal.reason);
      return;
    }
    peer.role = role;
    peer.room = { id: roomId };
    this.enterLocalRoom(roomId, peer.id, Number(msLeft));
    peer.send({ t: 'joined', id: peer.id, sender: role === 'send' || senderPresent === 1 });
    for (const id of receivers) if (typeof id === 'string') peer.send({ t: 'peer', id });
    if (role === 'recv' && senderPresent !== 1) this.waitForSender(local);
    const held = local.held ?? [];
    local.held = null;
    for (const message of held) this.toLocal(local, message);
    if (local.leaveWhenJoined) this.leave(peer);
  }

  relay(peer: Peer, to: string | null, data: string): boolean | Promise<boolean> {
    const local = this.locals.get(peer.id);
    if (!local || local.held || !peer.room || !peer.role) return false;
    // Queued while Redis is briefly away, so nothing is lost; refused past a bound, and said so.
    if (this.pending >= MAX_PENDING_COMMANDS) return false;
    const { id } = peer.room;
    return this.track(
      runScript(this.redis, 'RELAY')(
        this.key('room', id),
        this.key('recv', id),
        this.settings.keyPrefix,
        peer.id,
        peer.role,
        to ?? '',
        data,
      ),
    ).then(
      (n) => n === 1,
      () => false,
    );
  }

  leave(peer: Peer): void {
    if (this.closed) return;
    const local = this.locals.get(peer.id);
    if (!local || local.peer !== peer) return;
    if (local.held) {
      local.leaveWhenJoined = true;
      return;
    }
    this.locals.delete(peer.id);
    clearTimeout(local.noSender);
    this.leaveLocalRoom(local.roomId, peer.id);
    const role = peer.role;
    const wasIn = peer.room !== null;
    peer.room = null;
    if (!wasIn || !role) return; // replaced by its own tab: the join that replaced it cleaned up
    this.track(this.leaveScript(local.roomId, peer.id, role)).catch((err: Error) =>
      log('warn', 'leave failed', { error: err.message }),
    );
  }

  private leaveScript(roomId: string, peerId: string, role: Role): Promise<unknown> {
    const peers = this.key('peers', this.settings.nodeId);
    return runScript(this.redis, 'LEAVE')(peers, this.settings.keyPrefix, roomId, peerId, role);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Members leave now, before this node's keys go: their sockets' close events come too late.
    for (const local of [...this.locals.values()]) {
      local.leaveWhenJoined = true;
      if (!local.held) this.leave(local.peer);
    }
    this.closed = true;
    this.liveness.stop();
    for (const room of this.localRooms.values()) clearTimeout(room.expires);
    for (const local of this.locals.values()) clearTimeout(local.noSender);
    await this.inbox.close();
    if (this.redis.status === 'ready') {
      // Members' leaves were sent first (on this connection, in order); then this node goes.
      const nodeId = this.settings.nodeId;
      await this.redis
        .del(this.key('node', nodeId), this.key('peers', nodeId), this.key('inbox', nodeId))
        .catch(() => {});
      await this.redis.srem(this.key('nodes'), nodeId).catch(() => {});
      await this.redis.quit().catch(() => {});
    }
    this.redis.disconnect();
  }

  /** An inbox entry for peer `to` on this node: delivered, or dropped if it is not here or malformed. */
  private deliver(to: string, fields: Map<string, string>): void {
    const local = this.locals.get(to);
    if (!local) return; // left meanwhile
    if (fields.has('drop')) {
      // Its own tab took the room over on another socket: this one is stale.
      this.locals.delete(to);
      clearTimeout(local.noSender);
      this.leaveLocalRoom(local.roomId, to);
      local.peer.room = null;
      local.peer.drop(CLOSE.replaced, CLOSE_REASONS.replaced);
      return;
    }
    let message: ServerMessage;
    try {
      message = parseServerMessage(fields.get('m') ?? '');
      // Only what another member's action causes travels between nodes.
      if (!INBOX_KINDS.has(message.t)) throw new Error(message.t);
    } catch {
      log('warn', 'malformed inbox entry dropped', { to });
      return;
    }
    if (local.held) {
      if (local.held.length < MAX_HELD_PER_PEER) local.held.push(message);
      return;
    }
    this.toLocal(local, message);
  }

  /** Sends to a joined local peer, keeping its wait-for-sender timer right. */
  private toLocal(local: Local, message: ServerMessage): void {
    if (local.peer.role === 'recv') {
      if (message.t === 'sender') {
        clearTimeout(local.noSender);
        local.noSender = undefined;
      } else if (message.t === 'gone') this.waitForSender(local);
    }
    local.peer.send(message);
  }

  private waitForSender(local: Local): void {
    clearTimeout(local.noSender);
    local.noSender = setTimeout(
      () => local.peer.close(CLOSE.noSender, CLOSE_REASONS.noSender),
      this.limits.noSenderMs,
    );
  }

  private enterLocalRoom(roomId: string, peerId: string, msLeft: number): void {
    let room = this.localRooms.get(roomId);
    if (!room) {
      const expires = setTimeout(() => this.expireLocalRoom(roomId), Math.max(0, msLeft));
      room = { members: new Set(), expires };
      this.localRooms.set(roomId, room);
    }
    room.members.add(peerId);
  }

  private leaveLocalRoom(roomId: string, peerId: string): void {
    const room = this.localRooms.get(roomId);
    if (!room) return;
    room.members.delete(peerId);
    if (room.members.size > 0) return;
    clearTimeout(room.expires);
    this.localRooms.delete(roomId);
  }

  /** The room's lifetime is over (Redis drops its keys by TTL): close this node's members. */
  private expireLocalRoom(roomId: string): void {
    const room = this.localRooms.get(roomId);
    this.localRooms.delete(roomId);
    for (const id of room?.members ?? []) {
      const local = this.locals.get(id);
      if (!local) continue;
      this.locals.delete(id);
      clearTimeout(local.noSender);
      local.peer.room = null;
      local.peer.close(CLOSE.roomExpired, CLOSE_REASONS.roomExpired);
    }
  }

  /** Redis no longer knows this node's members (it restarted empty, or others reaped this node). */
  private forgetEveryone(): void {
    log('warn', 'rooms lost from redis; closing members so they rejoin', {
      members: this.locals.size,
    });
    const locals = [...this.locals.values()];
    this.locals.clear();
    for (const room of this.localRooms.values()) clearTimeout(room.expires);
    this.localRooms.clear();
    this.inbox.restart();
    for (const local of locals) {
      clearTimeout(local.noSender);
      local.peer.room = null;
      local.peer.close(CLOSE.shuttingDown, STATE_LOST_REASON);
    }
  }

  /** Counts a command as pending until it settles (the bound on what waits while Redis is away). */
  private track<T>(command: Promise<T>): Promise<T> {
    this.pending++;
    return command.finally(() => this.pending--);
  }

  private key(kind: string, id?: string): string {
    return id === undefined
      ? `${this.settings.keyPrefix}${kind}`
      : `${this.settings.keyPrefix}${kind}:${id}`;
  }
}

/** The join script's refusals, as close codes and sentences. */
const REFUSALS: Record<string, { code: number; reason: string }> = {
  'server-full': { code: CLOSE.serverFull, reason: CLOSE_REASONS.serverFull },
  'sender-exists': { code: CLOSE.senderExists, reason: CLOSE_REASONS.senderExists },
  'room-full': { code: CLOSE.roomFull, reason: CLOSE_REASONS.roomFull },
};
