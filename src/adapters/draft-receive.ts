// SPDX-License-Identifier: MIT
import { bytesEqual } from '../core/bytes';
import { blockCount } from '../core/constants';
import type { DraftFile } from '../core/content/draft';
import { blockLength } from '../core/content/outboard';
import { FerryError } from '../core/errors';
import { ErrorCode, HashState, type Message, MessageType } from '../core/protocol/message-types';
import { Dispatcher } from '../core/session/dispatcher';
import { askDraft, CHUNK_TIMEOUT_MS } from '../core/session/manifest-exchange';
import type { ProtocolStream } from '../core/session/protocol-stream';
import { draftKey, matchFinal } from '../core/transfer/draft-adoption';
import type { DraftHashes } from '../core/transfer/draft-hashes';
import { type DraftFetched, draftExpectation, runDraftPhase } from '../core/transfer/draft-phase';
import { ReceiveEngine } from '../core/transfer/receive-engine';
import { requestWindow } from '../core/transfer/request-window';
import type { FilePlan } from '../core/transfer/scheduler';
import type { BlockStore } from './block-store';
import { adoptLinkDrafts, deleteDraft, recordDraftHashes } from './draft-store';
import type { FetchedOffer } from './fetch-offer';
import type { HashPool } from './hash-pool';
import {
  checkSpace,
  MAX_RECONNECTS,
  RECONNECTING,
  receiveCollection,
  roundTrip,
  type SessionEvent,
  senderUnreachable,
  storagePause,
  TransferControl,
} from './receive-session';
import { type SinkFile, storeSink } from './store-sink';
import { systemTimers } from './system-timers';

type HashesReply = Extract<Message, { type: MessageType.Hashes }>;

/** Options for `receiveDraft`. */
export interface DraftReceiveInit {
  /** The draft's bytes as first received (a reconnect must get the same draft). */
  draftBytes: Uint8Array;
  draft: readonly DraftFile[];
  /** A hex digest naming the link (never its secret): draft records are keyed by it, so a reload resumes. */
  link: string;
  /** Draft indices of the files to receive. */
  selected: readonly number[];
  streams: ProtocolStream[];
  /** True when `streams` are a new connection's, not the one the draft came on: it is asked for again first. */
  newSession?: boolean;
  /** A fresh connection when every stream was lost (the draft is asked for again here). */
  reconnect(): Promise<ProtocolStream[]>;
  /** Fetches the final manifest over these streams, waiting while the sender still hashes. */
  finalOffer(streams: ProtocolStream[]): Promise<FetchedOffer>;
  /**
   * The final manifest is here and checked against the draft: `entryOf`
   * maps draft indices to its entries (the screen shows its code now).
   * Returns the link to keep with the collection.
   */
  onFinal(offer: FetchedOffer, entryOf: ReadonlyMap<number, number>): string | undefined;
  store: BlockStore;
  pool: HashPool;
  control?: TransferControl;
  /** Events by draft index, as the Receive screen lists files. */
  onEvent(event: SessionEvent): void;
}

/** One HASHES_REQUEST over `stream`, answered or refused with a sentence. */
function askHashes(
  dispatcher: Dispatcher,
  stream: ProtocolStream,
  file: number,
  from: number,
): Promise<HashesReply> {
  return new Promise((resolve, reject) => {
    let cancelTimeout = () => {};
    const request = dispatcher.request(
      stream,
      (id) => ({ type: MessageType.HashesRequest, id, file, from }),
      {
        onClose: (reason) => {
          cancelTimeout();
          reject(new FerryError('Protocol/Closed', `The sender went away: ${reason}`));
        },
        onAnswer: (m) => {
          cancelTimeout();
          request.finish();
          if (m.type === MessageType.Hashes) return resolve(m);
          if (m.type === MessageType.Error)
            return reject(
              new FerryError(
                'Protocol/PeerError',
                m.code === ErrorCode.NotReady
                  ? 'The sender no longer has the file list it sent. Open the link again.'
                  : `The sender refused: ${m.message}`,
              ),
            );
          reject(new FerryError('Protocol/Unexpected', 'The sender sent inconsistent data.'));
        },
      },
    );
    cancelTimeout = systemTimers.after(CHUNK_TIMEOUT_MS, () => {
      request.cancel();
      reject(
        new FerryError(
          'Protocol/TimedOut',
          'The sender stopped answering. Check that it still has Ferry open, then try again.',
        ),
      );
    });
  });
}

