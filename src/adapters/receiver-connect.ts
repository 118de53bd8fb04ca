// SPDX-License-Identifier: MIT
import type SimplePeer from 'simple-peer';
import { FerryError } from '../core/errors';
import { noPathMessage, offersRelay, type PathSummary } from '../core/session/connection-path';
import { ProtocolStream } from '../core/session/protocol-stream';
import type { Ticket } from '../core/ticket';
import { readPath, watchIce } from './connection-path';
import { peerChannel } from './peer-channel';
import { asStreamSignal, createPeer, fetchIceServers, isSessionBusy } from './peer-factory';
import { type DropCounts, deriveRoomKeys, SESSION_ID_SIZE, SealedSession } from './signal-seal';
import { OUTBOX_LIMIT, SignalingClient, signalUrl } from './signaling-client';

/** Where a receiver's connection stands, for the UI. */
export interface ReceiverStatus {
  phase: 'signaling' | 'waiting' | 'connecting' | 'connected' | 'failed';
  /** Streams whose hello has been exchanged. */
  streamsUp: number;
  streams: number;
  /** A sentence for people. */
  message: string;
}

/** Options for `connectToSender`. */
export interface ReceiverConnectInit {
  ticket: Ticket;
  /** Rendezvous origin: the ticket's relay, or the page that made the link. */
  relay: string;
  /** Streams to open (1–8). */
  streams: number;
  /** Give up if the streams are not all up this long after the sender is found, ms. */
  connectTimeoutMs?: number;
  onStatus?(status: ReceiverStatus): void;
}

/** A receiver's live connection. */
export interface ReceiverConnection {
  /** Resolves with every stream, hellos exchanged; rejects with a FerryError a person can read. */
  readonly streams: Promise<ProtocolStream[]>;
  /** Signaling messages refused (forged, replayed…) so far. */
  readonly dropped: DropCounts;
  /** How the streams are connected now (direct or relayed, round trip), from WebRTC stats; null before. */
  path(): Promise<PathSummary | null>;
  /** Closes signaling and every stream. */
  close(): void;
}

/**
 * Connects to the sender named by a ticket: joins the sealed rendezvous
 * room, opens `streams` WebRTC connections in parallel (this side offers),
 * and exchanges hellos on each.
 */
