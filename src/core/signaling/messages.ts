// SPDX-License-Identifier: MIT
// Messages between a browser and the rendezvous server: small JSON text
// frames. The server reads only these envelopes; `data` is sealed end to end
// and opaque to it. Shared by the client and server/.
import { FerryError } from '../errors';

/** Which side of a room a connection is. */
export type Role = 'send' | 'recv';

/** Length of a room id: base64url of 32 bytes. */
export const ROOM_ID_LENGTH = 43;

/**
 * Length of a sender's claim token: base64url of 32 random bytes. A sender
 * tab picks one when it opens a room and shows it on every join, so the
 * server can give the room back to the same tab after a reconnect (and to no
 * one else while that tab is there) without learning anything of the ticket.
 */
export const CLAIM_LENGTH = 43;

/** Longest sealed payload accepted in a relay message, in characters (48 KiB: under the 64 KiB frame limit). */
export const MAX_SEALED_LENGTH = 48 * 1024;

/** Peer ids the server hands out: 1 to 32 URL-safe characters. */
const PEER_ID = /^[A-Za-z0-9_-]{1,32}$/;
const ROOM_ID = /^[A-Za-z0-9_-]{43}$/;
const CLAIM = /^[A-Za-z0-9_-]{43}$/;
const SEALED = /^[A-Za-z0-9_-]+$/;

/** Browser → server. */
export type ClientMessage =
  | { t: 'join'; room: string; role: Role; claim?: string }
  | { t: 'relay'; to: string | null; data: string };

/** Server → browser. */
export type ServerMessage =
  | { t: 'joined'; id: string; sender: boolean }
  | { t: 'peer'; id: string }
  | { t: 'sender' }
  | { t: 'gone'; id: string }
  | { t: 'relay'; from: string; data: string }
  | { t: 'error'; code: string; message: string };

/** WebSocket close codes the server uses, each with a reason sentence. */
export const CLOSE = {
  badMessage: 4400,
  noSender: 4404,
  idle: 4408,
  senderExists: 4409,
  roomExpired: 4410,
  replaced: 4411,
  tooLarge: 4413,
  rateLimited: 4429,
  roomFull: 4430,
  serverFull: 4503,
  shuttingDown: 1001,
} as const;

function bad(what: string): FerryError {
  return new FerryError('Signal/BadMessage', `Bad signaling message: ${what}.`);
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('not an object');
  return value as Record<string, unknown>;
}

function sealed(value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_SEALED_LENGTH ||
    !SEALED.test(value)
  ) {
    throw bad('sealed data missing, too long or not base64url');
  }
  return value;
}

function peerId(value: unknown): string {
  if (typeof value !== 'string' || !PEER_ID.test(value)) throw bad('peer id malformed');
  return value;
}

/** Validates a message from a browser (the server's side); throws `Signal/BadMessage`. */
export function parseClientMessage(text: string): ClientMessage {
  const m = parseObject(text);
  if (m.t === 'join') {
    if (typeof m.room !== 'string' || !ROOM_ID.test(m.room)) throw bad('room id malformed');
    if (m.role !== 'send' && m.role !== 'recv') throw bad('role must be "send" or "recv"');
    if (m.claim === undefined) return { t: 'join', room: m.room, role: m.role };
    if (m.role !== 'send') throw bad('only a sender shows a claim token');
    if (typeof m.claim !== 'string' || !CLAIM.test(m.claim)) throw bad('claim token malformed');
    return { t: 'join', room: m.room, role: m.role, claim: m.claim };
  }
  if (m.t === 'relay') {
    return {
      t: 'relay',
      to: m.to === undefined || m.to === null ? null : peerId(m.to),
      data: sealed(m.data),
    };
  }
  throw bad('unknown type');
}

/** Validates a message from the server (the browser's side); throws `Signal/BadMessage`. */
export function parseServerMessage(text: string): ServerMessage {
  const m = parseObject(text);
  switch (m.t) {
    case 'joined':
      if (typeof m.sender !== 'boolean') throw bad('joined without sender flag');
      return { t: 'joined', id: peerId(m.id), sender: m.sender };
    case 'peer':
      return { t: 'peer', id: peerId(m.id) };
    case 'sender':
      return { t: 'sender' };
    case 'gone':
      return { t: 'gone', id: peerId(m.id) };
    case 'relay':
      return { t: 'relay', from: peerId(m.from), data: sealed(m.data) };
    case 'error':
      if (typeof m.code !== 'string' || typeof m.message !== 'string' || m.message.length > 500)
        throw bad('error malformed');
      return { t: 'error', code: m.code.slice(0, 40), message: m.message };
    default:
      throw bad('unknown type');
  }
}
