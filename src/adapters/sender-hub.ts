// SPDX-License-Identifier: MIT
import type SimplePeer from 'simple-peer';
import { toBase64Url, toHex } from '../core/bytes';
import { noPathMessage, offersRelay, type PathSummary } from '../core/session/connection-path';
import { ProtocolStream } from '../core/session/protocol-stream';
import { EndedSessions, type EndReason } from '../core/signaling/ended-sessions';
import { readPath, watchIce } from './connection-path';
import { peerChannel } from './peer-channel';
import {
  asStreamSignal,
  createPeer,
  fetchIceServers,
  type PeerSettings,
  SESSION_BUSY,
} from './peer-factory';
import { deriveRoomKeys, peekSessionId, SealedSession } from './signal-seal';
import {
  SignalingClient,
  type SignalingHandlers,
  type SignalingLink,
  signalUrl,
} from './signaling-client';

/**
 * Most receiver sessions a sender keeps at once. When a new receiver comes
 * and the table is full, the oldest session not yet connected makes room;
 * if every one is connected, the new receiver is told the sender is busy.
 */
export const MAX_SESSIONS = 32;

/**
 * A session whose streams are not all up this long after its first message
 * is given up and its peer connections destroyed, ms. Longer than a
 * receiver's own connect time-out (30 s), so the receiver gives up first.
 */
export const SESSION_CONNECT_MS = 45_000;

/** Most relayed messages waiting to be handled; past it, more are dropped (a flood from the server). */
export const MAX_RELAY_BACKLOG = 512;

/** Ended session ids remembered, so a replayed first message cannot start a ghost session. */
export const ENDED_MEMORY = 1024;

/** One receiver, as the sender sees it. */
export interface IncomingSession {
  /** Hex of the receiver's random session id. */
  readonly id: string;
  /** Streams the receiver asked for. */
  readonly streamCount: number;
  /** Streams up so far (hello exchanged). */
  readonly streams: ProtocolStream[];
  /** Called as each stream comes up. */
  onStream: ((stream: ProtocolStream) => void) | null;
  /** Called once when the session ends: its streams all closed, did not come up in time, or it made room for a newer receiver. */
  onEnd: (() => void) | null;
  /** Called once if no network path to this receiver can be found, with a sentence saying what to do. */
  onNoPath: ((message: string) => void) | null;
  /** How its streams are connected now (direct or relayed, round trip), from WebRTC stats; null before. */
  path(): Promise<PathSummary | null>;
}

/** Options for a `SenderHub`. */
export interface SenderHubInit {
  secret: Uint8Array;
  /** Rendezvous origin. */
  relay: string;
  /** A receiver proved it holds the ticket and asked to connect. */
  onSession(session: IncomingSession): void;
  /** Signaling state, for the UI. */
  onState?(state: 'connecting' | 'open' | 'reconnecting' | 'failed', message?: string): void;
  /** Makes a stream's peer connection (default: simple-peer). */
  createPeer?(initiator: boolean, settings: PeerSettings): SimplePeer.Instance;
  /** Opens the signaling link to room `roomId` (default: a `SignalingClient` to `relay`). */
  connect?(roomId: string, handlers: SignalingHandlers): SignalingLink;
  /**
   * Fetches ICE servers for one new session (default: the relay's /config.json).
   * Called per session, never once for the page: TURN credentials expire
   * (TURN_TTL_S) and a sender's page stays open for hours.
   */
  loadIceServers?(): Promise<RTCIceServer[]>;
  /** Runs `fn` after `ms`; returns a cancel (default: setTimeout). */
  setTimer?(fn: () => void, ms: number): () => void;
}

interface SessionState extends IncomingSession {
  /** This session's ICE servers, fetched when its first message came. */
  iceServers: Promise<RTCIceServer[]>;
  sealed: SealedSession;
  replyTo: string;
  peers: (SimplePeer.Instance | undefined)[];
  /** Stream indexes whose peer connection has closed. */
  closedStreams: Set<number>;
  streams: ProtocolStream[];
  cancelExpiry: () => void;
  ended: boolean;
}

const defaultTimer = (fn: () => void, ms: number) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

/**
 * The sender's side of the rendezvous: waits in the room, and for each
 * receiver that proves (by sealing with the ticket's key) it holds the
 * ticket, answers its WebRTC offers on every stream. Every session it starts
 * ends (its peers destroyed) when its streams close or do not come up in
 * time, and its id is remembered so it cannot be started again.
 */
export class SenderHub {
  private client: SignalingLink | null = null;
  private readonly sessions = new Map<string, SessionState>();
  private readonly ended = new EndedSessions(ENDED_MEMORY);
  private readonly setTimer: (fn: () => void, ms: number) => () => void;
  private closed = false;

  constructor(private readonly init: SenderHubInit) {
    this.setTimer = init.setTimer ?? defaultTimer;
    void this.start();
  }

  /** Receiver sessions held now, connected or still connecting. */
  get size(): number {
    return this.sessions.size;
  }

  private async start(): Promise<void> {
    const keys = await deriveRoomKeys(this.init.secret);
    if (this.closed) return;
    const handlers: SignalingHandlers = {
      onRelay: (from, data) => this.onRelay(keys.key, from, data),
      onState: (state) => this.init.onState?.(state),
      onFatal: (error) => this.init.onState?.('failed', error.message),
    };
    if (this.init.connect) {
      this.client = this.init.connect(keys.roomId, handlers);
      return;
    }
    // Shown on every join: after a network switch or a server restart the room is ours again.
    const claim = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    this.client = new SignalingClient(
      signalUrl(this.init.relay),
      keys.roomId,
      'send',
      handlers,
      claim,
    );
  }

