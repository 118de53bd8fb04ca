import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../server/rate-limit';

/** Counts steps of every Map iterator (what a sweep over the buckets costs) while `run` runs. */
function countIteratorSteps(run: () => void, budget: number): number {
  const proto = Object.getPrototypeOf(new Map().keys()) as { next: () => unknown };
  const next = proto.next;
  let steps = 0;
  proto.next = function (this: unknown) {
    if (++steps > budget) throw new Error(`more than ${budget} iterator steps`);
    return next.call(this);
  };
  try {
    run();
  } finally {
    proto.next = next;
  }
  return steps;
}

describe('rate limiter', () => {
  it('refills lazily at its rate up to its burst', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 4, 100, () => now);
    for (let i = 0; i < 4; i++) expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    now += 500; // one token back
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    now += 60_000; // full again, never more than the burst
    for (let i = 0; i < 4; i++) expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    expect(limiter.take('b')).toBe(true); // keys are independent
  });

  it('does constant work per take with 40,000 fresh keys, and tracks no more than its cap', () => {
    const limiter = new RateLimiter(10, 40, 10_000, () => 1_000);
    let maxSize = 0;
    // A sweep of the whole map on each take costs ~10^9 steps here; constant work costs ~1 per take.
    const steps = countIteratorSteps(() => {
      for (let i = 0; i < 40_000; i++) {
        limiter.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
        maxSize = Math.max(maxSize, limiter.size);
      }
    }, 2 * 40_000);
    expect(steps).toBeLessThanOrEqual(40_000);
    expect(maxSize).toBe(10_000);
  });

  it('drops the least recently used key first, and keeps a busy one', () => {
    const limiter = new RateLimiter(1, 2, 3, () => 0);
    limiter.take('busy');
    limiter.take('busy');
    expect(limiter.take('busy')).toBe(false);
    for (const k of ['a', 'b']) limiter.take(k);
    limiter.take('busy'); // used again: now the newest
    limiter.take('c'); // evicts 'a', the oldest
    expect(limiter.size).toBe(3);
    expect(limiter.take('busy')).toBe(false); // still tracked, still empty
  });
});
