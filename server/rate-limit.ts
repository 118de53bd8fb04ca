// SPDX-License-Identifier: MIT

/**
 * Token buckets keyed by client (IP): `rate` tokens a second, at most
 * `burst` saved up. Buckets idle long enough to be full are forgotten, so a
 * flood of addresses cannot grow the map forever.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`; false when the key is over its rate. */
  take(key: string): boolean {
    const t = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((t - bucket.at) / 1000) * this.rate);
    bucket.at = t;
    const ok = bucket.tokens >= 1;
    if (ok) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.sweep(t);
    return ok;
  }

  private sweep(t: number): void {
    const fullAfterMs = (this.burst / this.rate) * 1000;
    for (const [key, b] of this.buckets) if (t - b.at > fullAfterMs) this.buckets.delete(key);
  }
}
