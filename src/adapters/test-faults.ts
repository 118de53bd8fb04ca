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
  /**
   * Until `until` settles, HASHES replies for the file at `path` carry at most
   * its first `blocks` block hashes and never Done, and the manifest is not
   * built: a sender still hashing, seen from the receiver, whatever the worker does.
   */
  holdDraftHashes?: { path: string; blocks: number; until: Promise<unknown> };
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

/** Holds whose promise has settled (a hold ends when its promise does, fulfilled or not). */
const settledHolds = new WeakSet<Promise<unknown>>();
const watchedHolds = new WeakSet<Promise<unknown>>();

/** The draft-hashes hold a test set and whose promise has not settled, or null. */
function draftHold(): FaultHooks['holdDraftHashes'] | null {
  const hold = hooks()?.holdDraftHashes;
  if (!hold) return null;
  if (!watchedHolds.has(hold.until)) {
    watchedHolds.add(hold.until);
    const end = () => settledHolds.add(hold.until);
    hold.until.then(end, end);
  }
  return settledHolds.has(hold.until) ? null : hold;
}

/** How many block hashes of the file at `path` HASHES replies may carry while a test holds it, else null. */
export function heldDraftHashes(path: string): number | null {
  const hold = draftHold();
  return hold && hold.path === path ? hold.blocks : null;
}

/** Resolves when the manifest may be built (at once unless a test holds a draft file's hashes). */
export async function draftHashesReleased(): Promise<void> {
  const hold = hooks()?.holdDraftHashes;
  if (hold) await Promise.allSettled([hold.until]);
}
