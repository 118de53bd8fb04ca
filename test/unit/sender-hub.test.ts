import { describe, expect, it, vi } from 'vitest';
import { MAX_SESSIONS, SESSION_CONNECT_MS } from '../../src/adapters/sender-hub';
import { hubUnderTest } from '../helpers/sender-hub-harness';

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
      if (i % 10 === 9) expect(t.fireTimers()).toBeLessThanOrEqual(SESSION_CONNECT_MS); // ICE never got through: the bound passes
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
    expect(t.fireTimers()).toBeLessThanOrEqual(SESSION_CONNECT_MS);
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
    expect(t.fireTimers()).toBeLessThanOrEqual(SESSION_CONNECT_MS);
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

  it('fetches fresh ICE servers for each new receiver, not once for the page (TURN credentials expire)', async () => {
    const t = await hubUnderTest();
    const first = t.receiver();
    for (let s = 0; s < 2; s++) first.deliver(await first.seal(offer(s, 2)));
    await vi.waitFor(() => expect(t.peers).toHaveLength(2));
    // Hours later, another receiver: its peers get the credentials minted for it.
    const second = t.receiver();
    for (let s = 0; s < 2; s++) second.deliver(await second.seal(offer(s, 2)));
    await vi.waitFor(() => expect(t.peers).toHaveLength(4));
    await t.hub.settled();
    expect(t.iceLoads).toHaveLength(2);
    expect(t.peers.map((p) => p.iceServers)).toEqual([
      t.iceLoads[0],
      t.iceLoads[0],
      t.iceLoads[1],
      t.iceLoads[1],
    ]);
    // Signals that came while the servers were fetched reach the peer, in order.
    expect(t.peers[0]!.signals).toEqual([offer(0, 2).sig]);
  });
});
