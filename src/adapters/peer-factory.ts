// SPDX-License-Identifier: MIT
import SimplePeer from 'simple-peer';
import { MAX_STREAMS } from '../core/protocol/constants';
import { relayOnly } from './test-faults';

/** Settings every stream of a session shares. */
export interface PeerSettings {
  /** ICE servers from the relay's /config.json (empty on a LAN or in tests). */
  iceServers: RTCIceServer[];
}

/** One simple-peer connection for one stream. Always passes our ICE servers: simple-peer's defaults are public STUN servers. */
export function createPeer(initiator: boolean, settings: PeerSettings): SimplePeer.Instance {
  return new SimplePeer({
    initiator,
    trickle: true,
    config: {
      iceServers: settings.iceServers,
      // Tests on one host force the relay path; a shipped build has no way to.
      ...(__FERRY_TEST_HOOKS__ && relayOnly() ? { iceTransportPolicy: 'relay' as const } : {}),
    },
    channelConfig: { ordered: true },
  });
}

/** A signaling payload as sealed between the two browsers: which stream, of how many, and simple-peer's data. */
export interface StreamSignal {
  s: number;
  n: number;
  sig: SimplePeer.SignalData;
}

/** Validates an opened signaling payload; null when it is not one (a confused or hostile peer). */
export function asStreamSignal(value: unknown): StreamSignal | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Partial<StreamSignal>;
  if (!Number.isInteger(v.n) || v.n! < 1 || v.n! > MAX_STREAMS) return null;
  if (!Number.isInteger(v.s) || v.s! < 0 || v.s! >= v.n!) return null;
  if (typeof v.sig !== 'object' || v.sig === null) return null;
  const type = (v.sig as { type?: unknown }).type;
  const candidate = (v.sig as { candidate?: unknown }).candidate;
  if (
    !['offer', 'answer', 'candidate', 'renegotiate', 'transceiverRequest'].includes(String(type)) &&
    candidate === undefined
  )
    return null;
  return v as StreamSignal;
}

/** What a sender seals to a receiver it cannot take now: every session it can hold is connected. */
export const SESSION_BUSY = { refused: 'busy' } as const;

/** True when an opened signaling payload is the sender's `SESSION_BUSY`. */
export function isSessionBusy(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { refused?: unknown }).refused === 'busy'
  );
}

/** Longest wait for `/config.json`, ms: past it, connect without ICE servers rather than hang. */
export const CONFIG_TIMEOUT_MS = 10_000;

/**
 * Reads the relay's ICE servers from `/config.json`, fresh each time (TURN
 * credentials in it expire); none if it has none or cannot be read in time.
 */
export async function fetchIceServers(relay: string): Promise<RTCIceServer[]> {
  try {
    const response = await fetch(new URL('/config.json', relay), {
      cache: 'no-store',
      signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS),
    });
    const config = (await response.json()) as { iceServers?: RTCIceServer[] };
    return Array.isArray(config.iceServers) ? config.iceServers : [];
  } catch {
    return [];
  }
}
