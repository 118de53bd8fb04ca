import type { ChildProcess } from 'node:child_process';
/** Where Debian's package puts the server. */
export const REDIS_SERVER: string;
/** Makes sure redis-server is installed (apt-get as root on Debian, else the exact command to run). */
export function ensureRedis(): void;
/** A running private redis-server. */
export interface RedisServer {
  /** The unix socket path (ioredis takes it as a URL). */
  url: string;
  process: ChildProcess;
  /** Kills it (SIGTERM unless told) and removes the folder it made. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}
/** Starts redis-server on a unix socket (default: in a new temporary folder). */
export function startRedis(socket?: string): Promise<RedisServer>;