export function connectToSender(init: ReceiverConnectInit): ReceiverConnection {
  const n = init.streams;
  const sid = crypto.getRandomValues(new Uint8Array(SESSION_ID_SIZE));
  const dropped: DropCounts = { forged: 0, outOfOrder: 0, malformed: 0, overflow: 0 };
  const peers: SimplePeer.Instance[] = [];
  const ready: ProtocolStream[] = [];
  let client: SignalingClient | null = null;
  let sealed: SealedSession | null = null;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = (phase: ReceiverStatus['phase'], message: string) =>
    init.onStatus?.({ phase, streamsUp: ready.length, streams: n, message });

  let settle!: { resolve: (s: ProtocolStream[]) => void; reject: (e: FerryError) => void };
  const streams = new Promise<ProtocolStream[]>((resolve, reject) => {
    settle = { resolve, reject };
  });
  streams.catch(() => {});

  const fail = (error: FerryError) => {
    if (closed) return;
    status('failed', error.message);
    settle.reject(error);
    close();
  };

  // The client holds what is sent while it reconnects, and sends it once it has joined again.
  // What was sent is kept too (bounded), for a sender that comes back on a new socket.
  const sentLog: string[] = [];
  const send = (data: string) => {
    if (sentLog.length < OUTBOX_LIMIT.messages) sentLog.push(data);
    client?.send(null, data);
  };
  const startPeers = () => {
    if (peers.length > 0 || !sealed) return;
    status('connecting', `Connecting to the sender (0 of ${n} streams)…`);
    const session = sealed;
    const relayOffered = offersRelay(iceServers);
    const noPath = (relayErrors: number[]) =>
      fail(new FerryError('Signal/Unreachable', noPathMessage({ relayOffered, relayErrors })));
    timer = setTimeout(() => noPath([]), init.connectTimeoutMs ?? 30_000);
    for (let i = 0; i < n; i++) {
      const peer = createPeer(true, { iceServers });
      peers.push(peer);
      // One stream that cannot find a path means none will: they share the networks and servers.
      const stopWatching = watchIce(peer, (errors) => {
        if (ready.length < n) noPath(errors);
      });
      peer.on('connect', stopWatching);
      peer.on('signal', (sig: SimplePeer.SignalData) => {
        void session.seal({ s: i, n, sig }).then(send);
      });
      peer.on('error', () => {}); // reported through the stream's close, or the timeout
      peer.on('connect', () => {
        const stream = new ProtocolStream(peerChannel(peer), { stream: i, streams: n });
        stream.ready.then(
          () => {
            ready.push(stream);
            if (ready.length < n)
              return status(
                'connecting',
                `Connecting to the sender (${ready.length} of ${n} streams)…`,
              );
            clearTimeout(timer);
            ready.sort((a, b) => a.index - b.index);
            status('connected', `Connected over ${n} ${n === 1 ? 'stream' : 'streams'}.`);
            client?.close(); // signaling has done its job; nothing more goes through the server
            settle.resolve(ready);
          },
          () => {},
        );
      });
    }
  };

  /**
   * The server says the sender is here: first arrival, or the same sender back on a new socket
   * (what went to its old one is lost). The handshake so far is sent again; the sender's sealed
   * session drops the copies it already has as replays.
   */
  const onSender = () => {
    if (peers.length === 0) return startPeers();
    if (ready.length < n) for (const data of sentLog) client?.send(null, data);
  };

  let iceServers: RTCIceServer[] = [];
  void (async () => {
    const [keys, ice] = await Promise.all([
      deriveRoomKeys(init.ticket.secret),
      fetchIceServers(init.relay),
    ]);
    if (closed) return;
    iceServers = ice;
    sealed = new SealedSession(keys.key, sid, 'recv');
    const session = sealed;
    status('signaling', 'Looking for the sender…');
    client = new SignalingClient(signalUrl(init.relay), keys.roomId, 'recv', {
      onJoined: (_id, senderPresent) => {
        if (senderPresent) startPeers();
        else if (peers.length === 0) status('waiting', 'Waiting for the sender to open Ferry…');
      },
      onSender,
      onRelay: async (_from, data) => {
        const opened = await session.open(data);
        Object.assign(dropped, session.dropped);
        if (isSessionBusy(opened))
          return fail(
            new FerryError(
              'Signal/Refused',
              'The sender is already connected to as many devices as it can serve. Try again when one of them has finished.',
            ),
          );
        const signal = asStreamSignal(opened);
        if (!signal || signal.n !== n) return;
        try {
          peers[signal.s]?.signal(signal.sig);
        } catch {
          // simple-peer refuses a signal it cannot use; the stream then times out
        }
      },
      onState: (state, attempt) => {
        if (state === 'reconnecting' && ready.length < n)
          status('signaling', `Reaching the Ferry server (attempt ${attempt + 1})…`);
      },
      onFatal: fail,
    });
  })().catch((err: unknown) =>
    fail(new FerryError('Signal/Unreachable', `Could not start: ${(err as Error).message}`)),
  );

  function close(): void {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    client?.close();
    for (const peer of peers) peer.destroy();
  }

  return { streams, dropped, close, path: () => readPath(peers) };
}

/**
 * Waits between looks for a sender that went away, ms: the first, and the
 * longest (doubling in between). Each look itself waits in the room until
 * the server gives up on the sender (SIGNAL_NO_SENDER_MS, 20 s), and the
 * server says at once when the sender is back, so the pause can stay short.
 * `lookNow()` (the page or its network is back) looks at once.
 */
export const SENDER_RETRY_MS = [1_000, 10_000] as const;

/** Options for `SenderSearch.connect`. */
export interface SenderSearchInit extends Omit<ReceiverConnectInit, 'onStatus'> {
  /** True once no connection is wanted any more (the run ended): the search stops. */
  stopped(): boolean;
  /** The sender is not in the room (its page closed, asleep or offline). */
  onSenderGone(): void;
  /** Each connection as it is made; the caller owns it (and closes the one before). */
  onConnection(connection: ReceiverConnection): void;
  /** Makes one connection (default: `connectToSender`). */
  connect?(init: ReceiverConnectInit): ReceiverConnection;
}

/**
 * Reconnects to a sender that may be away: joins the room again and again
 * (the server closes a receiver's wait for an absent sender) until the
 * sender is back, saying so meanwhile. Other failures are the caller's.
 */
export class SenderSearch {
  private wake: (() => void) | null = null;

  /** Ends the current wait: look for the sender now. */
  lookNow(): void {
    this.wake?.();
  }

  /** Resolves with the streams of the first connection that comes up; rejects when stopped, or on a failure other than the sender's absence. */
  async connect(init: SenderSearchInit): Promise<ProtocolStream[]> {
    for (let attempt = 0; ; attempt++) {
      const connection = (init.connect ?? connectToSender)({
        ...init,
        onStatus: (s) => {
          if (s.phase === 'waiting' && !init.stopped()) init.onSenderGone();
        },
      });
      init.onConnection(connection);
      try {
        return await connection.streams;
      } catch (err) {
        if (init.stopped() || (err as Error).name !== 'Signal/NoSender') throw err;
        init.onSenderGone();
        const [first, longest] = SENDER_RETRY_MS;
        await this.pause(Math.min(longest, first * 2 ** attempt));
        if (init.stopped()) throw err;
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
