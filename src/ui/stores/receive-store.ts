// SPDX-License-Identifier: MIT
import { createStore } from 'solid-js/store';
import { BlockStore } from '../../adapters/block-store';
import { deleteDraft } from '../../adapters/draft-store';
import { fetchOfferOrDraft } from '../../adapters/fetch-offer';
import type { HashPool } from '../../adapters/hash-pool';
import { withReceiveLock } from '../../adapters/receive-lock';
import { type SessionEvent, TransferControl } from '../../adapters/receive-session';
import {
  connectToSender,
  type ReceiverConnection,
  SenderSearch,
} from '../../adapters/receiver-connect';
import { canSaveToFolder } from '../../adapters/save';
import { loadStreamCount } from '../../adapters/settings';
import { estimateStorage } from '../../adapters/storage';
import { screenWakeLock } from '../../adapters/wake-lock';
import { hasWebRtc, NO_WEBRTC_MESSAGE } from '../../adapters/webrtc-support';
import { toHex } from '../../core/bytes';
import type { ManifestEntry } from '../../core/content/manifest';
import { recordKey } from '../../core/content/record-key';
import { isFerryError } from '../../core/errors';
import { formatCount, formatNumber } from '../../core/format';
import { parseTicketInput, type Ticket } from '../../core/ticket';
import { draftKey } from '../../core/transfer/draft-adoption';
import { verificationCode } from '../../core/verification-code';
import {
  draftOfferFrom,
  finalizedOffer,
  type Offer,
  type OfferedFile,
  offerFrom,
} from './offered-files';
import { createProgressStore } from './progress-store';
import { type Current, finalOf, receiveCurrent } from './receive-current';
import { resumeOnReturn } from './receive-return';
import { createReceiveSaves } from './receive-saves';
import { EMPTY, linkOrigin, type ReceiveState } from './receive-state';

export type { ReceiveState, TransferState } from './receive-state';
export type { Offer, OfferedFile };

/** Wait before reading the connection's path again when its stats had no pair or round trip yet, ms. */
const PATH_RETRY_MS = 1000;

/** What the receiver says while the person has paused. */
const PAUSED = 'Paused. Everything received so far is kept.';

/** What the receiver says while its sender is away. */
export const SENDER_GONE =
  "The sender's page closed or lost its connection. Ferry will continue when it comes back.";

