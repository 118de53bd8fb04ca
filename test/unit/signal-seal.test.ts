import { describe, expect, it } from 'vitest';
import {
  deriveRoomKeys,
  MAX_PENDING_OPENS,
  peekSessionId,
  SealedSession,
} from '../../src/adapters/signal-seal';
import { fromBase64Url, toBase64Url, toHex } from '../../src/core/bytes';
import { parseClientMessage, parseServerMessage } from '../../src/core/signaling/messages';

const secret = Uint8Array.from({ length: 32 }, (_, i) => i);
const sid = new Uint8Array(16).fill(5);

async function pair(s = secret) {
  const { key } = await deriveRoomKeys(s);
  return { recv: new SealedSession(key, sid, 'recv'), send: new SealedSession(key, sid, 'send') };
}

describe('room keys', () => {
  it('derive a stable room id that reveals nothing of the secret', async () => {
    const a = await deriveRoomKeys(secret);
    const b = await deriveRoomKeys(secret);
    expect(a.roomId).toBe(b.roomId);
    expect(a.roomId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(toHex(fromBase64Url(a.roomId)!)).not.toContain(toHex(secret).slice(0, 16));
    expect((await deriveRoomKeys(new Uint8Array(32))).roomId).not.toBe(a.roomId);
  });
});

describe('sealed signaling', () => {
  it('carries messages both ways in order', async () => {
    const { recv, send } = await pair();
    const offer = {
      stream: 0,
      signal: { type: 'offer', sdp: 'v=0\r\na=fingerprint:sha-256 AB:CD' },
    };
    const sealed = await recv.seal(offer);
    expect(sealed).not.toContain('fingerprint');
    expect(peekSessionId(sealed)).toEqual(sid);
    expect(await send.open(sealed)).toEqual(offer);
    expect(await recv.open(await send.seal({ answer: 1 }))).toEqual({ answer: 1 });
    expect(await send.open(await recv.seal({ n: 2 }))).toEqual({ n: 2 });
  });

  it('drops a replayed message', async () => {
    const { recv, send } = await pair();
    const first = await recv.seal({ n: 1 });
    expect(await send.open(first)).toEqual({ n: 1 });
    expect(await send.open(first)).toBeNull();
    expect(send.dropped.outOfOrder).toBe(1);
  });

  it('opens the next messages after one was lost on the way', async () => {
    const { recv, send } = await pair();
    expect(await send.open(await recv.seal({ n: 1 }))).toEqual({ n: 1 });
    await recv.seal({ n: 2 }); // lost: the server dropped it, or the socket was reconnecting
    expect(await send.open(await recv.seal({ n: 3 }))).toEqual({ n: 3 });
    expect(await send.open(await recv.seal({ n: 4 }))).toEqual({ n: 4 });
    expect(send.dropped).toEqual({ forged: 0, outOfOrder: 0, malformed: 0, overflow: 0 });
  });

  it('drops reordered messages: one older than the last accepted', async () => {
    const { recv, send } = await pair();
    const one = await recv.seal({ n: 1 });
    const two = await recv.seal({ n: 2 });
    expect(await send.open(two)).toEqual({ n: 2 });
    expect(await send.open(one)).toBeNull();
    expect(await send.open(two)).toBeNull();
    expect(send.dropped.outOfOrder).toBe(2);
    expect(await send.open(await recv.seal({ n: 3 }))).toEqual({ n: 3 });
  });

  it('counts a forged sequence number as forged, and it does not move the window', async () => {
    const { recv, send } = await pair();
    const bytes = fromBase64Url(await recv.seal({ n: 1 }))!;
    bytes[1 + 16 + 1]! = 0x7f; // claims a far-ahead number the key never sealed
    expect(await send.open(toBase64Url(bytes))).toBeNull();
    expect(send.dropped.forged).toBe(1);
    expect(await send.open(await recv.seal({ n: 2 }))).toEqual({ n: 2 });
  });

  it('drops a message reflected back to its sender', async () => {
    const { recv } = await pair();
    expect(await recv.open(await recv.seal({ n: 1 }))).toBeNull();
    expect(recv.dropped.forged).toBe(1);
  });

  it('drops an altered message, one with a swapped session id, and one sealed with another key', async () => {
    const { recv, send } = await pair();
    const genuine = await recv.seal({ sdp: 'a=fingerprint' });
    const bytes = fromBase64Url(genuine)!;
    bytes[bytes.length - 5]! ^= 1;
    expect(await send.open(toBase64Url(bytes))).toBeNull();
    const other = new SealedSession(
      (await deriveRoomKeys(secret)).key,
      new Uint8Array(16).fill(6),
      'recv',
    );
    expect(await send.open(await other.seal({ x: 1 }))).toBeNull();
    const wrongKey = (await pair(new Uint8Array(32).fill(9))).recv;
    expect(await send.open(await wrongKey.seal({ x: 1 }))).toBeNull();
    expect(send.dropped.forged).toBe(3);
    // None of those advanced the sequence: the genuine message still opens, then the next one.
    expect(await send.open(genuine)).toEqual({ sdp: 'a=fingerprint' });
    expect(await send.open(await recv.seal({ ok: true }))).toEqual({ ok: true });
  });

  it('drops a flood past MAX_PENDING_OPENS without queueing it', async () => {
    const { recv, send } = await pair();
    const genuine = await recv.seal({ n: 1 });
    const opens = Array.from({ length: MAX_PENDING_OPENS + 44 }, () => send.open('AAAA'));
    expect(send.dropped.overflow).toBe(44);
    await Promise.all(opens);
    expect(send.dropped.malformed).toBe(MAX_PENDING_OPENS);
    // Once the backlog has drained, messages open again.
    expect(await send.open(genuine)).toEqual({ n: 1 });
  });

  it('counts garbage as malformed', async () => {
    const { send } = await pair();
    expect(await send.open('not base64!')).toBeNull();
    expect(await send.open('AAAA')).toBeNull();
    expect(send.dropped.malformed).toBe(2);
  });
});

describe('signaling envelopes', () => {
  const room = 'A'.repeat(43);
  it('accepts well-formed messages', () => {
    expect(parseClientMessage(JSON.stringify({ t: 'join', room, role: 'recv' }))).toEqual({
      t: 'join',
      room,
      role: 'recv',
    });
    expect(parseClientMessage(JSON.stringify({ t: 'relay', data: 'abc' }))).toEqual({
      t: 'relay',
      to: null,
      data: 'abc',
    });
    const claim = 'c'.repeat(43);
    expect(parseClientMessage(JSON.stringify({ t: 'join', room, role: 'send', claim }))).toEqual({
      t: 'join',
      room,
      role: 'send',
      claim,
    });
    expect(parseServerMessage(JSON.stringify({ t: 'joined', id: 'p1', sender: false }))).toEqual({
      t: 'joined',
      id: 'p1',
      sender: false,
    });
  });
  it('refuses malformed ones with Signal/BadMessage', () => {
    const bad = [
      'not json',
      '[]',
      'null',
      JSON.stringify({ t: 'join', room: 'short', role: 'recv' }),
      JSON.stringify({ t: 'join', room, role: 'admin' }),
      JSON.stringify({ t: 'join', room, role: 'send', claim: 'c'.repeat(42) }),
      JSON.stringify({ t: 'join', room, role: 'send', claim: `${'c'.repeat(42)}=` }),
      JSON.stringify({ t: 'join', room, role: 'recv', claim: 'c'.repeat(43) }),
      JSON.stringify({ t: 'relay', to: '../x', data: 'abc' }),
      JSON.stringify({ t: 'relay', data: 'has spaces' }),
      JSON.stringify({ t: 'relay', data: 'A'.repeat(48 * 1024 + 1) }),
      JSON.stringify({ t: 'nope' }),
    ];
    for (const text of bad)
      expect(() => parseClientMessage(text)).toThrowError(
        expect.objectContaining({ name: 'Signal/BadMessage' }),
      );
    expect(() => parseServerMessage(JSON.stringify({ t: 'relay', from: 'x' }))).toThrowError(
      expect.objectContaining({ name: 'Signal/BadMessage' }),
    );
  });
});
