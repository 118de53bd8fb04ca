// SPDX-License-Identifier: MIT
import type SimplePeer from 'simple-peer';
import {
  type PathSample,
  type PathSummary,
  pathFromStats,
  type StatsRecord,
  summarizePaths,
} from '../core/session/connection-path';

/** Most relay error codes kept per connection: a browser retrying a dead relay reports one per try. */
const MAX_ERRORS = 16;

// simple-peer keeps its RTCPeerConnection private; stats and ICE events live there.
const pcOf = (peer: SimplePeer.Instance): RTCPeerConnection | undefined =>
  (peer as unknown as { _pc?: RTCPeerConnection })._pc;

/** One connection's selected candidate pair, read from its stats; null before one is chosen or once closed. */
export async function samplePath(peer: SimplePeer.Instance): Promise<PathSample | null> {
  const pc = pcOf(peer);
  if (!pc || pc.connectionState === 'closed') return null;
  try {
    const report = await pc.getStats();
    return pathFromStats([...report.values()] as StatsRecord[]);
  } catch {
    return null; // closed while reading
  }
}

/** How a peer is connected over all its streams' connections; null when none has a pair yet. */
export async function readPath(
  peers: readonly (SimplePeer.Instance | undefined)[],
): Promise<PathSummary | null> {
  const live = peers.filter((p): p is SimplePeer.Instance => p !== undefined);
  return summarizePaths(await Promise.all(live.map(samplePath)));
}

/**
 * Calls `onNoPath` once, with the relay error codes seen, when this
 * connection cannot come up: its ICE failed, or it finished gathering
 * without a single candidate (relay-only and the relay refused us: nothing
 * to try, and the browser would otherwise wait forever). Returns a stop.
 */
export function watchIce(
  peer: SimplePeer.Instance,
  onNoPath: (relayErrors: number[]) => void,
): () => void {
  const pc = pcOf(peer);
  if (!pc) return () => {};
  let candidates = 0;
  let reported = false;
  const errors: number[] = [];
  const report = () => {
    if (reported) return;
    reported = true;
    onNoPath([...errors]);
  };
  const onCandidate = (e: RTCPeerConnectionIceEvent) => {
    if (e.candidate?.candidate) candidates++;
  };
  const onError = (e: Event) => {
    const code = (e as RTCPeerConnectionIceErrorEvent).errorCode;
    if (typeof code === 'number' && errors.length < MAX_ERRORS) errors.push(code);
  };
  const onGathering = () => {
    if (pc.iceGatheringState === 'complete' && candidates === 0) report();
  };
  const onIce = () => {
    if (pc.iceConnectionState === 'failed') report();
  };
  pc.addEventListener('icecandidate', onCandidate);
  pc.addEventListener('icecandidateerror', onError);
  pc.addEventListener('icegatheringstatechange', onGathering);
  pc.addEventListener('iceconnectionstatechange', onIce);
  return () => {
    reported = true;
    pc.removeEventListener('icecandidate', onCandidate);
    pc.removeEventListener('icecandidateerror', onError);
    pc.removeEventListener('icegatheringstatechange', onGathering);
    pc.removeEventListener('iceconnectionstatechange', onIce);
  };
}
