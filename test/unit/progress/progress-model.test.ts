import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ProgressEvent, ProgressModel } from '../../../src/core/progress/progress-model';
import { etaSeconds, RateMeter } from '../../../src/core/progress/rate-meter';

const MB = 1_000_000;

describe('RateMeter', () => {
  it('gives the slope over the last seconds, not since the start', () => {
    const m = new RateMeter();
    // 1 MB/s for 10 s, then 5 MB/s for 5 s.
    let bytes = 0;
    for (let t = 0; t <= 10_000; t += 100) {
      m.sample(t, bytes);
      bytes += MB / 10;
    }
    expect(m.rate(10_000)).toBeCloseTo(MB, -3);
    for (let t = 10_100; t <= 15_000; t += 100) {
      bytes += MB / 2;
      m.sample(t, bytes);
    }
    expect(m.rate(15_000)).toBeGreaterThan(4.5 * MB);
    expect(m.rate(15_000)).toBeLessThanOrEqual(5.2 * MB);
  });
  it('does not spike on a burst or guess from too little history', () => {
    const m = new RateMeter();
    m.sample(0, 0);
    m.sample(10, 6 * MB);
    expect(m.rate(10)).toBe(0);
    for (let t = 1000; t <= 4000; t += 1000) m.sample(t, 6 * MB + (t / 1000) * MB);
    // Six blocks landing together do not make the rate jump to 600 MB/s.
    m.sample(4010, 16 * MB);
    expect(m.rate(4010)).toBeLessThan(5 * MB);
  });
  it('falls while nothing arrives, and starts over after reset', () => {
    const m = new RateMeter();
    for (let t = 0; t <= 2000; t += 100) m.sample(t, t * 1000);
    const busy = m.rate(2000);
    expect(m.rate(6000)).toBeLessThan(busy / 2);
    m.reset();
    expect(m.rate(6000)).toBe(0);
  });
  it('gives an ETA only when there is a rate', () => {
    expect(etaSeconds(10 * MB, 2 * MB)).toBe(5);
    expect(etaSeconds(10 * MB, 0)).toBeNull();
    expect(etaSeconds(0, 0)).toBe(0);
  });
});

