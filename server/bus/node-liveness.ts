// SPDX-License-Identifier: MIT
// Which nodes are alive. Each node keeps a heartbeat key with a TTL and
// refreshes it; each looks for nodes whose key expired and removes them in
// one script (their members' partners hear "gone"). A node that finds its own
// key gone knows its rooms are gone (Redis restarted empty, or the others
// reaped it while it was stuck) and says so to its members.
import type { Redis } from 'ioredis';
import type { RedisSettings } from '../config';
import { log } from '../log';
import { streamIdAfter } from './inbox-reader';
import { runScript } from './redis-scripts';

/** A node's heartbeat lives this long, ms: a node silent this long is presumed dead. */
export const NODE_TTL_MS = 10_000;
/** How often a node refreshes its heartbeat, ms (three chances before its TTL runs out). */
export const NODE_BEAT_MS = 3_000;
/** How often a node looks for dead ones, ms: a death is noticed within TTL + this (12 s < 15 s). */
export const REAP_MS = 2_000;
/** Node ids read from Redis must look like the ones config.ts accepts. */
const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Stream ids as Redis makes them. */
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** What liveness tells the bus, and asks of it. */
export interface LivenessHooks {
  /** The id of the last inbox entry the node read. */
  inboxPosition(): string;
  /** Redis no longer knows this node's members: close them so they rejoin. */
  onRoomsLost(): void;
  /** Inbox entries were deleted before the node read them: messages were lost. */
  onInboxLost(): void;
}

/** This node's heartbeat and its watch over the others. */
export class NodeLiveness {
  /** True while this node's heartbeat key is in place (it may serve joins). */
  registered = false;
  private readonly beat: ReturnType<typeof setInterval>;
  private readonly reaper: ReturnType<typeof setInterval>;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly settings: RedisSettings,
    private readonly hooks: LivenessHooks,
  ) {
    this.redis.on('ready', () => void this.heartbeat());
    this.beat = setInterval(() => void this.heartbeat(), NODE_BEAT_MS);
    this.beat.unref();
    this.reaper = setInterval(() => void this.reapDeadNodes(), REAP_MS);
    this.reaper.unref();
  }

  /** Stops the timers (the bus removes this node's keys itself). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.beat);
    clearInterval(this.reaper);
  }

  /** Refreshes the heartbeat; if it was gone, this node's rooms went with it: say so, start afresh. */
  private async heartbeat(): Promise<void> {
    if (this.stopped || this.redis.status !== 'ready') return;
    const nodeId = this.settings.nodeId;
    try {
      const alive = await runScript(this.redis, 'HEARTBEAT')(this.key('node', nodeId), NODE_TTL_MS);
      if (alive === 1 && this.registered) {
        if (await this.inboxLostEntries()) {
          log('warn', 'inbox entries lost unread; closing members so they rejoin');
          this.hooks.onInboxLost();
        }
        return;
      }
      if (this.registered) {
        log('warn', 'rooms lost from redis; closing members so they rejoin');
        this.registered = false;
        this.hooks.onRoomsLost();
      }
      await this.redis
        .multi()
        .set(this.key('node', nodeId), '1', 'PX', NODE_TTL_MS)
        .sadd(this.key('nodes'), nodeId)
        .exec();
      this.registered = true;
    } catch (err) {
      log('warn', 'heartbeat failed', { error: (err as Error).message });
    }
  }

  /**
   * True when entries of this node's inbox were deleted before it read them
   * (the stream's length cap hit while this node was stuck).
   */
  private async inboxLostEntries(): Promise<boolean> {
    const info = await this.redis
      .call('XINFO', 'STREAM', this.key('inbox', this.settings.nodeId))
      .catch(() => null); // no stream yet: nothing lost
    if (!Array.isArray(info)) return false;
    const at = info.indexOf('max-deleted-entry-id');
    const maxDeleted = info[at + 1];
    if (at === -1 || typeof maxDeleted !== 'string' || !STREAM_ID.test(maxDeleted)) return false;
    return streamIdAfter(maxDeleted, this.hooks.inboxPosition());
  }

  /** Removes nodes whose heartbeat expired; their members' partners hear "gone". */
  private async reapDeadNodes(): Promise<void> {
    if (this.stopped || this.redis.status !== 'ready') return;
    try {
      const nodes = await this.redis.srandmember(this.key('nodes'), 1000);
      for (const node of nodes) {
        if (node === this.settings.nodeId || !NODE_ID.test(node)) continue;
        const removed = await runScript(this.redis, 'REAP')(
          this.key('node', node),
          this.key('peers', node),
          this.key('inbox', node),
          this.key('nodes'),
          this.settings.keyPrefix,
          node,
        );
        if (typeof removed === 'number' && removed >= 0)
          log('warn', 'dead node removed', { node, members: removed });
      }
    } catch (err) {
      log('warn', 'reaping failed', { error: (err as Error).message });
    }
  }

  private key(kind: string, id?: string): string {
    const { keyPrefix } = this.settings;
    return id === undefined ? `${keyPrefix}${kind}` : `${keyPrefix}${kind}:${id}`;
  }
}
