// SPDX-License-Identifier: MIT
import { blockCount, HASH_SIZE } from '../constants';
import { HashState, type Message, type MessageType } from '../protocol/message-types';
import { DraftHashes } from './draft-hashes';
import type { FilePlan } from './scheduler';

/** A HASHES frame. */
type HashesReply = Extract<Message, { type: MessageType.Hashes }>;

/**
 * Wait before asking again when a round learned nothing and fetched
 * nothing (200 ms): the sender hashes about a block per few ms, so a
 * shorter wait only costs round trips, a longer one idles the link.
 */
export const DRAFT_POLL_MS = 200;

/** What a draft round fetched: blocks verified and stored, and files given up. */
export interface DraftFetched {
  stored: readonly { file: number; block: number }[];
  /** Files the engine gave up on (their blocks kept arriving damaged, or the sender refused them), and why. */
  failed: readonly { file: number; reason: string }[];
}

/**
 * What the draft phase needs from outside (I/O, storage, time): the loop
 * itself is pure, so tests drive it with in-memory fakes.
 */
export interface DraftPhaseInit {
  /** The selected draft files: index in the draft and size. */
  files: readonly { file: number; size: number }[];
  /** Streams to spread HASHES_REQUESTs over (one open per stream). */
  lanes: number;
  /** Asks over stream `lane` for `file`'s block hashes from block `from` on. */
  askHashes(lane: number, file: number, from: number): Promise<HashesReply>;
  /**
   * Records `hashes` (the known prefix of `file`'s block hashes) before any
   * block is checked against them, and resolves with the file's verified
   * bits: only blocks stored under the same hashes count.
   */
  recordHashes(file: number, hashes: Uint8Array): Promise<Uint8Array>;
  /** Fetches these blocks, each verified against `hashes` before it is stored. */
  fetch(plans: FilePlan[], hashes: ReadonlyMap<number, DraftHashes>): Promise<DraftFetched>;
  /** Resolves after `ms` (the core keeps no timers). */
  wait(ms: number): Promise<void>;
  /** A file that will not arrive in this phase: the sender could not read it. */
  onFailed(file: number, reason: string): void;
  /** True once the run was cancelled: the loop ends at the next step. */
  stopped(): boolean;
}

/** How the draft phase ended, per file. */
export interface DraftPhaseResult {
  hashes: Map<number, DraftHashes>;
  /** Files that failed (hashing or fetching); the others are Done. */
  failed: Set<number>;
}

/** What the sender could not hash, said to a person. */
export const SENDER_COULD_NOT_READ = 'The sender could not read this file.';

function bit(bits: Uint8Array, index: number): boolean {
  return ((bits[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
}

/**
 * The blocks of a file worth asking for now: those whose hash is known
 * (a prefix of `known` blocks) and that are not stored yet. Null when none.
 */
export function draftPlan(
  file: number,
  size: number,
  known: number,
  verified: Uint8Array,
): FilePlan | null {
  const missing: number[] = [];
  const end = Math.min(known, blockCount(size));
  for (let b = 0; b < end; b++) if (!bit(verified, b)) missing.push(b);
  return missing.length > 0 ? { file, size, missing } : null;
}

/**
 * Fetches the selected files of a draft while the sender hashes them: each
 * round asks every unfinished file for the hashes computed since the last
 * one (spread over the streams, one request per stream at a time), records
 * them, then fetches the blocks whose hash is now known and not stored. A
 * round that learned nothing and had nothing to fetch waits `DRAFT_POLL_MS`.
 * Ends when every file is Done (every block stored) or failed. Nothing here
 * is proven: the final manifest decides that.
 */
export async function runDraftPhase(init: DraftPhaseInit): Promise<DraftPhaseResult> {
  const hashes = new Map(init.files.map((f) => [f.file, new DraftHashes(f.file, f.size)]));
  const failed = new Set<number>();
  const verified = new Map<number, Uint8Array>();
  /** Blocks whose hashes were last recorded, per file (-1: never). */
  const recorded = new Map<number, number>();
  const fail = (file: number, reason: string) => {
    if (failed.has(file)) return;
    failed.add(file);
    init.onFailed(file, reason);
  };
  for (;;) {
    if (init.stopped()) return { hashes, failed };
    const asking = [...hashes.values()].filter(
      (h) => h.state === HashState.Hashing && !failed.has(h.file),
    );
    let learned = false;
    await Promise.all(
      Array.from({ length: Math.max(1, init.lanes) }, async (_, lane) => {
        for (let k = lane; k < asking.length; k += Math.max(1, init.lanes)) {
          const h = asking[k]!;
          const progress = h.apply(await init.askHashes(lane, h.file, h.known));
          if (progress === 'failed') fail(h.file, SENDER_COULD_NOT_READ);
          else if (progress !== 'wait') learned = true;
        }
      }),
    );
    if (init.stopped()) return { hashes, failed };
    const plans: FilePlan[] = [];
    for (const h of hashes.values()) {
      if (failed.has(h.file)) continue;
      // Hashes are written before any block is checked against them: a reload then knows
      // which hashes every stored block was verified against.
      if (h.known > (recorded.get(h.file) ?? -1)) {
        verified.set(
          h.file,
          await init.recordHashes(h.file, h.hashes.slice(0, h.known * HASH_SIZE)),
        );
        recorded.set(h.file, h.known);
      }
      const plan = draftPlan(h.file, h.size, h.known, verified.get(h.file)!);
      if (plan) plans.push(plan);
    }
    const open = [...hashes.values()].some(
      (h) => h.state === HashState.Hashing && !failed.has(h.file),
    );
    if (plans.length === 0 && !open) return { hashes, failed };
    if (plans.length > 0) {
      const fetched = await init.fetch(plans, hashes);
      for (const { file, block } of fetched.stored) {
        const bits = verified.get(file)!;
        bits[block >> 3]! |= 1 << (block & 7);
      }
      for (const { file, reason } of fetched.failed) fail(file, reason);
    } else if (!learned) await init.wait(DRAFT_POLL_MS);
  }
}

/**
 * What a draft file's blocks are checked against, in the shape a block
 * check takes (`expectedBlockHash`): the streamed hash list as outboard; a
 * one-block file's only hash, given with Done, as its file hash. Only
 * blocks below `known` are ever asked for, so the zeros past it are never
 * compared.
 */
export function draftExpectation(h: DraftHashes): {
  size: number;
  fileHash: Uint8Array;
  outboard: Uint8Array;
} {
  return {
    size: h.size,
    fileHash: h.fileHash ?? new Uint8Array(HASH_SIZE),
    outboard: h.hashes,
  };
}