describe('ProgressModel', () => {
  const sizes = [
    { file: 0, size: 3 * MB },
    { file: 1, size: 1 * MB },
    { file: 2, size: 0 },
  ];

  it('tracks states from waiting through transferring and verifying to done', () => {
    const p = new ProgressModel(sizes);
    expect(p.file(0, 0)!.state).toBe('waiting');
    p.apply({ type: 'received', file: 0, bytes: MB }, 10);
    expect(p.file(0, 10)!.state).toBe('transferring');
    p.apply({ type: 'received', file: 1, bytes: MB }, 20);
    expect(p.file(1, 20)!.state).toBe('verifying');
    p.apply({ type: 'verified', file: 1, bytes: MB }, 30);
    p.apply({ type: 'file-done', file: 1 }, 30);
    expect(p.urgent).toBe(true);
    const update = p.take(30);
    expect(p.urgent).toBe(false);
    expect(update.files.map((f) => f.file).sort()).toEqual([0, 1, 2]);
    expect(update.total).toMatchObject({
      size: 4 * MB,
      received: 2 * MB,
      verified: MB,
      doneFiles: 1,
      state: 'transferring',
    });
    // Only what changed comes out next time.
    p.apply({ type: 'file-done', file: 2 }, 40);
    expect(p.take(40).files.map((f) => f.file)).toEqual([2]);
  });

  it('counts a resume, a damaged block and a failure without double counting', () => {
    const p = new ProgressModel(sizes);
    p.apply({ type: 'already', file: 0, bytes: 2 * MB }, 0);
    p.apply({ type: 'received', file: 0, bytes: MB }, 1);
    p.apply({ type: 'rejected', file: 0, bytes: MB }, 2);
    expect(p.file(0, 2)).toMatchObject({ received: 2 * MB, verified: 2 * MB });
    p.apply({ type: 'received', file: 1, bytes: MB / 2 }, 3);
    p.apply({ type: 'file-failed', file: 1, reason: 'Damaged three times.' }, 4);
    p.apply({ type: 'file-failed', file: 1, reason: 'Damaged three times.' }, 5);
    const total = p.total(5);
    expect(total).toMatchObject({ failedFiles: 1, received: 2.5 * MB, verified: 2 * MB });
    expect(p.file(1, 5)).toMatchObject({ state: 'failed', error: 'Damaged three times.' });
    // Retried: back to waiting, and what was never verified is to come again.
    p.apply({ type: 'file-retry', file: 1 }, 6);
    expect(p.file(1, 6)).toMatchObject({ state: 'waiting', received: 0, error: null });
    expect(p.total(6).failedFiles).toBe(0);
  });

  it('pauses every unfinished file and drops the rate to zero', () => {
    const p = new ProgressModel(sizes);
    for (let t = 0; t <= 2000; t += 100) p.apply({ type: 'received', file: 0, bytes: 1000 }, t);
    expect(p.total(2000).rate).toBeGreaterThan(0);
    p.apply({ type: 'file-done', file: 2 }, 2000);
    p.apply({ type: 'paused' }, 2000);
    expect(p.total(2001)).toMatchObject({ state: 'paused', rate: 0, etaSeconds: null });
    expect(p.file(0, 2001)!.state).toBe('paused');
    expect(p.file(2, 2001)!.state).toBe('done');
    p.apply({ type: 'resumed' }, 3000);
    expect(p.file(0, 3000)!.state).toBe('transferring');
  });

  it('gives a rate and an ETA that follow the transfer', () => {
    const p = new ProgressModel([{ file: 0, size: 100 * MB }]);
    for (let t = 0; t <= 5000; t += 50) p.apply({ type: 'received', file: 0, bytes: MB / 20 }, t);
    const total = p.total(5000);
    expect(total.rate).toBeGreaterThan(0.9 * MB);
    expect(total.rate).toBeLessThan(1.1 * MB);
    // About 95 MB left at 1 MB/s.
    expect(total.etaSeconds).toBeGreaterThan(85);
    expect(total.etaSeconds).toBeLessThan(105);
    expect(p.file(0, 5000)!.etaSeconds).toBe(total.etaSeconds);
  });

  it('shows hashing progress and its rate before any transfer', () => {
    const p = new ProgressModel([{ file: 0, size: 10 * MB }]);
    for (let t = 0; t <= 2000; t += 100) p.apply({ type: 'hashed', file: 0, bytes: t * 1000 }, t);
    expect(p.file(0, 2000)!.state).toBe('hashing');
    const total = p.total(2000);
    expect(total.state).toBe('hashing');
    expect(total.rate).toBeCloseTo(MB, -4);
    expect(total.etaSeconds).toBe(8);
  });

  it('keeps running totals equal to the sum of the files whatever the events', () => {
    const event = fc.oneof(
      fc.record({
        type: fc.constantFrom('received', 'verified', 'rejected', 'already', 'hashed'),
        file: fc.integer({ min: 0, max: 3 }),
        bytes: fc.integer({ min: 0, max: 4 * MB }),
      }),
      fc.record({
        type: fc.constantFrom('file-done', 'file-retry'),
        file: fc.integer({ min: 0, max: 3 }),
      }),
      fc.record({
        type: fc.constant('file-failed'),
        file: fc.integer({ min: 0, max: 3 }),
        reason: fc.constant('x'),
      }),
      fc.record({ type: fc.constantFrom('paused', 'resumed') }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const p = new ProgressModel(sizes);
        for (const [t, e] of events.entries()) p.apply(e as ProgressEvent, t);
        const files = sizes.map((s) => p.file(s.file, 100)!);
        const total = p.total(100);
        for (const key of ['received', 'verified', 'hashed'] as const) {
          expect(total[key]).toBe(files.reduce((sum, f) => sum + f[key], 0));
        }
        expect(total.doneFiles).toBe(files.filter((f) => f.state === 'done').length);
        expect(total.failedFiles).toBe(files.filter((f) => f.state === 'failed').length);
        for (const f of files) {
          expect(f.received).toBeLessThanOrEqual(f.size);
          expect(f.verified).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});

describe('ProgressModel as the sender adds and removes files', () => {
  it('keeps totals right through track and forget', () => {
    const p = new ProgressModel([]);
    p.track(7, 100);
    p.track(8, 50);
    p.apply({ type: 'hashed', file: 7, bytes: 100 }, 0);
    p.apply({ type: 'file-done', file: 7 }, 0);
    p.apply({ type: 'hashed', file: 8, bytes: 20 }, 0);
    expect(p.total(0)).toMatchObject({ size: 150, hashed: 120, doneFiles: 1, files: 2 });
    p.forget(7);
    expect(p.total(0)).toMatchObject({ size: 50, hashed: 20, doneFiles: 0, files: 1 });
    expect(p.take(0).files.map((f) => f.file)).toEqual([8]);
  });
});
