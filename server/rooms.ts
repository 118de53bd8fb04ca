// SPDX-License-Identifier: MIT
// Room bookkeeping of the rendezvous server, without sockets: peers are
// objects that can be sent a message and closed. One sender and up to N
// receivers per room; payloads are relayed untouched and never read.
// This is the room bus of a single node: every room in this process's memory.
import { createHash, timingSafeEqual } from 'node:crypto';
import { CLOSE, type Role } from '../src/core/signaling/messages';
import type { BusHealth, Peer, RoomBus } from './bus/room-bus';
import type { SignalLimits } from './config';

export type { Peer } from './bus/room-bus';

/** One rendezvous room. */
export interface Room {
  readonly id: string;
  sender: Peer | null;
  /** SHA-256 of the claim token the room's sender showed (the token itself is not kept); null if none. */
  claim: Buffer | null;
  readonly receivers: Map<string, Peer>;
  readonly expires: ReturnType<typeof setTimeout>;
  readonly noSenderTimers: Map<string, ReturnType<typeof setTimeout>>;
}

/** Reasons sent with close codes: sentences a person can act on. */
export const CLOSE_REASONS = {
  senderExists: 'This link is already being shared from another tab or device.',
  replaced: 'This tab reconnected to the Ferry server on a newer connection; this one is closed.',
  roomFull: 'Too many devices are receiving from this link at once. Try again later.',
  serverFull: 'The Ferry server is busy. Try again in a minute.',
  noSender: 'No one is sharing with this link any more. Ask the sender for a new link.',
  roomExpired: 'This link has expired. Ask the sender for a new one.',
} as const;

/** All rooms of one server, in its memory. */
export class Rooms implements RoomBus {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly limits: SignalLimits) {}

  /** Rooms open now. */
  get size(): number {
    return this.rooms.size;
  }

  /**
   * Adds `peer` to room `roomId` as `role`, or closes it with the reason it
   * cannot join. A sender showing the `claim` token of the room's present
   * sender is that same tab back on a new socket (a network switch, or its
   * old socket not yet seen dead): it takes the room over, and the stale
   * socket is closed. Any other sender is refused while one is present.
   */
  join(peer: Peer, roomId: string, role: Role, claim?: string): void {
    let room = this.rooms.get(roomId);
    if (!room) {
      if (this.rooms.size >= this.limits.maxRooms) {
        peer.close(CLOSE.serverFull, CLOSE_REASONS.serverFull);
        return;
      }
      room = {
        id: roomId,
        sender: null,
        claim: null,
        receivers: new Map(),
        expires: setTimeout(() => this.expire(roomId), this.limits.roomLifetimeMs),
        noSenderTimers: new Map(),
      };
      this.rooms.set(roomId, room);
    }
    if (role === 'send') {
      const claimHash = claim === undefined ? null : createHash('sha256').update(claim).digest();
      if (room.sender) {
        if (!claimHash || !room.claim || !timingSafeEqual(claimHash, room.claim)) {
          this.refuse(peer, room, CLOSE.senderExists, CLOSE_REASONS.senderExists);
          return;
        }
        const stale = room.sender;
        stale.room = null; // so its close does not empty the room or say the sender has gone
        room.sender = null;
        stale.drop(CLOSE.replaced, CLOSE_REASONS.replaced);
      }
      room.claim = claimHash;
      room.sender = peer;
      peer.role = role;
      peer.room = room;
      peer.send({ t: 'joined', id: peer.id, sender: true });
      for (const [id, receiver] of room.receivers) {
        clearTimeout(room.noSenderTimers.get(id));
        room.noSenderTimers.delete(id);
        receiver.send({ t: 'sender' });
        peer.send({ t: 'peer', id });
      }
      return;
    }
    if (room.receivers.size >= this.limits.maxReceiversPerRoom) {
      this.refuse(peer, room, CLOSE.roomFull, CLOSE_REASONS.roomFull);
      return;
    }
    room.receivers.set(peer.id, peer);
    peer.role = role;
    peer.room = room;
    peer.send({ t: 'joined', id: peer.id, sender: room.sender !== null });
    if (room.sender) room.sender.send({ t: 'peer', id: peer.id });
    else this.waitForSender(room, peer);
  }

  private refuse(peer: Peer, room: Room, code: number, reason: string): void {
    if (!room.sender && room.receivers.size === 0) this.remove(room);
    peer.close(code, reason);
  }

  private waitForSender(room: Room, peer: Peer): void {
    room.noSenderTimers.set(
      peer.id,
      setTimeout(() => peer.close(CLOSE.noSender, CLOSE_REASONS.noSender), this.limits.noSenderMs),
    );
  }

  /**
   * Relays sealed `data` from `peer`: a receiver's goes to the sender, a
   * sender's to the receiver named `to`. Returns false when there is no such
   * peer (the message is dropped).
   */
  relay(peer: Peer, to: string | null, data: string): boolean {
    const room = this.roomOf(peer);
    if (!room) return false;
    const target = peer.role === 'send' ? (to ? room.receivers.get(to) : undefined) : room.sender;
    if (!target || (peer.role === 'recv' && to !== null && to !== target.id)) return false;
    target.send({ t: 'relay', from: peer.id, data });
    return true;
  }

  /** Removes `peer` from its room and tells the other side. */
  leave(peer: Peer): void {
    const room = this.roomOf(peer);
    peer.room = null;
    if (!room) return;
    if (room.sender === peer) {
      room.sender = null;
      for (const receiver of room.receivers.values()) {
        receiver.send({ t: 'gone', id: peer.id });
        this.waitForSender(room, receiver);
      }
    } else if (room.receivers.get(peer.id) === peer) {
      room.receivers.delete(peer.id);
      clearTimeout(room.noSenderTimers.get(peer.id));
      room.noSenderTimers.delete(peer.id);
      room.sender?.send({ t: 'gone', id: peer.id });
    }
    if (!room.sender && room.receivers.size === 0) this.remove(room);
  }

  /** The room `peer` is a member of now; null for a peer of an expired or replaced room. */
  private roomOf(peer: Peer): Room | null {
    const room = peer.room && this.rooms.get(peer.room.id);
    if (!room) return null;
    return room.sender === peer || room.receivers.get(peer.id) === peer ? room : null;
  }

  /** Always ready: nothing outside this process. */
  health(): BusHealth {
    return { ok: true };
  }

  /** Closes every room (server shutdown). */
  close(): void {
    this.clear();
  }

  private expire(roomId: string): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    for (const p of [room.sender, ...room.receivers.values()])
      p?.close(CLOSE.roomExpired, CLOSE_REASONS.roomExpired);
    this.remove(room);
  }

  private remove(room: Room): void {
    clearTimeout(room.expires);
    for (const t of room.noSenderTimers.values()) clearTimeout(t);
    // Only the room object that owns the id may delete it: a member of an
    // expired room whose close arrives late must not delete a newer room.
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
  }

  /** Closes every room (server shutdown). */
  clear(): void {
    for (const room of [...this.rooms.values()]) this.remove(room);
  }
}
