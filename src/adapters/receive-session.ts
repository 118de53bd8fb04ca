// SPDX-License-Identifier: MIT
import { bytesEqual, toHex } from '../core/bytes';
import { blockCount, HASH_SIZE } from '../core/constants';
import type { ManifestEntry } from '../core/content/manifest';
import { blockLength } from '../core/content/outboard';
import { recordKey } from '../core/content/record-key';
import { FerryError } from '../core/errors';
import { formatBytes } from '../core/format';
import { summarizeManifest } from '../core/library/manifest-summary';
import { MessageType } from '../core/protocol/message-types';
import { Dispatcher } from '../core/session/dispatcher';
import { fetchOutboard } from '../core/session/manifest-exchange';
import type { ProtocolStream } from '../core/session/protocol-stream';
import { ReceiveEngine, type ReceiveEvent } from '../core/transfer/receive-engine';
import { requestWindow } from '../core/transfer/request-window';
import { type FilePlan, fetchOrder, fullPlan } from '../core/transfer/scheduler';
import { type BlockStore, isComplete, isVerified, type StoredFile } from './block-store';
import { ProofGate } from './file-proof';
import type { HashPool } from './hash-pool';
import { SMALL_FILE_BYTES } from './small-file-reader';
import { estimateStorage, requestPersistence } from './storage';
import { type SinkFile, storeSink } from './store-sink';
import { systemTimers } from './system-timers';

/** Longest wait for the streams' round trip before a run (ms); the largest window is used without it. */
const RTT_WAIT_MS = 2000;
/** Reconnects tried after every stream dropped, before giving up. */
export const MAX_RECONNECTS = 5;

/** The pause a run that storage stopped shows: the quota sentence, or what failed and what to do. */
export function storagePause(error: Error | undefined): SessionEvent {
  return {
    type: 'phase',
    phase: 'paused',
    message:
      error?.name === 'Store/QuotaExceeded'
        ? error.message
        : `Paused: this browser could not store what arrived (${error?.message ?? 'unknown error'}). Everything verified so far is kept; press Resume to try again.`,
  };
}

/** What a run shows while it makes a fresh connection after every stream dropped. */
export const RECONNECTING: SessionEvent = {
  type: 'phase',
  phase: 'reconnecting',
  message: 'Connection lost. Reconnecting…',
};

/** Why a run ends once the sender could not be reached again. */
export function senderUnreachable(): FerryError {
  return new FerryError(
    'Signal/Unreachable',
    'Lost the connection to the sender and could not get it back. Everything received so far is kept: open the link again to continue.',
  );
}

/** What a receive run reports, besides the engine's own events. */
export type SessionEvent =
  | ReceiveEvent
  | {
      type: 'phase';
      phase: 'preparing' | 'receiving' | 'paused' | 'reconnecting';
      message: string;
    }
  /** Bytes already stored for a file before this run (a resume). */
  | { type: 'already'; file: number; bytes: number };

/**
 * Pause, resume and cancel for a running `receiveCollection`. Pausing stops
 * asking for blocks (what is in flight still lands and is kept); the
 * connection stays open so resuming is instant. A run that storage stopped
 * pauses itself and waits here for `resume()`.
 */
export class TransferControl {
  private engine: Pick<ReceiveEngine<unknown>, 'pause' | 'resume' | 'stop'> | null = null;
  private wake: (() => void) | null = null;
  private pausedFlag = false;
  private cancelledFlag = false;

  /** True while paused (by the person, or by full storage). */
  get paused(): boolean {
    return this.pausedFlag;
  }

  /** True once cancelled: the run ends and does not come back. */
  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  /** Stops asking for more blocks. */
  pause(): void {
    if (this.cancelledFlag) return;
    this.pausedFlag = true;
    this.engine?.pause();
  }

  /** Asks for the missing blocks again. */
  resume(): void {
    if (this.cancelledFlag) return;
    this.pausedFlag = false;
    this.engine?.resume();
    this.wake?.();
  }

  /** Ends the run: open requests are cancelled; what was verified stays stored. */
  cancel(): void {
    this.cancelledFlag = true;
    this.engine?.stop('Cancelled.');
    this.wake?.();
  }

  /** The engine now running (the session's side). */
  attach(engine: Pick<ReceiveEngine<unknown>, 'pause' | 'resume' | 'stop'> | null): void {
    this.engine = engine;
    if (engine && this.pausedFlag) engine.pause();
  }

  /** Pauses and resolves on `resume()` or `cancel()` (the session's side). */
  waitForResume(): Promise<void> {
    this.pausedFlag = true;
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
    });
  }
}

