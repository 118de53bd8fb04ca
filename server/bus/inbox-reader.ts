// SPDX-License-Identifier: MIT
// Reads one node's inbox stream in order on a connection of its own
// (XREAD BLOCK holds it). The last id read is kept, so after a brief Redis
// disconnect the next read resumes exactly where it was: nothing skipped,
// nothing read twice. Entries are checked before anyone sees them.
import { Redis } from 'ioredis';
import { log } from '../log';

/** Entries taken per read: bounds the memory of one batch. */
const BATCH = 256;
/** How long one XREAD waits for news, ms (also how soon close() is noticed). */
const BLOCK_MS = 2000;
/** Longest field value accepted (a relay message is under 64 KiB). */
const MAX_FIELD_CHARS = 64 * 1024;
/** Entries read between two trims of the stream, at most (or one second). */
const TRIM_EVERY = 512;
/** Stream ids as Redis makes them. */
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
/** Peer ids this server hands out. */
const PEER_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Called with each valid entry: the peer it is for and its other fields. */
export type InboxHandler = (to: string, fields: Map<string, string>) => void;

/** True when stream id `a` comes after `b`. */
export function streamIdAfter(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am > bm || (am === bm && as > bs);
}

/** Reads stream `key` from the start, in order, until closed. */
export class InboxReader {
  private readonly redis: Redis;
  private lastId = '0-0';
  private stopped = false;
  private unTrimmed = 0;
  private trimmedAt = 0;
  private readonly done: Promise<void>;

  constructor(
    url: string,
    private readonly key: string,
    private readonly onEntry: InboxHandler,
  ) {
    this.redis = new Redis(url, {
      maxRetriesPerRequest: null,
      retryStrategy: (n: number) => Math.min(50 * n, 1000),
    });
    this.redis.on('error', () => {}); // the command connection logs Redis trouble once
    this.done = this.run();
  }

  /** The stream was lost with Redis's data: read the new one from its start. */
  restart(): void {
    this.lastId = '0-0';
  }

  /** The id of the last entry read ('0-0' before any). */
  get position(): string {
    return this.lastId;
  }

  /** Stops reading and lets go of the connection. */
  async close(): Promise<void> {
    this.stopped = true;
    this.redis.disconnect();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let reply: unknown;
      try {
        reply = await this.redis.xread(
          'COUNT',
          BATCH,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.key,
          this.lastId,
        );
      } catch {
        if (this.stopped) return;
        await new Promise((r) => setTimeout(r, 200)); // Redis away: ioredis reconnects meanwhile
        continue;
      }
      const entries = entriesOf(reply);
      for (const [id, flat] of entries) {
        if (!STREAM_ID.test(id)) continue;
        this.lastId = id;
        const fields = fieldsOf(flat);
        const to = fields?.get('to');
        if (!fields || !to || !PEER_ID.test(to)) {
          log('warn', 'malformed inbox entry dropped', { id });
          continue;
        }
        try {
          this.onEntry(to, fields);
        } catch (err) {
          log('error', 'inbox entry failed', { id, error: (err as Error).message });
        }
      }
      // What was read is done with: keep the stream short (sent on, not waited for), but
      // not after every small read, which would double the commands under load.
      this.unTrimmed += entries.length;
      if (
        this.unTrimmed > 0 &&
        (this.unTrimmed >= TRIM_EVERY || Date.now() - this.trimmedAt > 1000)
      ) {
        this.unTrimmed = 0;
        this.trimmedAt = Date.now();
        this.redis.xtrim(this.key, 'MINID', this.lastId).catch(() => {});
      }
    }
  }
}

/** The entries of an XREAD reply for one stream, or none if it is not shaped like one. */
function entriesOf(reply: unknown): [string, unknown][] {
  if (!Array.isArray(reply) || reply.length !== 1) return [];
  const stream = reply[0];
  if (!Array.isArray(stream) || !Array.isArray(stream[1])) return [];
  const entries = stream[1] as unknown[];
  return entries.filter(
    (e): e is [string, unknown] => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string',
  );
}

/** An entry's field list as a map, or null if malformed (odd, too many, too long). */
function fieldsOf(flat: unknown): Map<string, string> | null {
  if (!Array.isArray(flat) || flat.length % 2 !== 0 || flat.length > 8) return null;
  const fields = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) {
    const [name, value] = [flat[i], flat[i + 1]];
    if (typeof name !== 'string' || typeof value !== 'string' || value.length > MAX_FIELD_CHARS)
      return null;
    fields.set(name, value);
  }
  return fields;
}
