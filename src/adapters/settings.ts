// SPDX-License-Identifier: MIT
import { MAX_STREAMS } from '../core/protocol/constants';

/**
 * Streams per session unless the user chose otherwise (6). Measured on the
 * 2-core reference machine (npm run bench, 3 rounds × 256 MiB, same run):
 * 1, 2, 4 and 6 streams all land at 0.85–0.93× the raw channel, within the
 * machine's noise, so six cost nothing measurable on loopback. Six are kept
 * because each stream is its own SCTP association with its own congestion
 * control (a loss slows one sixth of the traffic, not all of it) and a lost
 * stream does not stall the transfer; the gain on lossy, high-latency links
 * could not be measured here (no netem in this kernel).
 */
export const DEFAULT_STREAMS = 6;
const KEY = 'ferry:streams';

/** The number of parallel streams to open (1–8), as saved on this device. */
export function loadStreamCount(): number {
  const saved = Number(globalThis.localStorage?.getItem(KEY));
  return Number.isInteger(saved) && saved >= 1 && saved <= MAX_STREAMS ? saved : DEFAULT_STREAMS;
}

/** Saves the number of parallel streams (clamped to 1–8). */
export function saveStreamCount(n: number): number {
  const value = Math.min(MAX_STREAMS, Math.max(1, Math.round(n)));
  globalThis.localStorage?.setItem(KEY, String(value));
  return value;
}
