// SPDX-License-Identifier: MIT

/**
 * The total rate the window is sized to keep busy (100 MB/s): above what a
 * browser data channel carries on this kind of link, so the window never
 * holds a transfer back.
 */
const TARGET_BYTES_PER_SECOND = 100e6;

/**
 * Least window per stream (512 KiB): eight 64 KiB files, or one block (a
 * stream may always ask for one). On a short round trip a larger window only
 * queues data: on loopback an 8 MiB window cost the data channels twice the
 * CPU per MB of a 512 KiB one with many small files (`npm run bench`,
 * engine-small-6 with BENCH_WINDOW_MIB=8 and 0.5).
 */
export const MIN_WINDOW_BYTES = 512 * 1024;

/** Largest window per stream (8 MiB), also used when the round trip is not known. */
export const MAX_WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * Bytes each of `streams` streams should have asked for and not yet
 * received: twice what the round trip `rttMs` holds at the target rate,
 * shared by the streams, between the least and the largest window. An
 * unknown round trip (null) gets the largest.
 */
export function requestWindow(rttMs: number | null, streams: number): number {
  if (rttMs === null || !Number.isFinite(rttMs) || rttMs < 0) return MAX_WINDOW_BYTES;
  const bytes = (2 * TARGET_BYTES_PER_SECOND * rttMs) / 1000 / Math.max(1, streams);
  return Math.min(MAX_WINDOW_BYTES, Math.max(MIN_WINDOW_BYTES, Math.ceil(bytes)));
}