/** Options for `receiveCollection`. */
export interface ReceiveCollectionInit {
  collectionHash: Uint8Array;
  manifest: Uint8Array;
  entries: readonly ManifestEntry[];
  /** The link to keep with the collection, so it can be resumed from the Received screen. */
  link?: string;
  /** Indices of the files to receive (all, unless the person chose). */
  selected: readonly number[];
  streams: ProtocolStream[];
  /** Makes a fresh connection when every stream was lost. */
  reconnect(): Promise<ProtocolStream[]>;
  store: BlockStore;
  pool: HashPool;
  /** Pause, resume and cancel (none if absent). */
  control?: TransferControl;
  onEvent(event: SessionEvent): void;
}

/** Fetches and checks the outboards of the selected multi-block files, spread over the streams. */
async function outboards(
  init: ReceiveCollectionInit,
  streams: ProtocolStream[],
  known: ReadonlyMap<number, StoredFile>,
): Promise<Map<number, Uint8Array>> {
  const result = new Map<number, Uint8Array>();
  const wanted: number[] = [];
  for (const index of init.selected) {
    const entry = init.entries[index]!;
    if (!entry.outboardHash) continue;
    const outboard = known.get(index)?.outboard;
    if (outboard) result.set(index, outboard);
    else wanted.push(index);
  }
  const dispatcher = Dispatcher.for(streams);
  await Promise.all(
    streams.map(async (stream, lane) => {
      // One outboard at a time per stream: the sender answers one at a time, and refuses more.
      for (let k = lane; k < wanted.length; k += streams.length) {
        const index = wanted[k]!;
        const entry = init.entries[index]!;
        const outboard = await fetchOutboard(
          { dispatcher, stream, timers: systemTimers },
          index,
          blockCount(entry.size) * HASH_SIZE,
        );
        const { hash } = await init.pool.hashBytes(outboard.slice());
        if (!bytesEqual(hash, entry.outboardHash!)) {
          throw new FerryError(
            'Manifest/HashMismatch',
            `The block list for "${entry.path}" does not match the file list. Do not trust this sender.`,
          );
        }
        result.set(index, outboard);
      }
    }),
  );
  return result;
}

/**
 * The stored records of the selected files (undefined where none is usable),
 * by position in `selected`. A stored outboard counts only when it hashes to
 * the one this manifest names; a complete record not yet proven (a crash
 * between its last block and its proof) is proven now, and fetched again if
 * its bytes do not match.
 */
async function usableRecords(
  init: ReceiveCollectionInit,
  keys: readonly string[],
  gate: ProofGate,
): Promise<(StoredFile | undefined)[]> {
  const records = await init.store.getFiles(init.selected.map((i) => keys[i]!));
  await Promise.all(
    init.selected.map(async (index, k) => {
      const record = records[k];
      const entry = init.entries[index]!;
      if (!record) return;
      if (entry.outboardHash && !record.proven) {
        const stored = record.outboard && (await init.pool.hashBytes(record.outboard)).hash;
        if (!stored || !bytesEqual(stored, entry.outboardHash)) {
          await init.store.deleteFile(keys[index]!);
          records[k] = undefined;
          return;
        }
      }
      if (!isComplete(record) || record.proven) return;
      const verdict = await gate.prove(index);
      if (verdict === 'refused') records[k] = undefined;
    }),
  );
  return records;
}

/** The blocks of a file not stored yet (all when there is no record), and their bytes. */
function missingBlocks(size: number, record: StoredFile | undefined) {
  if (!record) return { blocks: null, bytes: size };
  const blocks = Array.from({ length: blockCount(size) }, (_, b) => b).filter(
    (b) => !isVerified(record, b),
  );
  return { blocks, bytes: blocks.reduce((sum, b) => sum + blockLength(size, b), 0) };
}

/** The shortest round trip over the streams, in ms, or null when none answers in time. */
export async function roundTrip(streams: readonly ProtocolStream[]): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), RTT_WAIT_MS);
  });
  const rtts = await Promise.all(
    streams.map((s) => Promise.race([s.ping().catch(() => null), late])),
  );
  clearTimeout(timer);
  const known = rtts.filter((ms): ms is number => ms !== null);
  return known.length > 0 ? Math.min(...known) : null;
}

/** Refuses, with a sentence, what this browser cannot store; asks for storage that is not evicted. */
export async function checkSpace(needed: number): Promise<void> {
  const { available } = await estimateStorage();
  if (available > 0 && needed > available) {
    throw new FerryError(
      'Store/QuotaExceeded',
      `These files need ${formatBytes(needed)} but this browser lets Ferry store only ${formatBytes(available)} more. Free some space (or choose fewer files), then try again.`,
    );
  }
  await requestPersistence();
}

/**
 * Receives the selected files of a collection into IndexedDB: checks free
 * space, registers the files, asks only for the blocks not stored yet (so a
 * reloaded page resumes), and reconnects when every stream drops. When
 * storage fills up mid-way it pauses with a message and goes on after
 * `control.resume()`. Resolves with the files that failed (or that it was
 * cancelled); rejects when the sender cannot be reached again, keeping
 * everything already verified.
 */
