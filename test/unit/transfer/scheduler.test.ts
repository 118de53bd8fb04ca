import { describe, expect, it } from 'vitest';
import { MAX_BLOCKS_PER_REQUEST, MAX_OPEN_REQUESTS } from '../../../src/core/protocol/constants';
import { fetchOrder, fullPlan, Scheduler } from '../../../src/core/transfer/scheduler';

const MiB = 1024 * 1024;
const KiB = 1024;

describe('Scheduler windows', () => {
  it('fills a stream’s window in bytes: many small files, or a run of big blocks', () => {
    const small = Array.from({ length: 100 }, (_, i) => fullPlan(i, 64 * KiB));
    const s = new Scheduler(small, {
      streams: 1,
      windowBytes: MiB,
      maxProcessingBytes: 64 * MiB,
      maxBadCopies: 3,
    });
    const taken = [];
    for (let a = s.take(0); a; a = s.take(0)) taken.push(a);
    // 1 MiB of 64 KiB files: 16 requests, one file each.
    expect(taken.length).toBe(16);
    const big = new Scheduler([fullPlan(0, 10 * MiB)], {
      streams: 1,
      windowBytes: 4 * MiB,
      maxProcessingBytes: 64 * MiB,
      maxBadCopies: 3,
    });
    expect(big.take(0)).toEqual({ file: 0, start: 0, count: 4 });
    expect(big.take(0)).toBeNull();
  });

  it('never asks past what a sender accepts: blocks per request, requests open per stream', () => {
    const tiny = Array.from({ length: 5000 }, (_, i) => fullPlan(i, 100));
    const s = new Scheduler([fullPlan(5000, 200 * MiB), ...tiny], {
      streams: 1,
      windowBytes: 512 * MiB,
      maxProcessingBytes: 1024 * MiB,
      maxBadCopies: 3,
    });
    const taken = [];
    for (let a = s.take(0); a; a = s.take(0)) taken.push(a);
    expect(Math.max(...taken.map((a) => a.count))).toBe(MAX_BLOCKS_PER_REQUEST);
    expect(s.inFlightOn(0)).toBe(MAX_OPEN_REQUESTS);
  });

  it('always allows one block, even one bigger than the window', () => {
    const s = new Scheduler([fullPlan(0, 3 * MiB)], {
      streams: 1,
      windowBytes: 1000,
      maxProcessingBytes: 64 * MiB,
      maxBadCopies: 3,
    });
    expect(s.take(0)).toEqual({ file: 0, start: 0, count: 1 });
    expect(s.take(0)).toBeNull();
  });

  it('frees the window when a block arrives, and holds asking while too much waits to be stored', () => {
    const s = new Scheduler([fullPlan(0, 10 * MiB)], {
      streams: 1,
      windowBytes: 2 * MiB,
      maxProcessingBytes: 3 * MiB,
      maxBadCopies: 3,
    });
    expect(s.take(0)).toEqual({ file: 0, start: 0, count: 2 });
    expect(s.take(0)).toBeNull();
    s.arrived(0, 0, 0);
    s.arrived(0, 0, 1);
    // Arrived blocks no longer hold the window...
    expect(s.take(0)).toEqual({ file: 0, start: 2, count: 2 });
    s.arrived(0, 0, 2);
    // ...but 3 MiB arrived and not yet stored stops any more asking.
    expect(s.take(0)).toBeNull();
    s.verified(0, 0, 0);
    s.arrived(0, 0, 3);
    expect(s.take(0)).toBeNull();
    s.verified(0, 0, 1);
    s.verified(0, 0, 2);
    expect(s.take(0)).toEqual({ file: 0, start: 4, count: 2 });
  });

  it('asks again for an arrived block that turned out bad, not for a lost stream’s arrived ones', () => {
    const s = new Scheduler([fullPlan(0, 4 * MiB)], {
      streams: 2,
      windowBytes: 2 * MiB,
      maxProcessingBytes: 64 * MiB,
      maxBadCopies: 3,
    });
    expect(s.take(0)).toEqual({ file: 0, start: 0, count: 2 });
    expect(s.take(1)).toEqual({ file: 0, start: 2, count: 2 });
    s.arrived(0, 0, 0);
    s.streamLost(0);
    // Block 1 was on the way on the lost stream; block 0 had arrived and is being checked.
    expect(s.take(1)).toBeNull();
    s.arrived(1, 0, 2);
    expect(s.take(1)).toEqual({ file: 0, start: 1, count: 1 });
    expect(s.rejected(0, 0, 0)).toBe('retry');
    s.arrived(1, 0, 3);
    expect(s.take(1)).toEqual({ file: 0, start: 0, count: 1 });
  });
});

describe('fetchOrder', () => {
  it('puts small files first in manifest order, then the rest smallest first', () => {
    const sizes = [9000, 5_000_000, 100, 300_000, 2_000_000, 256, 300_000, 0];
    const plans = sizes.map((size, file) => fullPlan(file, size)).reverse();
    expect(fetchOrder(plans, 1000).map((p) => p.file)).toEqual([2, 5, 7, 0, 3, 6, 4, 1]);
    // The plans given are left as they were.
    expect(plans.map((p) => p.file)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
  });
});

describe('Scheduler shares', () => {
  const init = { streams: 6, windowBytes: 4 * MiB, maxProcessingBytes: 64 * MiB, maxBadCopies: 3 };

  it('spreads a file smaller than the windows over every stream, not into the first', () => {
    const s = new Scheduler([fullPlan(0, 6 * MiB)], init);
    const taken = [0, 1, 2, 3, 4, 5].map((stream) => s.take(stream));
    expect(taken.map((t) => t?.count ?? 0)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(taken.map((t) => t?.start)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('shares what is left among the streams still alive', () => {
    const s = new Scheduler([fullPlan(0, 10 * MiB)], init);
    s.streamLost(5);
    s.streamLost(4);
    // 10 MiB over 4 live streams: at most 3 blocks (2.5 MiB rounded up to whole blocks) each.
    const counts = [0, 1, 2, 3].map((stream) => s.take(stream)?.count ?? 0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...counts)).toBeLessThanOrEqual(3);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
  });

  it('still lets one stream fill its whole window when there is plenty left', () => {
    const s = new Scheduler([fullPlan(0, 256 * MiB)], init);
    expect(s.take(0)?.count).toBe(4);
  });
});
