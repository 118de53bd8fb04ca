import { describe, expect, it } from 'vitest';
import {
  MAX_WINDOW_BYTES,
  MIN_WINDOW_BYTES,
  requestWindow,
} from '../../../src/core/transfer/request-window';

describe('requestWindow', () => {
  it('keeps the least window on a short round trip', () => {
    expect(requestWindow(0, 6)).toBe(MIN_WINDOW_BYTES);
    expect(requestWindow(1, 6)).toBe(MIN_WINDOW_BYTES);
    expect(requestWindow(2, 1)).toBe(MIN_WINDOW_BYTES);
  });

  it('covers twice the round trip at 100 MB/s, shared by the streams', () => {
    // 60 ms: 2 × 100 MB/s × 0.06 s = 12 MB over 6 streams.
    expect(requestWindow(60, 6)).toBe(2_000_000);
    expect(requestWindow(30, 1)).toBe(6_000_000);
  });

  it('stops at the largest window, which is also the answer when the round trip is unknown', () => {
    expect(requestWindow(1000, 6)).toBe(MAX_WINDOW_BYTES);
    expect(requestWindow(null, 6)).toBe(MAX_WINDOW_BYTES);
    expect(requestWindow(Number.NaN, 6)).toBe(MAX_WINDOW_BYTES);
    expect(requestWindow(-1, 6)).toBe(MAX_WINDOW_BYTES);
  });

  it('treats no streams as one', () => {
    expect(requestWindow(30, 0)).toBe(requestWindow(30, 1));
  });
});