/** Asks a fresh connection for the draft again; it must be the one this run began with. */
async function draftAgain(streams: ProtocolStream[], expected: Uint8Array): Promise<void> {
  const dispatcher = Dispatcher.for(streams);
  for (;;) {
    const got = await askDraft({ dispatcher, stream: streams[0]!, timers: systemTimers });
    if (got instanceof Uint8Array) {
      if (bytesEqual(got, expected)) return;
      throw new FerryError(
        'Manifest/Refused',
        'The sender changed its files while they were being sent. Open the link again to see the new list.',
      );
    }
    // No draft right now (the sender reloaded and is listing its files again): ask a moment later.
    await new Promise<void>((resolve) => systemTimers.after(400, resolve));
  }
}

/**
 * Receives the selected files of a draft while the sender hashes them: the
 * draft phase fetches each block whose hash the sender has streamed,
 * verifying it against that hash before storing it under a draft record;
 * nothing counts as received there. Once every file is hashed (or failed)
 * it fetches the final manifest, checks it against the draft, hands each
 * draft record whose hashes are the final ones to its entry (others are
 * dropped) and runs `receiveCollection`, which proves each file whole and
 * fetches whatever is missing. Resolves like `receiveCollection`, by draft index.
 */
export async function receiveDraft(
  init: DraftReceiveInit,
): Promise<{ failed: number[]; cancelled: boolean }> {
  const control = init.control ?? new TransferControl();
  const { store, pool, draft } = init;
  let streams = init.streams;
  let reconnects = 0;
  const keyOf = (file: number) => draftKey(init.link, draft[file]!.path, draft[file]!.size);
  init.onEvent({ type: 'phase', phase: 'preparing', message: 'Getting ready…' });
  await checkSpace(init.selected.reduce((sum, d) => sum + draft[d]!.size, 0));
  // A session's block requests name draft files only once it was given the draft.
  if (init.newSession) await draftAgain(streams, init.draftBytes);
  const rttMs = await roundTrip(streams);
  const shown = new Set<number>();
  init.onEvent({
    type: 'phase',
    phase: 'receiving',
    message: 'Receiving while the sender checks its files…',
  });

  const fetch = async (
    plans: FilePlan[],
    hashes: ReadonlyMap<number, DraftHashes>,
  ): Promise<DraftFetched> => {
    // Only this phase's files: a block of any other is refused unchecked.
    const files: SinkFile[] = [];
    // Each file's whole-file hash is built as its blocks come (proving it then reads nothing back).
    for (const [i, h] of hashes)
      files[i] = { key: keyOf(i), ...draftExpectation(h), runningProof: blockCount(h.size) > 1 };
    const stored: { file: number; block: number }[] = [];
    const failed: { file: number; reason: string }[] = [];
    const engine = new ReceiveEngine(streams, plans, storeSink(store, pool, files), {
      windowBytes: requestWindow(rttMs, streams.length),
      dispatcher: Dispatcher.for(streams),
      timers: systemTimers,
      rttMs,
      onEvent: (e) => {
        // Nothing is received until proven whole against the final manifest.
        if (e.type === 'file-done' || e.type === 'stream-lost') return;
        if (e.type === 'file-failed') return void failed.push(e);
        if (e.type === 'verified') stored.push(e);
        init.onEvent(e);
      },
    });
    control.attach(engine);
    const outcome = await engine.run();
    control.attach(null);
    if (outcome.kind === 'stopped' && !control.cancelled) {
      init.onEvent(storagePause(outcome.error as Error));
      await control.waitForResume();
      init.onEvent({ type: 'phase', phase: 'receiving', message: 'Receiving…' });
    } else if (outcome.kind === 'disconnected') {
      if (++reconnects > MAX_RECONNECTS) throw senderUnreachable();
      init.onEvent(RECONNECTING);
      streams = await init.reconnect();
      // A new session: its block requests name draft files only once it was given the draft.
      await draftAgain(streams, init.draftBytes);
      init.onEvent({ type: 'phase', phase: 'receiving', message: 'Receiving…' });
    }
    return { stored, failed };
  };

  const phase = await runDraftPhase({
    files: init.selected.map((file) => ({ file, size: draft[file]!.size })),
    lanes: streams.length,
    askHashes: (lane, file, from) => {
      // A lost stream's share goes to one still open (the engine's reconnect handles losing all).
      const open = streams.filter((s) => !s.closed);
      const stream = open[lane % Math.max(1, open.length)] ?? streams[0]!;
      return askHashes(Dispatcher.for(streams), stream, file, from);
    },
    recordHashes: async (file, hashes) => {
      const bits = await recordDraftHashes(store, keyOf(file), draft[file]!.size, hashes);
      if (!shown.has(file)) {
        // What a reload left stored shows at once, and is not fetched again.
        shown.add(file);
        init.onEvent({ type: 'already', file, bytes: storedBytes(draft[file]!.size, bits) });
      }
      return bits;
    },
    fetch,
    wait: (ms) => new Promise((resolve) => systemTimers.after(ms, resolve)),
    onFailed: (file, reason) => init.onEvent({ type: 'file-failed', file, reason }),
    stopped: () => control.cancelled,
  });
  if (control.cancelled) return { failed: [], cancelled: true };

  // No draft request is open now: the session may switch to the final manifest's indices.
  init.onEvent({ type: 'phase', phase: 'preparing', message: 'Checking the files…' });
  const offer = await init.finalOffer(streams);
  const hashed = init.selected.filter((d) => !phase.failed.has(d));
  const { entryOf, failed } = matchFinal(draft, hashed, offer.parsed.files);
  for (const [file, reason] of failed) init.onEvent({ type: 'file-failed', file, reason });
  // Files the final manifest does not list can never be adopted: their blocks go now.
  for (const d of init.selected)
    if (!entryOf.has(d) && !failed.has(d) && phase.hashes.get(d)?.state === HashState.Failed)
      await deleteDraft(store, keyOf(d));
  for (const d of failed.keys()) await deleteDraft(store, keyOf(d));
  await adoptLinkDrafts(store, pool, init.link, offer.parsed.files, [...entryOf.values()]);
  const link = init.onFinal(offer, entryOf);
  const draftOf = new Map([...entryOf].map(([d, e]) => [e, d]));
  const result = await receiveCollection({
    collectionHash: offer.collectionHash,
    manifest: offer.manifest,
    entries: offer.parsed.files,
    ...(link ? { link } : {}),
    selected: [...entryOf.values()].sort((a, b) => a - b),
    streams,
    reconnect: init.reconnect,
    store,
    pool,
    control,
    onEvent: (e) => init.onEvent(toDraftIndex(e, draftOf)),
  });
  return {
    failed: [...phase.failed, ...failed.keys(), ...result.failed.map((e) => draftOf.get(e)!)].sort(
      (a, b) => a - b,
    ),
    cancelled: result.cancelled,
  };
}

/** An event of the final phase, its file named by draft index. */
function toDraftIndex(e: SessionEvent, draftOf: ReadonlyMap<number, number>): SessionEvent {
  return 'file' in e ? { ...e, file: draftOf.get(e.file) ?? -1 } : e;
}

/** Bytes of the blocks whose bits are set. */
function storedBytes(size: number, bits: Uint8Array): number {
  let bytes = 0;
  for (let b = 0; b < blockCount(size); b++)
    if ((bits[b >> 3]! >> (b & 7)) & 1) bytes += blockLength(size, b);
  return bytes;
}