/** Creates the receive store: reads a ticket link, connects to the sender, fetches its offer and receives it. */
export function createReceiveStore(pool: HashPool) {
  const [state, setState] = createStore<ReceiveState>({
    ...EMPTY,
    canSaveToFolder: canSaveToFolder(),
  });
  let connection: ReceiverConnection | null = null;
  let current: Current | null = null;
  let storePromise: Promise<BlockStore> | null = null;
  let control: TransferControl | null = null;
  /** Looks for a sender that went away (reconnects after every stream was lost). */
  const search = new SenderSearch();
  const wakeLock = screenWakeLock();
  const progress = createProgressStore();
  const isDone = (index: number) => progress.view.files[index]?.state === 'done';
  const openStore = () => {
    storePromise ??= BlockStore.open();
    return storePromise;
  };
  /** The final manifest's entry of a listed file (listed by draft index when the offer began as a draft). */
  const entryOf = (index: number): ManifestEntry | undefined => {
    const final = current?.final;
    if (!final) return undefined;
    const e = current?.draft ? final.entryOf.get(index) : index;
    return e === undefined ? undefined : final.entries[e];
  };
  const saves = createReceiveSaves({
    offer: () => state.offer,
    entry: entryOf,
    isDone,
    openStore,
    onSaved: (saved, error) => {
      if (saved) setState('saved', saved);
      if (error) setState('error', error);
    },
  });

  async function loadOffer(ticket: Ticket, relay: string, conn: ReceiverConnection): Promise<void> {
    const streams = await conn.streams;
    const got = await fetchOfferOrDraft(streams[0]!, ticket.collectionHash, pool, (status) =>
      setState('senderPreparing', status),
    );
    setState('senderPreparing', null);
    void showPath(conn);
    const storage = await estimateStorage().catch(() => null);
    const available = storage && storage.quota > 0 ? storage.available : null;
    // Draft records are keyed by a digest of the link's secret: the same link resumes them.
    const linkId = ticket.collectionHash
      ? null
      : toHex((await pool.hashBytes(ticket.secret.slice())).hash.subarray(0, 16));
    if ('draft' in got && linkId) {
      const draft = { bytes: got.draft, files: got.files };
      current = { ticket, relay, streams, final: null, draft, linkId };
      setState('offer', draftOfferFrom(got.files, available));
    } else if (!('draft' in got)) {
      current = { ticket, relay, streams, final: finalOf(got, null), draft: null, linkId };
      setState('offer', offerFrom(got.parsed, got.collectionHash, available));
    }
    const rtts = await Promise.all(streams.map((s) => s.ping()));
    setState('rtts', rtts);
  }

  /** Shows how `conn` is connected, once its stats name a pair (read again a moment later if not yet). */
  async function showPath(conn: ReceiverConnection, retries = 3): Promise<void> {
    const path = await conn.path();
    if (connection !== conn) return;
    if (path) setState('path', path);
    if ((!path || path.rttMs === null) && retries > 0)
      setTimeout(() => void showPath(conn, retries - 1), PATH_RETRY_MS);
  }

  /**
   * A fresh connection after every stream was lost; while the sender is away
   * the screen says so and the search goes on until it returns or the run ends.
   */
  function reconnect(c: NonNullable<typeof current>, ctl: TransferControl) {
    return search.connect({
      ticket: c.ticket,
      relay: c.relay,
      streams: loadStreamCount(),
      stopped: () => control !== ctl || ctl.cancelled,
      onSenderGone: () =>
        onSessionEvent({ type: 'phase', phase: 'reconnecting', message: SENDER_GONE }),
      onConnection: (conn) => {
        connection?.close();
        connection = conn;
        conn.streams.then(
          (streams) => {
            c.streams = streams;
            setState('path', null);
            void showPath(conn);
            // Back while paused by the person: the screen says paused again, not "reconnecting".
            if (control === ctl && ctl.paused && !ctl.cancelled)
              onSessionEvent({ type: 'phase', phase: 'paused', message: PAUSED });
          },
          () => {},
        );
      },
    });
  }

  const setFile = (index: number, change: Partial<OfferedFile>) =>
    setState('offer', 'files', (f) => f.index === index, change);

  function onSessionEvent(e: SessionEvent): void {
    switch (e.type) {
      case 'phase':
        if (e.phase === 'paused') progress.push({ type: 'paused' });
        else if (state.transfer?.phase === 'paused') progress.push({ type: 'resumed' });
        setState('transfer', { phase: e.phase, message: e.message });
        break;
      case 'stream-lost':
        break;
      default:
        // Block and file events are progress, written to the screen once per frame.
        progress.push(e);
    }
  }

  /**
   * Receives `selected` (all chosen files, or failed ones again); ends with a
   * sentence in `transfer`. `fresh`: the last connection is dead, make a new one first.
   */
  async function run(selected: number[], fresh = false): Promise<void> {
    const c = current!;
    const ctl = new TransferControl();
    control = ctl;
    returning.clear();
    setState('error', null);
    // The screen stays on while receiving: a locked phone freezes the page and the transfer.
    wakeLock.hold();
    try {
      if (fresh) c.streams = await reconnect(c, ctl);
      const store = await openStore();
      const lock = c.final ? toHex(c.final.collectionHash) : `draft:${c.linkId}`;
      const { cancelled } = await withReceiveLock(lock, () =>
        receiveCurrent(c, selected, {
          streams: c.streams,
          reconnect: () => reconnect(c, ctl),
          store,
          pool,
          control: ctl,
          newSession: fresh,
          onFinal: (offer, map) => {
            if (state.offer)
              setState(
                'offer',
                finalizedOffer(state.offer, offer.parsed, offer.collectionHash, map),
              );
          },
          onEvent: onSessionEvent,
        }),
      );
      // Left for another link or screen (not cancelled by the person): everything stays stored.
      if (control !== ctl) return;
      progress.flush();
      if (cancelled) return void (await afterCancel(store));
      const chosen = state.offer!.files.filter((f) => f.selected);
      const ok = chosen.filter((f) => isDone(f.index)).length;
      const failedNow = chosen.length - ok;
      setState('transfer', {
        phase: 'done',
        message:
          failedNow === 0
            ? `All ${formatCount(ok, 'file')} received and verified.`
            : `${formatNumber(ok)} of ${formatCount(chosen.length, 'file')} received and verified; ${formatNumber(failedNow)} failed.`,
      });
    } catch (err) {
      if (control !== ctl) return;
      if (ctl.cancelled) {
        // Cancelled while the sender was away: the same clean-up as any cancel.
        progress.flush();
        return void (await afterCancel(await openStore()));
      }
      if (isFerryError(err, 'Store/Busy') && !state.transfer) {
        // Nothing started here: the screen stays as it was, Receive ready for later.
        progress.clear();
        setState('error', err.message);
        return;
      }
      progress.flush();
      setState('transfer', {
        phase: 'stopped',
        message: 'Stopped. Everything received so far is kept.',
      });
      setState('error', (err as Error).message);
      returning.stopped(err);
    } finally {
      if (control === ctl) control = null;
      if (!control) wakeLock.release();
    }
  }

  /** The page (or its network) is back: resume a run the connection lost. */
  const returning = resumeOnReturn({
    search,
    idleAndStopped: () => !control && !!current && state.transfer?.phase === 'stopped',
    resume: () => {
      const chosen = state.offer!.files.filter((f) => f.selected);
      progress.start(chosen.map((f) => ({ file: f.index, size: f.size })));
      onSessionEvent({ type: 'phase', phase: 'reconnecting', message: 'Reconnecting…' });
      void run(
        chosen.map((f) => f.index),
        true,
      );
    },
  });

  /** After a cancel: the connection ends, finished files stay, unfinished ones free their space. */
  async function afterCancel(store: BlockStore): Promise<void> {
    connection?.close();
    connection = null;
    const c = current!;
    const unfinished = state.offer!.files.filter((f) => f.selected && !isDone(f.index));
    for (const f of unfinished) {
      const entry = entryOf(f.index);
      if (entry) await store.deleteFile(recordKey(entry));
      if (c.linkId) await deleteDraft(store, draftKey(c.linkId, f.path, f.size));
    }
    const kept = state.offer!.files.filter((f) => isDone(f.index)).length;
    setState('transfer', {
      phase: 'cancelled',
      message:
        kept === 0
          ? 'Cancelled. Nothing was kept.'
          : `Cancelled. ${formatCount(kept, 'finished file is', 'finished files are')} kept; unfinished files were removed.`,
    });
  }

  /** Ends any transfer and connection and empties the screen, keeping `input` in the link box. */
  function forget(input: string): void {
    // Ends the run without the cancel's clean-up: what it stored stays, for a resume later.
    const leaving = control;
    control = null;
    leaving?.cancel();
    search.lookNow();
    returning.clear();
    progress.clear();
    connection?.close();
    connection = null;
    current = null;
    setState({ ...EMPTY, canSaveToFolder: state.canSaveToFolder, input });
  }

  const actions = {
    /** Reads a pasted, scanned or opened link; when it is valid, connects to the sender. */
    open(text: string): void {
      forget(text);
      let ticket: Ticket;
      try {
        ticket = parseTicketInput(text);
      } catch (err) {
        setState('error', (err as Error).message);
        return;
      }
      // Without a relay in the ticket, the server is the one that made the link.
      const relay = ticket.relayUrl ?? linkOrigin(text) ?? window.location.origin;
      setState('ticket', {
        relay,
        collectionCode: ticket.collectionHash ? verificationCode(ticket.collectionHash) : null,
        collectionHash: ticket.collectionHash ? toHex(ticket.collectionHash) : null,
      });
      if (!hasWebRtc()) return void setState('error', NO_WEBRTC_MESSAGE);
      const conn = connectToSender({
        ticket,
        relay,
        streams: loadStreamCount(),
        onStatus: (s) => setState('connection', s),
      });
      connection = conn;
      loadOffer(ticket, relay, conn).catch((err: unknown) => {
        if (connection === conn) setState('error', (err as Error).message);
      });
    },
    /** Receives every chosen file into this browser's storage, verified block by block. */
    async receive(): Promise<void> {
      if (!current || state.transfer) return;
      const chosen = state.offer!.files.filter((f) => f.selected);
      if (chosen.length === 0) {
        setState('error', 'Choose at least one file to receive.');
        return;
      }
      progress.start(chosen.map((f) => ({ file: f.index, size: f.size })));
      await run(chosen.map((f) => f.index));
    },
    /** Stops asking for more blocks; what is in flight still lands. */
    pause(): void {
      if (!control || state.transfer?.phase !== 'receiving') return;
      control.pause();
      onSessionEvent({ type: 'phase', phase: 'paused', message: PAUSED });
    },
    /** Goes on after a pause (or after space was freed). */
    resume(): void {
      if (!control || state.transfer?.phase !== 'paused') return;
      onSessionEvent({ type: 'phase', phase: 'receiving', message: 'Receiving…' });
      control.resume();
    },
    /** Ends the transfer: finished files stay, unfinished ones are removed. */
    cancel(): void {
      control?.cancel();
      search.lookNow();
    },
    /** Tries a failed file again (after the transfer ended). */
    async retry(index: number): Promise<void> {
      if (!current || control || progress.view.files[index]?.state !== 'failed') return;
      progress.push({ type: 'file-retry', file: index });
      await run([index]);
    },
    ...saves,
    /** Chooses whether file `index` is received (before receiving starts). */
    select(index: number, selected: boolean): void {
      if (!state.transfer) setFile(index, { selected });
    },
    /** Disconnects and forgets the ticket. */
    reset(): void {
      forget('');
    },
  };
  return [state, actions, progress.view] as const;
}

/** The receive store's type, for components. */
export type ReceiveStore = ReturnType<typeof createReceiveStore>;
