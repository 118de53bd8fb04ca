// SPDX-License-Identifier: MIT
import { MAX_STREAMS } from '../core/protocol/constants';

/** Streams per session unless the user chose otherwise. */
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
