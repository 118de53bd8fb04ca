// SPDX-License-Identifier: MIT
import { createStore } from 'solid-js/store';
import { BlockStore } from '../../adapters/block-store';
import { fetchOffer } from '../../adapters/fetch-offer';
import type { HashPool } from '../../adapters/hash-pool';
import { onPageReturn } from '../../adapters/page-return';
import { withReceiveLock } from '../../adapters/receive-lock';
import {
  receiveCollection,
  type SessionEvent,
  TransferControl,
} from '../../adapters/receive-session';
import {
  connectToSender,
  type ReceiverConnection,
  type ReceiverStatus,
  SenderSearch,
} from '../../adapters/receiver-connect';
import {
  canSaveToFolder,
  saveBlob,
  saveToFolderReport,
  saveZip,
  type ZipEntry,
} from '../../adapters/save';
import { loadStreamCount } from '../../adapters/settings';
import { estimateStorage } from '../../adapters/storage';
import { screenWakeLock } from '../../adapters/wake-lock';
import { hasWebRtc, NO_WEBRTC_MESSAGE } from '../../adapters/webrtc-support';
import { toHex } from '../../core/bytes';
import type { ManifestEntry } from '../../core/content/manifest';
import { recordKey } from '../../core/content/record-key';
import { isFerryError } from '../../core/errors';
import { formatCount, formatNumber } from '../../core/format';
import type { PreparingStatus } from '../../core/protocol/message-types';
import type { PathSummary } from '../../core/session/connection-path';
import type { ProtocolStream } from '../../core/session/protocol-stream';
import { parseTicketInput, type Ticket, ticketLink } from '../../core/ticket';
import { verificationCode } from '../../core/verification-code';
import { type Offer, type OfferedFile, offerFrom } from './offered-files';
import { createProgressStore } from './progress-store';

export type { Offer, OfferedFile };

/** Wait before reading the connection's path again when its stats had no pair or round trip yet, ms. */
const PATH_RETRY_MS = 1000;

/** Errors that mean the connection was lost, not that anything was refused. */
const CONNECTION_LOST: readonly string[] = [
  'Signal/Unreachable',
  'Signal/NoSender',
  'Protocol/Closed',
  'Protocol/TimedOut',
];

/** What the receiver says while the person has paused. */
const PAUSED = 'Paused. Everything received so far is kept.';

/** What the receiver says while its sender is away. */
export const SENDER_GONE =
  "The sender's page closed or lost its connection. Ferry will continue when it comes back.";

/** The transfer, once the person asked to receive. */
export interface TransferState {
  phase: 'preparing' | 'receiving' | 'paused' | 'reconnecting' | 'done' | 'stopped' | 'cancelled';
  message: string;
}

/** What the Receive screen knows. */
export interface ReceiveState {
  /** The text in the link box. */
  input: string;
  /** The ticket, once it reads correctly. */
  ticket: { relay: string; collectionCode: string | null; collectionHash: string | null } | null;
  /** The connection, once one is being made. */
  connection: ReceiverStatus | null;
  /** Round trip per stream, ms, once measured. */
  rtts: number[];
  /** Direct or relayed (and the round trip), from WebRTC stats, once connected. */
  path: PathSummary | null;
  /** How far the sender has come checking its files, while it has no file list yet. */
  senderPreparing: PreparingStatus | null;
  offer: Offer | null;
  transfer: TransferState | null;
  /** True where this browser can write into a folder the person picks. */
  canSaveToFolder: boolean;
  /** What the last "Save to folder" did, as a sentence. */
  saved: string | null;
  /** Why something failed, as a sentence. */
  error: string | null;
}

/** The origin of a pasted link, or null for bare ticket text. */
function linkOrigin(text: string): string | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

const EMPTY: ReceiveState = {
  input: '',
  ticket: null,
  connection: null,
  rtts: [],
  path: null,
  senderPreparing: null,
  offer: null,
  transfer: null,
  canSaveToFolder: false,
  saved: null,
  error: null,
};

