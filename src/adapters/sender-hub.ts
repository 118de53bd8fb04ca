// SPDX-License-Identifier: MIT
import type SimplePeer from 'simple-peer';
import { toHex } from '../core/bytes';
import { ProtocolStream } from '../core/session/protocol-stream';
import { peerChannel } from './peer-channel';
import { asStreamSignal, createPeer, fetchIceServers } from './peer-factory';
import { deriveRoomKeys, peekSessionId, SealedSession } from './signal-seal';
import { SignalingClient, signalUrl } from './signaling-client';

/** Most receiver sessions a sender keeps at once; more are ignored until one ends. */
export const MAX_SESSIONS = 32;

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
  /** Called when every stream has closed. */
  onEnd: (() => void) | null;
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
}

interface SessionState extends IncomingSession {
  sealed: SealedSession;
  replyTo: string;
  peers: (SimplePeer.Instance | undefined)[];
  closedStreams: number;
  streams: ProtocolStream[];
}

/**
 * The sender's side of the rendezvous: waits in the room, and for each
 * receiver that proves (by sealing with the ticket's key) it holds the
 * ticket, answers its WebRTC offers on every stream.
 */
export class SenderHub {
  private client: SignalingClient | null = null;
  private readonly sessions = new Map<string, SessionState>();
  private closed = false;

  constructor(private readonly init: SenderHubInit) {
    void this.start();
  }

  private async start(): Promise<void> {
    const [keys, iceServers] = await Promise.all([
      deriveRoomKeys(this.init.secret),
      fetchIceServers(this.init.relay),
    ]);
    if (this.closed) return;
    this.client = new SignalingClient(signalUrl(this.init.relay), keys.roomId, 'send', {
      onRelay: (from, data) => this.onRelay(keys.key, iceServers, from, data),
      onState: (state) => this.init.onState?.(state),
      onFatal: (error) => this.init.onState?.('failed', error.message),
    });
  }

  /** Relays are handled one at a time: a new receiver's first messages arrive together, before its session exists. */
  private relayQueue: Promise<void> = Promise.resolve();

  private onRelay(key: CryptoKey, iceServers: RTCIceServer[], from: string, data: string): void {
    this.relayQueue = this.relayQueue
      .then(() => this.handleRelay(key, iceServers, from, data))
      .catch(() => {});
  }

  private async handleRelay(
    key: CryptoKey,
    iceServers: RTCIceServer[],
    from: string,
    data: string,
  ): Promise<void> {
    const sid = peekSessionId(data);
    if (!sid) return;
    const id = toHex(sid);
    let session = this.sessions.get(id);
    if (!session) {
      if (this.sessions.size >= MAX_SESSIONS) return;
      // Nothing is kept for a message that does not open with the ticket's key.
      const sealed = new SealedSession(key, sid, 'send');
      const signal = asStreamSignal(await sealed.open(data));
      if (!signal || this.closed) return;
      session = {
        id,
        streamCount: signal.n,
        streams: [],
        onStream: null,
        onEnd: null,
        sealed,
        replyTo: from,
        peers: [],
        closedStreams: 0,
      };
      this.sessions.set(id, session);
      this.init.onSession(session);
      this.signal(session, iceServers, signal.s, signal.sig);
      return;
    }
    const signal = asStreamSignal(await session.sealed.open(data));
    if (!signal || signal.n !== session.streamCount) return;
    session.replyTo = from; // the receiver may have reconnected to the server under a new id
    this.signal(session, iceServers, signal.s, signal.sig);
  }

  private signal(
    session: SessionState,
    iceServers: RTCIceServer[],
    index: number,
    sig: SimplePeer.SignalData,
  ): void {
    let peer = session.peers[index];
    if (!peer) {
      const created = createPeer(false, { iceServers });
      peer = created;
      session.peers[index] = created;
      created.on('signal', (answer: SimplePeer.SignalData) => {
        void session.sealed
          .seal({ s: index, n: session.streamCount, sig: answer })
          .then((d) => this.client?.send(session.replyTo, d));
      });
      created.on('error', () => {});
      created.on('connect', () => {
        const stream = new ProtocolStream(peerChannel(created), {
          stream: index,
          streams: session.streamCount,
        });
        stream.onClose = () => {
          session.closedStreams++;
          if (session.closedStreams >= session.streamCount) {
            this.sessions.delete(session.id);
            session.onEnd?.();
          }
        };
        stream.ready.then(
          () => {
            session.streams.push(stream);
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
    for (const session of this.sessions.values()) for (const peer of session.peers) peer?.destroy();
    this.sessions.clear();
  }
}
