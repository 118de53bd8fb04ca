import { EventEmitter } from 'node:events';
import type SimplePeer from 'simple-peer';
import { describe, expect, it, vi } from 'vitest';
import {
  type IncomingSession,
  MAX_SESSIONS,
  SESSION_CONNECT_MS,
  SenderHub,
} from '../../src/adapters/sender-hub';
import { deriveRoomKeys, SealedSession } from '../../src/adapters/signal-seal';
import type { SignalingHandlers } from '../../src/adapters/signaling-client';
import { CAPABILITIES } from '../../src/core/protocol/constants';
import { encodeMessage } from '../../src/core/protocol/encode';
import { MessageType } from '../../src/core/protocol/message-types';

const secret = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);

/** A peer connection that never connects: records signals, and says 'close' when destroyed. */
class FakePeer extends EventEmitter {
  readonly signals: SimplePeer.SignalData[] = [];
  destroyed = false;
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

/** A hub with fake peers, a fake signaling link and timers fired by hand. */
async function hubUnderTest() {
  const peers: FakePeer[] = [];
  const timers = new Set<{ fn: () => void; ms: number }>();
  const sent: { to: string | null; data: string }[] = [];
  const sessions: IncomingSession[] = [];
  const ended: string[] = [];
  let handlers: SignalingHandlers | null = null;
  const hub = new SenderHub({
    secret,
    relay: 'http://relay.invalid',
    iceServers: [],
    onSession: (session) => {
      sessions.push(session);
      session.onEnd = () => ended.push(session.id);
    },
    createPeer: () => {
      const peer = new FakePeer();
      peers.push(peer);
      return peer as unknown as SimplePeer.Instance;
    },
    connect: (_room, h) => {
      handlers = h;
      return { send: (to, data) => sent.push({ to, data }), close: () => {} };
    },
    setTimer: (fn, ms) => {
      const timer = { fn, ms };
      timers.add(timer);
      return () => timers.delete(timer);
    },
  });
  await vi.waitFor(() => expect(handlers).not.toBeNull());
  const { key } = await deriveRoomKeys(secret);
  let nextId = 1;
  return {
    hub,
    peers,
    sessions,
    ended,
    sent,
    /** A receiver with a fresh (seeded) session id, as the hub hears it through the server. */
    receiver(from = `r${nextId}`) {
      const sealed = new SealedSession(key, new Uint8Array(16).fill(nextId++), 'recv');
      return {
        sealed,
        seal: (value: unknown) => sealed.seal(value),
        deliver: (data: string) => handlers!.onRelay(from, data),
      };
    },
    /** Lets time pass until every pending timer has fired. */
    fireTimers() {
      for (const timer of [...timers]) {
        expect(timer.ms).toBeLessThanOrEqual(SESSION_CONNECT_MS);
        timers.delete(timer);
        timer.fn();
      }
    },
  };
}

const offer = (s: number, n: number) => ({ s, n, sig: { type: 'offer', sdp: `v=0 ${s}` } });
const candidate = (s: number, n: number, c: string) => ({
  s,
  n,
  sig: { candidate: { candidate: c, sdpMid: '0' } },
});

describe('SenderHub sessions', () => {
  it('leaves no session or peer connection behind after 40 failed handshakes', async () => {
    const t = await hubUnderTest();
    for (let i = 0; i < 40; i++) {
      const r = t.receiver();
      for (let s = 0; s < 6; s++) r.deliver(await r.seal(offer(s, 6)));
      await vi.waitFor(() => expect(t.sessions).toHaveLength(i + 1));
      await vi.waitFor(() => expect(t.peers).toHaveLength(6 * (i + 1)));
      if (i % 10 === 9) t.fireTimers(); // ICE never got through: the bound passes
    }
    expect(t.hub.size).toBe(0);
    expect(t.peers.every((p) => p.destroyed)).toBe(true);
    expect(t.ended).toHaveLength(40);
    // And the next receiver is heard, not ignored.
    const next = t.receiver();
    next.deliver(await next.seal(offer(0, 6)));
    await vi.waitFor(() => expect(t.sessions).toHaveLength(41));
    expect(t.hub.size).toBe(1);
  });

  it('makes room for a new receiver by ending the oldest unconnected session', async () => {
    const t = await hubUnderTest();
    for (let i = 0; i < MAX_SESSIONS; i++) {
      const r = t.receiver();
      r.deliver(await r.seal(offer(0, 1)));
    }
    await vi.waitFor(() => expect(t.sessions).toHaveLength(MAX_SESSIONS));
    const late = t.receiver();
    late.deliver(await late.seal(offer(0, 1)));
    await vi.waitFor(() => expect(t.sessions).toHaveLength(MAX_SESSIONS + 1));
    expect(t.ended).toEqual([t.sessions[0]!.id]);
    expect(t.peers[0]!.destroyed).toBe(true);
    expect(t.peers.filter((p) => p.destroyed)).toHaveLength(1);
    expect(t.hub.size).toBe(MAX_SESSIONS);
  });

  it('tells a new receiver the sender is busy when every session it can hold is connected', async () => {
    const t = await hubUnderTest();
    for (let i = 0; i < MAX_SESSIONS; i++) {
      const r = t.receiver();
      r.deliver(await r.seal(offer(0, 1)));
      await vi.waitFor(() => expect(t.peers).toHaveLength(i + 1));
      t.peers[i]!.connect(0, 1);
    }
    await vi.waitFor(() => expect(t.sessions.every((s) => s.streams.length === 1)).toBe(true));
    const late = t.receiver('late');
    late.deliver(await late.seal(offer(0, 1)));
    await vi.waitFor(() => expect(t.sent.filter((m) => m.to === 'late')).toHaveLength(1));
    expect(await late.sealed.open(t.sent.find((m) => m.to === 'late')!.data)).toEqual({
      refused: 'busy',
    });
    // Nobody connected was pushed out, and the refused session stays refused (not asked again).
    late.deliver(await late.seal(offer(0, 1)));
    const probe = t.receiver('probe'); // handled after late's second message: relays go in order
    probe.deliver(await probe.seal(offer(0, 1)));
    await vi.waitFor(() => expect(t.sent.filter((m) => m.to === 'probe')).toHaveLength(1));
    expect(t.sent.filter((m) => m.to === 'late')).toHaveLength(1);
    t.fireTimers();
    expect(t.sessions).toHaveLength(MAX_SESSIONS);
    expect(t.ended).toEqual([]);
    expect(t.hub.size).toBe(MAX_SESSIONS);
    expect(t.peers.some((p) => p.destroyed)).toBe(false);
  });

  it('removes a session whose streams all closed, and destroys its peers', async () => {
    const t = await hubUnderTest();
    const r = t.receiver();
    r.deliver(await r.seal(offer(0, 2)));
    r.deliver(await r.seal(offer(1, 2)));
    await vi.waitFor(() => expect(t.peers).toHaveLength(2));
    t.peers[0]!.emit('close'); // the receiver went away: both connections close
    expect(t.hub.size).toBe(1);
    t.peers[1]!.emit('close');
    expect(t.hub.size).toBe(0);
    expect(t.ended).toHaveLength(1);
    expect(t.peers.every((p) => p.destroyed)).toBe(true);
  });

  it('starts no ghost session when the server replays an ended session’s first message', async () => {
    const t = await hubUnderTest();
    const r = t.receiver();
    const first = await r.seal(offer(0, 1));
    r.deliver(first);
    await vi.waitFor(() => expect(t.peers).toHaveLength(1));
    t.peers[0]!.emit('close');
    expect(t.hub.size).toBe(0);
    r.deliver(first); // the server kept a copy
    const expired = t.receiver();
    const expiredFirst = await expired.seal(offer(0, 1));
    expired.deliver(expiredFirst);
    await vi.waitFor(() => expect(t.sessions).toHaveLength(2));
    t.fireTimers();
    expect(t.hub.size).toBe(0);
    expired.deliver(expiredFirst);
    // A genuine new receiver after the replays is heard, so the replays were handled, not queued.
    const fresh = t.receiver();
    fresh.deliver(await fresh.seal(offer(0, 1)));
    await vi.waitFor(() => expect(t.peers).toHaveLength(3));
    expect(t.sessions.map((s) => s.id)).toHaveLength(3);
    expect(new Set(t.sessions.map((s) => s.id)).size).toBe(3);
    expect(t.hub.size).toBe(1);
  });

  it('goes on with a handshake after one of its messages was lost', async () => {
    const t = await hubUnderTest();
    const r = t.receiver();
    r.deliver(await r.seal(offer(0, 1)));
    await r.seal(candidate(0, 1, 'lost on the way'));
    r.deliver(await r.seal(candidate(0, 1, 'candidate:1 1 udp 1 10.0.0.1 5000 typ host')));
    await vi.waitFor(() => expect(t.peers[0]?.signals).toHaveLength(2));
    expect(t.peers[0]!.signals[1]).toMatchObject({
      candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host' },
    });
  });
});