export async function receiveCollection(
  init: ReceiveCollectionInit,
): Promise<{ failed: number[]; cancelled: boolean }> {
  const control = init.control ?? new TransferControl();
  let streams = init.streams;
  let reconnects = 0;
  init.onEvent({ type: 'phase', phase: 'preparing', message: 'Getting ready…' });
  const keys = init.entries.map(recordKey);
  // Holds each file's `file-done` until its stored bytes are proven to be the file named.
  const gate = new ProofGate({
    store: init.store,
    pool: init.pool,
    entries: init.entries,
    keys,
    onEvent: init.onEvent,
  });
  // Free space first: nothing is asked of the sender for files this device cannot hold.
  const records = await usableRecords(init, keys, gate);
  const known = new Map<number, StoredFile>();
  let needed = 0;
  for (const [k, index] of init.selected.entries()) {
    const record = records[k];
    if (record) known.set(index, record);
    needed += missingBlocks(init.entries[index]!.size, record).bytes;
  }
  await checkSpace(needed);
  const obs = await outboards(init, streams, known);
  const files: SinkFile[] = init.entries.map((e, i) => ({
    key: keys[i]!,
    fileHash: e.fileHash,
    size: e.size,
    outboard: obs.get(i) ?? new Uint8Array(0),
    // Nothing of it stored yet, or a worker has followed it from its first block (a draft
    // adopted): its hash can be built from its blocks as they come.
    runningProof:
      blockCount(e.size) > 1 && (!known.get(i)?.verifiedCount || init.pool.followsProof(keys[i]!)),
  }));
  await init.store.putCollection(
    toHex(init.collectionHash),
    init.manifest,
    init.link,
    summarizeManifest(init.entries),
  );
  const sink = storeSink(init.store, init.pool, files);

  for (;;) {
    if (control.cancelled) return { failed: [], cancelled: true };
    const plans: FilePlan[] = [];
    // A file whose bytes were refused is not asked for again from this sender.
    const selected = init.selected.filter((i) => !gate.refused.has(i));
    // One transaction for every file's record (registering new ones): it also says what is stored.
    const stored = await init.store.ensureFiles(
      selected.map((i) => ({
        key: files[i]!.key,
        size: files[i]!.size,
        outboard: obs.get(i) ?? null,
      })),
    );
    let toFetch = 0;
    let filesToFetch = 0;
    for (const [k, index] of selected.entries()) {
      const f = files[index]!;
      if (stored[k]!.proven) gate.markProven(index);
      const { blocks: missing, bytes } = missingBlocks(f.size, stored[k]);
      init.onEvent({ type: 'already', file: index, bytes: f.size - bytes });
      plans.push(missing ? { file: index, size: f.size, missing } : fullPlan(index, f.size));
      toFetch += bytes;
      if (bytes > 0) filesToFetch++;
    }
    // Tells the sender how much is coming, so its screen can show this receiver's progress.
    streams[0]
      ?.send({ type: MessageType.Plan, files: filesToFetch, bytes: toFetch })
      .catch(() => {});
    if (!control.paused) init.onEvent({ type: 'phase', phase: 'receiving', message: 'Receiving…' });
    // Small files in manifest order: the sender's SmallFileReader then reads them several at a time.
    const ordered = fetchOrder(plans, SMALL_FILE_BYTES);
    // The window covers the round trip and no more: on a short one, more only queues data.
    const rttMs = await roundTrip(streams);
    const windowBytes = requestWindow(rttMs, streams.length);
    // One dispatcher per connection: ids are never reused across runs, so late blocks of a stopped run are told apart.
    const engine = new ReceiveEngine(streams, ordered, sink, {
      windowBytes,
      dispatcher: Dispatcher.for(streams),
      timers: systemTimers,
      rttMs,
      onEvent: (e) => gate.event(e),
    });
    control.attach(engine);
    const outcome = await engine.run();
    control.attach(null);
    // Nothing is reported (nor fetched again) before every file the run finished is proven;
    // a cancel stops the proofs under way (their files stay stored, unproven).
    if (control.cancelled && outcome.kind !== 'finished') gate.stop();
    await gate.settled();
    if (outcome.kind === 'finished') {
      const failed = new Set([...outcome.failedFiles, ...gate.refused, ...gate.unchecked]);
      return { failed: [...failed].sort((a, b) => a - b), cancelled: false };
    }
    if (control.cancelled) return { failed: [], cancelled: true };
    if (outcome.kind === 'stopped') {
      // Storing failed (only storage stops a run that was not cancelled): pause, so the
      // person can free space or close other tabs and go on with what is kept.
      init.onEvent(storagePause(outcome.error as Error));
      await control.waitForResume();
      continue;
    }
    if (++reconnects > MAX_RECONNECTS) throw senderUnreachable();
    init.onEvent(RECONNECTING);
    streams = await init.reconnect();
  }
}
