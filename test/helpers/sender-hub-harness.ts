// SPDX-License-Identifier: MIT
// A SenderHub with fake peer connections, a fake signaling link and timers
// fired by hand: the unit tests and the session-table model fuzz drive it.
import { EventEmitter } from 'node:events';
import type SimplePeer from 'simple-peer';
import { type IncomingSession, SenderHub } from '../../src/adapters/sender-hub';
import { deriveRoomKeys, SealedSession } from '../../src/adapters/signal-seal';
import type { SignalingHandlers } from '../../src/adapters/signaling-client';
import { CAPABILITIES } from '../../src/core/protocol/constants';
import { encodeMessage } from '../../src/core/protocol/encode';
import { MessageType } from '../../src/core/protocol/message-types';

const secret = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);

/** A peer connection that never connects by itself: records signals, and says 'close' when destroyed. */
export class FakePeer extends EventEmitter {
  readonly signals: SimplePeer.SignalData[] = [];
  destroyed = false;
  /** The ICE servers the hub made this peer with. */
  iceServers: RTCIceServer[] = [];
  signal(sig: SimplePeer.SignalData): void {
    this.signals.push(sig);
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
  read(): null {
    return null;
  }
  /** Connects as stream `stream` of `streams`, and the receiver's hello arrives. */
  connect(stream: number, streams: number): void {
    const dc = {
      bufferedAmount: 0,
      bufferedAmountLowThreshold: 0,
      readyState: 'open',
      send: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      onmessage: null as ((event: { data: ArrayBuffer }) => void) | null,
    };
    Object.assign(this, { _channel: dc });
    this.emit('connect');
    const hello = encodeMessage({
      type: MessageType.Hello,
      capabilities: CAPABILITIES,
      stream,
      streams,
    });
    dc.onmessage!({ data: hello.slice().buffer as ArrayBuffer });
  }
}

/** A timer the test fires by hand. */
export interface HandTimer {
  fn: () => void;
  ms: number;
}

/** A hub with fake peers, a fake signaling link and timers fired by hand. */
export async function hubUnderTest() {
  const peers: FakePeer[] = [];
  const timers = new Set<HandTimer>();
  const sent: { to: string | null; data: string }[] = [];
  const sessions: IncomingSession[] = [];
  const ended: string[] = [];
  /** ICE servers handed out, one list per fetch (each with its own TURN username, as the server mints them). */
  const iceLoads: RTCIceServer[][] = [];
  let linked!: (h: SignalingHandlers) => void;
  const link = new Promise<SignalingHandlers>((resolve) => {
    linked = resolve;
  });
  const hub = new SenderHub({
    secret,
    relay: 'http://relay.invalid',
    loadIceServers: async () => {
      const servers = [{ urls: 'turn:relay.invalid', username: `user-${iceLoads.length + 1}` }];
      iceLoads.push(servers);
      return servers;
    },
    onSession: (session) => {
      sessions.push(session);
      session.onEnd = () => ended.push(session.id);
    },
    createPeer: (_initiator, settings) => {
      const peer = new FakePeer();
      peer.iceServers = settings.iceServers;
      peers.push(peer);
      return peer as unknown as SimplePeer.Instance;
    },
    connect: (_room, h) => {
      linked(h);
      return { send: (to, data) => sent.push({ to, data }), close: () => {} };
    },
    setTimer: (fn, ms) => {
      const timer = { fn, ms };
      timers.add(timer);
      return () => timers.delete(timer);
    },
  });
  const handlers = await link;
  const { key } = await deriveRoomKeys(secret);
  let nextId = 1;
  return {
    hub,
    peers,
    sessions,
    ended,
    iceLoads,
    sent,
    timers,
    /** A receiver with a fresh (seeded) session id, as the hub hears it through the server. */
    receiver(from = `r${nextId}`) {
      const sid = new Uint8Array(16);
      new DataView(sid.buffer).setUint32(0, nextId++);
      const sealed = new SealedSession(key, sid, 'recv');
      return {
        sealed,
        seal: (value: unknown) => sealed.seal(value),
        deliver: (data: string) => handlers.onRelay(from, data),
      };
    },
    /** Lets time pass until every pending timer has fired; returns the longest delay among them. */
    fireTimers(): number {
      let longest = 0;
      for (const timer of [...timers]) {
        longest = Math.max(longest, timer.ms);
        timers.delete(timer);
        timer.fn();
      }
      return longest;
    },
  };
}
