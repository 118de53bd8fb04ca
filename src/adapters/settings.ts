// SPDX-License-Identifier: MIT
import { MAX_STREAMS } from '../core/protocol/constants';

/**
 * Streams per session unless the user chose otherwise (6). Measured on the
 * 2-core reference machine (`npm run bench`, three runs): on the bare
 * protocol stack six streams ran 5–15% below one (0.80–0.85× vs 0.86–0.95×
 * of the raw channel: more DTLS/SCTP work on a CPU-bound machine), but the
 * whole app moving one 512 MiB file showed no difference (0.75× vs 0.77×,
 * same run). Six are kept for what loopback cannot show: each stream is its
 * own SCTP association with its own congestion control (a loss slows a
 * sixth of the traffic, not all of it) and a lost stream's blocks move to
 * the others instead of stalling the transfer. That gain on lossy,
 * high-latency links could not be measured here (no netem in this kernel).
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