  /** Resolves once every relay heard so far has been handled (tests wait on this, not on time). */
  async settled(): Promise<void> {
    await this.relayQueue;
    await Promise.all(this.signalling);
  }

  /** Signals waiting for their session's ICE servers (not in the relay queue: one slow fetch must not hold up other receivers). */
  private readonly signalling = new Set<Promise<void>>();

  /** Relays are handled one at a time: a new receiver's first messages arrive together, before its session exists. */
  private relayQueue: Promise<void> = Promise.resolve();
  private relayBacklog = 0;

  private onRelay(key: CryptoKey, from: string, data: string): void {
    if (this.relayBacklog >= MAX_RELAY_BACKLOG) return;
    this.relayBacklog++;
    this.relayQueue = this.relayQueue
      .then(() => this.handleRelay(key, from, data))
      .catch(() => {})
      .then(() => {
        this.relayBacklog--;
      });
  }

  private async handleRelay(key: CryptoKey, from: string, data: string): Promise<void> {
    const sid = peekSessionId(data);
    if (!sid) return;
    const id = toHex(sid);
    const session = this.sessions.get(id);
    if (session) {
      const signal = asStreamSignal(await session.sealed.open(data));
      if (!signal || signal.n !== session.streamCount || session.ended) return;
      session.replyTo = from; // the receiver may have reconnected to the server under a new id
      this.signal(session, signal.s, signal.sig);
      return;
    }
    // A session that ended stays ended: its first message, replayed, opens as well as it did.
    if (this.ended.reasonFor(id)) return;
    // Nothing is kept for a message that does not open with the ticket's key.
    const sealed = new SealedSession(key, sid, 'send');
    const signal = asStreamSignal(await sealed.open(data));
    if (!signal || this.closed || this.sessions.has(id) || this.ended.reasonFor(id)) return;
    if (this.sessions.size >= MAX_SESSIONS && !this.evictOneUnconnected()) {
      this.ended.add(id, 'refused');
      this.client?.send(from, await sealed.seal(SESSION_BUSY));
      return;
    }
    const loadIce = this.init.loadIceServers ?? (() => fetchIceServers(this.init.relay));
    const created: SessionState = {
      id,
      streamCount: signal.n,
      streams: [],
      onStream: null,
      onEnd: null,
      onNoPath: null,
      path: () => readPath(created.peers),
      iceServers: loadIce().catch(() => []),
      sealed,
      replyTo: from,
      peers: [],
      closedStreams: new Set(),
      cancelExpiry: () => {},
      ended: false,
    };
    created.cancelExpiry = this.setTimer(() => this.end(created, 'expired'), SESSION_CONNECT_MS);
    this.sessions.set(id, created);
    this.init.onSession(created);
    this.signal(created, signal.s, signal.sig);
  }

  /** Ends the oldest session whose streams are not all up; false when every session is connected. */
  private evictOneUnconnected(): boolean {
    for (const session of this.sessions.values()) {
      if (session.streams.length < session.streamCount) {
        this.end(session, 'evicted');
        return true;
      }
    }
    return false;
  }

  /** Ends a session for good: forgets it (remembering its id), destroys its peers, tells its owner. */
  private end(session: SessionState, reason: EndReason): void {
    if (session.ended) return;
    session.ended = true;
    session.cancelExpiry();
    this.sessions.delete(session.id);
    this.ended.add(session.id, reason);
    for (const peer of session.peers) peer?.destroy();
    session.onEnd?.();
  }

  /** Hands a receiver's signal to its stream's peer, once the session's ICE servers are in (in arrival order). */
  private signal(session: SessionState, index: number, sig: SimplePeer.SignalData): void {
    const done = session.iceServers.then((iceServers) => {
      if (!session.ended) this.signalNow(session, iceServers, index, sig);
    });
    this.signalling.add(done);
    void done.finally(() => this.signalling.delete(done));
  }

  private signalNow(
    session: SessionState,
    iceServers: RTCIceServer[],
    index: number,
    sig: SimplePeer.SignalData,
  ): void {
    let peer = session.peers[index];
    if (!peer) {
      const created = (this.init.createPeer ?? createPeer)(false, { iceServers });
      peer = created;
      session.peers[index] = created;
      const relayOffered = offersRelay(iceServers);
      const stopWatching = watchIce(created, (relayErrors) => {
        if (session.ended || session.streams.length >= session.streamCount) return;
        session.onNoPath?.(noPathMessage({ relayOffered, relayErrors }));
        session.onNoPath = null;
      });
      created.on('connect', stopWatching);
      created.on('signal', (answer: SimplePeer.SignalData) => {
        void session.sealed
          .seal({ s: index, n: session.streamCount, sig: answer })
          .then((d) => this.client?.send(session.replyTo, d));
      });
      created.on('error', () => {}); // followed by 'close'
      created.on('close', () => {
        session.closedStreams.add(index);
        if (session.closedStreams.size >= session.streamCount) this.end(session, 'closed');
      });
      created.on('connect', () => {
        if (session.ended) return;
        const stream = new ProtocolStream(peerChannel(created), {
          stream: index,
          streams: session.streamCount,
        });
        stream.ready.then(
          () => {
            if (session.ended) return;
            session.streams.push(stream);
            if (session.streams.length === session.streamCount) session.cancelExpiry();
            session.onStream?.(stream);
          },
          () => {},
        );
      });
    }
    try {
      peer.signal(sig);
    } catch {
      // an unusable signal from the receiver: that stream will not come up
    }
  }

  /** Stops sharing: leaves the room and closes every receiver's streams. */
  close(): void {
    this.closed = true;
    this.client?.close();
    for (const session of [...this.sessions.values()]) {
      session.cancelExpiry();
      session.ended = true;
      for (const peer of session.peers) peer?.destroy();
    }
    this.sessions.clear();
  }
}
