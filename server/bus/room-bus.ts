// SPDX-License-Identifier: MIT
// The one interface signal.ts talks to about rooms. Two implementations:
// rooms in this process's memory (server/rooms.ts, one node) and rooms shared
// through Redis (server/bus/redis-bus.ts, several nodes).
import type { Role, ServerMessage } from '../../src/core/signaling/messages';

/** A room a peer was put in, as the peer sees it: only its id (each bus keeps the rest). */
export interface RoomRef {
  readonly id: string;
}

/** A connected browser, as a room bus sees it. */
export interface Peer {
  readonly id: string;
  role: Role | null;
  /** The room the bus put this peer in; null before it joined, after it left, or once replaced. */
  room: RoomRef | null;
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
  /** Closes with a code and reason, without waiting for an answer: the other end is presumed gone. */
  drop(code: number, reason: string): void;
}

/** Whether this node can serve joins now (/healthz). */
export interface BusHealth {
  ok: boolean;
  /** Present with a Redis bus: whether this node reaches it. */
  redis?: 'ready' | 'unreachable';
}

/**
 * Rooms: one sender and up to N receivers per room, sealed payloads relayed
 * untouched. Every method keeps the order of what one peer sends.
 */
export interface RoomBus {
  /**
   * Adds `peer` to room `roomId` as `role` (sending it `joined`), or closes it
   * with the reason it cannot join. A sender showing the claim token of the
   * room's present sender takes the room over (see rooms.ts).
   */
  join(peer: Peer, roomId: string, role: Role, claim?: string): void | Promise<void>;
  /**
   * Relays sealed `data` from `peer`: a receiver's to the sender, a sender's to
   * receiver `to`. Resolves false when there is no such peer (dropped).
   */
  relay(peer: Peer, to: string | null, data: string): boolean | Promise<boolean>;
  /** Removes `peer` from its room, if it still belongs to it, and tells the other side. */
  leave(peer: Peer): void;
  /** Rooms with a member on this node. */
  readonly size: number;
  /** Whether this node can serve joins now. */
  health(): BusHealth;
  /** Stops timers and connections (server shutdown); members are closed by the caller. */
  close(): void | Promise<void>;
}
