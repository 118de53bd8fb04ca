// SPDX-License-Identifier: MIT
import { fromHex } from '../core/bytes';

/**
 * Test-only fault injection. End-to-end tests set `globalThis.__ferryFaults`
 * on a sender page to play a broken or hostile sender and prove the receiver
 * catches it. Only builds made for tests (`__FERRY_TEST_HOOKS__`) read it;
 * callers also test the flag, so a shipped bundle contains none of this.
 */
interface FaultHooks {
  /** Damage the first byte of this block, `times` times. */
  corruptBlock?: { file: number; block: number; times: number };
  /** Offer these manifest bytes (hex) instead of the real ones: a hostile sender's file list. */
  manifestHex?: string;
  /** Hold the hashing of the file at this path until the promise settles: a sender still checking a big file. */
  holdHashing?: { path: string; until: Promise<unknown> };
  /** Use only relayed candidates (`iceTransportPolicy: 'relay'`): two test browsers on one host made to go through TURN. */
  relayOnly?: boolean;
}

// Behind the build flag as well as at each call site: a shipped build has no way to reach the hooks.
const hooks = (): FaultHooks | undefined =>
  __FERRY_TEST_HOOKS__ ? (globalThis as { __ferryFaults?: FaultHooks }).__ferryFaults : undefined;

/** Damages a block being served when a test asked for it. */
export function applyBlockFault(file: number, block: number, data: Uint8Array): void {
  const fault = hooks()?.corruptBlock;
  if (fault && fault.file === file && fault.block === block && fault.times > 0 && data.length > 0) {
    fault.times--;
    data[0]! ^= 0xff;
  }
}

/** The manifest a test wants offered instead of the real one, or null. */
export function craftedManifest(): Uint8Array | null {
  const hex = hooks()?.manifestHex;
  return hex ? fromHex(hex) : null;
}

/** Resolves when the file at `path` may be hashed (at once unless a test holds it). */
export async function hashingReleased(path: string): Promise<void> {
  const hold = hooks()?.holdHashing;
  if (hold && hold.path === path) await hold.until;
}

/** True when a test wants every connection to go through the TURN relay. */
export function relayOnly(): boolean {
  return hooks()?.relayOnly === true;
}