/** Creates the receive store: reads a ticket link, connects to the sender, fetches its offer and receives it. */
export function createReceiveStore(pool: HashPool) {
  const [state, setState] = createStore<ReceiveState>({
    ...EMPTY,
    canSaveToFolder: canSaveToFolder(),
  });
  let connection: ReceiverConnection | null = null;
  let current: {
    ticket: Ticket;
    relay: string;
    manifest: Uint8Array;
    entries: ManifestEntry[];
    collectionHash: Uint8Array;
    streams: ProtocolStream[];
  } | null = null;
  let storePromise: Promise<BlockStore> | null = null;
  let control: TransferControl | null = null;
  /** Looks for a sender that went away (reconnects after every stream was lost). */
  const search = new SenderSearch();
  /** True when the last run stopped because the sender could not be reached: the page coming back resumes it. */
  let stoppedByLoss = false;
  const wakeLock = screenWakeLock();
  const progress = createProgressStore();
  const isDone = (index: number) => progress.view.files[index]?.state === 'done';
  const openStore = () => {
    storePromise ??= BlockStore.open();
    return storePromise;
  };

  async function loadOffer(ticket: Ticket, relay: string, conn: ReceiverConnection): Promise<void> {
    const streams = await conn.streams;
    const { manifest, collectionHash, parsed } = await fetchOffer(
      streams[0]!,
      ticket.collectionHash,
      pool,
      (status) => setState('senderPreparing', status),
    );
    setState('senderPreparing', null);
    void showPath(conn);
    const storage = await estimateStorage().catch(() => null);
    setState(
      'offer',
      offerFrom(parsed, collectionHash, storage && storage.quota > 0 ? storage.available : null),
    );
    current = {
      ticket,
      relay,
      manifest,
      entries: parsed.files,
      collectionHash,
      streams,
    };
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

  /** The received files, ready to save: each opens its Blob from storage when needed. */
  async function receivedEntries(): Promise<ZipEntry[]> {
    const c = current;
    if (!c || !state.offer) return [];
    const store = await openStore();
    return state.offer.files
      .filter((f) => isDone(f.index))
      .map((f) => c.entries[f.index]!)
      .map((e) => ({
        path: e.path,
        mtime: e.mtime,
        open: () => store.fileBlob(recordKey(e)),
      }));
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
    stoppedByLoss = false;
    setState('error', null);
    // The screen stays on while receiving: a locked phone freezes the page and the transfer.
    wakeLock.hold();
    try {
      if (fresh) c.streams = await reconnect(c, ctl);
      const store = await openStore();
      const { failed, cancelled } = await withReceiveLock(toHex(c.collectionHash), () =>
        receiveCollection({
          collectionHash: c.collectionHash,
          manifest: c.manifest,
          entries: c.entries,
          // Kept with the collection, naming the hash that was checked (even if the link opened had none).
          link: ticketLink(window.location.origin, {
            secret: c.ticket.secret,
            relayUrl: c.relay === window.location.origin ? null : c.relay,
            collectionHash: c.collectionHash,
          }),
          selected,
          streams: c.streams,
          reconnect: () => reconnect(c, ctl),
          store,
          pool,
          control: ctl,
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
      void failed;
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
      // The sender could not be reached, or the streams died under a request (this page was
      // asleep, or offline): coming back resumes. A refusal or a bad sender does not.
      stoppedByLoss = CONNECTION_LOST.includes((err as Error).name);
    } finally {
      if (control === ctl) control = null;
      if (!control) wakeLock.release();
    }
  }

  /** The page (or its network) is back: look for an absent sender now, or resume a run the connection lost. */
  function onReturn(): void {
    search.lookNow();
    if (!stoppedByLoss || control || !current || state.transfer?.phase !== 'stopped') return;
    const chosen = state.offer!.files.filter((f) => f.selected);
    progress.start(chosen.map((f) => ({ file: f.index, size: f.size })));
    onSessionEvent({ type: 'phase', phase: 'reconnecting', message: 'Reconnecting…' });
    void run(
      chosen.map((f) => f.index),
      true,
    );
  }
  onPageReturn(onReturn);

  /** After a cancel: the connection ends, finished files stay, unfinished ones free their space. */
  async function afterCancel(store: BlockStore): Promise<void> {
    connection?.close();
    connection = null;
    const c = current!;
    const unfinished = state.offer!.files.filter((f) => f.selected && !isDone(f.index));
    for (const f of unfinished) await store.deleteFile(recordKey(c.entries[f.index]!));
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
    stoppedByLoss = false;
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
    /** Saves one received file through the browser's download, straight from storage. */
    async download(index: number): Promise<void> {
      const entry = current?.entries[index];
      if (!entry) return;
      const blob = await (await openStore()).fileBlob(recordKey(entry));
      saveBlob(blob, entry.path.split('/').pop() ?? 'file');
    },
    /** Saves every received file as one zip, folders kept. */
    async downloadZip(): Promise<void> {
      if (state.offer) await saveZip(await receivedEntries(), `ferry-${state.offer.code}.zip`);
    },
    /** Writes every received file into a folder the person picks, sub-folders kept. */
    async saveToFolder(): Promise<void> {
      const outcome = await saveToFolderReport(await receivedEntries());
      if (outcome.saved) setState('saved', outcome.saved);
      if (outcome.error) setState('error', outcome.error);
    },
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
