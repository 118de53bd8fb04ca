// SPDX-License-Identifier: MIT

/** Keys tracked at most by one limiter unless told (RATE_LIMIT_MAX_KEYS): ~100 B each, ~10 MB. */
export const DEFAULT_MAX_KEYS = 100_000;

/**
 * Token buckets keyed by client: `rate` tokens a second, at most `burst`
 * saved up. Every `take` costs the same whatever the number of keys: a
 * bucket is refilled lazily from its last use, and the map is kept in
 * last-use order (a used key moves to the end), so when it holds `maxKeys`
 * the first key is the least recently used and is dropped. A dropped key
 * starts again with a full bucket, which gives nothing away as long as keys
 * live longer than a bucket takes to refill (burst / rate seconds): keep
 * `maxKeys` well above the clients active in that time.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly maxKeys: number = DEFAULT_MAX_KEYS,
    private readonly now: () => number = Date.now,
  ) {
    if (maxKeys < 1) throw new Error('A rate limiter tracks at least one key.');
  }

  /** Keys tracked now (never above `maxKeys`). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token for `key`; false when the key is over its rate. */
  take(key: string): boolean {
    const t = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-inserted below, at the end: the most recently used
      bucket.tokens = Math.min(
        this.burst,
        bucket.tokens + (Math.max(0, t - bucket.at) / 1000) * this.rate,
      );
      bucket.at = t;
    } else {
      bucket = { tokens: this.burst, at: t };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    const ok = bucket.tokens >= 1;
    if (ok) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    return ok;
  }
}
