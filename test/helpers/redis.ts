// SPDX-License-Identifier: MIT
// The run's private redis-server, which `npm test` (scripts/test.mjs) starts
// and names in FERRY_TEST_REDIS_URL, and what tests of the Redis room bus need.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';

/** The run's redis-server (a unix socket path), or undefined under a plain `npx vitest`. */
export const TEST_REDIS_URL = process.env.FERRY_TEST_REDIS_URL;

/** Printed once when Redis tests are skipped: they never are under `npm test`. */
export const NO_REDIS_MESSAGE =
  'Redis room-bus tests skipped: FERRY_TEST_REDIS_URL is not set. `npm test` (or `node scripts/test.mjs`) starts a private redis-server and sets it.';

/** Room buses to run the contract tests on: memory always, Redis when the run has one. */
export function busKinds(): ('memory' | 'redis')[] {
  if (!TEST_REDIS_URL) console.warn(NO_REDIS_MESSAGE);
  return TEST_REDIS_URL ? ['memory', 'redis'] : ['memory'];
}

/** A key prefix of its own, so tests sharing one Redis never see each other's rooms. */
export function freshPrefix(): string {
  return `t${randomBytes(6).toString('hex')}:`;
}

/** Environment that makes a server use the run's Redis under `prefix`. */
export function redisEnv(prefix: string, url = TEST_REDIS_URL): Record<string, string> {
  if (!url) throw new Error(NO_REDIS_MESSAGE);
  return { REDIS_URL: url, REDIS_KEY_PREFIX: prefix };
}

/** Waits until a signaling endpoint says it can serve joins (a Redis bus registers first). */
export async function untilReady(signaling: { ready(): boolean }, timeout = 10_000): Promise<void> {
  await expect.poll(() => signaling.ready(), { timeout, interval: 20 }).toBe(true);
}
