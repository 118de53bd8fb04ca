// SPDX-License-Identifier: MIT
import { createStore } from 'solid-js/store';
import type { HashPool } from '../../adapters/hash-pool';
import {
  connectToSender,
  type ReceiverConnection,
  type ReceiverStatus,
} from '../../adapters/receiver-connect';
import { loadStreamCount } from '../../adapters/settings';
import { bytesEqual, toHex } from '../../core/bytes';
import { decodeManifest, totalSize } from '../../core/content/manifest';
import { caseCollisions } from '../../core/content/path-rules';
import { FerryError } from '../../core/errors';
import { fetchManifest } from '../../core/session/manifest-exchange';
import { parseTicketInput, type Ticket } from '../../core/ticket';
import { verificationCode } from '../../core/verification-code';

/** One file the sender offers. */
export interface OfferedFile {
  path: string;
  size: number;
  hash: string;
}

/** What the sender offers, once its manifest is fetched and checked. */
export interface Offer {
  files: OfferedFile[];
  totalSize: number;
  code: string;
  /** Paths that differ only by letter case (they would collide on Windows and macOS). */
  caseCollisions: string[][];
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
  offer: Offer | null;
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

/** Creates the receive store: reads a ticket link, connects to the sender and fetches its offer. */
export function createReceiveStore(pool: HashPool) {
  const [state, setState] = createStore<ReceiveState>({
    input: '',
    ticket: null,
    connection: null,
    rtts: [],
    offer: null,
    error: null,
  });
  let connection: ReceiverConnection | null = null;

  async function loadOffer(ticket: Ticket, conn: ReceiverConnection): Promise<void> {
    const streams = await conn.streams;
    let id = 0;
    const manifest = await fetchManifest(streams[0]!, () => ++id);
    // The collection hash is the manifest's BLAKE3, computed off the main thread.
    const digest = await pool.hashFile(new Blob([manifest as Uint8Array<ArrayBuffer>]));
    if (ticket.collectionHash && !bytesEqual(digest.fileHash, ticket.collectionHash)) {
      throw new FerryError(
        'Manifest/HashMismatch',
        'The files offered do not match this link. Do not trust this transfer; ask the sender for a new link.',
      );
    }
    const parsed = decodeManifest(manifest);
    // The manifest is in byte order; people expect the order a file manager shows.
    const files = parsed.files
      .map((f) => ({ path: f.path, size: f.size, hash: toHex(f.fileHash) }))
      .sort((a, b) =>
        a.path.localeCompare(b.path, undefined, { numeric: true, sensitivity: 'base' }),
      );
    setState('offer', {
      files,
      totalSize: totalSize(parsed),
      code: verificationCode(digest.fileHash),
      caseCollisions: caseCollisions(files.map((f) => f.path)),
    });
    const rtts = await Promise.all(streams.map((s) => s.ping()));
    setState('rtts', rtts);
  }

  const actions = {
    /** Reads a pasted, scanned or opened link; when it is valid, connects to the sender. */
    open(text: string): void {
      connection?.close();
      connection = null;
      setState({ input: text, ticket: null, connection: null, rtts: [], offer: null, error: null });
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
      const conn = connectToSender({
        ticket,
        relay,
        streams: loadStreamCount(),
        onStatus: (s) => setState('connection', s),
      });
      connection = conn;
      loadOffer(ticket, conn).catch((err: unknown) => {
        if (connection === conn) setState('error', (err as Error).message);
      });
    },
    /** Disconnects and forgets the ticket. */
    reset(): void {
      connection?.close();
      connection = null;
      setState({ input: '', ticket: null, connection: null, rtts: [], offer: null, error: null });
    },
  };
  return [state, actions] as const;
}

/** The receive store's type, for components. */
export type ReceiveStore = ReturnType<typeof createReceiveStore>;
