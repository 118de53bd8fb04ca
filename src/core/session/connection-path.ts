// SPDX-License-Identifier: MIT
// How two browsers are connected, read from WebRTC statistics: straight
// between them, or through a TURN relay. Pure: the adapter hands in the
// stats records as plain objects (no DOM types here).

/** The ICE candidate types WebRTC reports (`RTCIceCandidateType`). */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** One stream's selected candidate pair: what each side used, and its round trip. */
export interface PathSample {
  local: CandidateType;
  remote: CandidateType;
  /** `currentRoundTripTime` of the pair, ms, or null when not measured yet. */
  rttMs: number | null;
}

/** How a peer (all its streams together) is connected. */
export interface PathSummary {
  /** 'relayed' when any stream goes through a relay: its traffic is not direct. */
  kind: 'direct' | 'relayed';
  /** The lowest round trip any stream measured, ms, or null. */
  rttMs: number | null;
}

/** One record of `RTCPeerConnection.getStats()`, as far as this module reads it. */
export type StatsRecord = Readonly<Record<string, unknown>> & { id?: unknown; type?: unknown };

const CANDIDATE_TYPES: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];

const asCandidateType = (value: unknown): CandidateType | null =>
  typeof value === 'string' && CANDIDATE_TYPES.includes(value) ? (value as CandidateType) : null;

/**
 * The pair the connection uses: the one the transport names as selected
 * (`selectedCandidatePairId`, the standard), else a pair flagged `selected`
 * (Firefox), else a succeeded nominated pair. Null before any is chosen.
 */
function selectedPair(byId: ReadonlyMap<string, StatsRecord>): StatsRecord | null {
  for (const record of byId.values()) {
    if (record.type !== 'transport' || typeof record.selectedCandidatePairId !== 'string') continue;
    const pair = byId.get(record.selectedCandidatePairId);
    if (pair?.type === 'candidate-pair') return pair;
  }
  const pairs = [...byId.values()].filter((r) => r.type === 'candidate-pair');
  return (
    pairs.find((p) => p.selected === true) ??
    pairs.find((p) => p.nominated === true && p.state === 'succeeded') ??
    null
  );
}

/** The selected pair's candidate types and round trip, from one connection's stats; null before a pair is chosen. */
export function pathFromStats(records: Iterable<StatsRecord>): PathSample | null {
  const byId = new Map<string, StatsRecord>();
  for (const record of records) if (typeof record.id === 'string') byId.set(record.id, record);
  const pair = selectedPair(byId);
  if (!pair) return null;
  const local = asCandidateType(byId.get(String(pair.localCandidateId))?.candidateType);
  const remote = asCandidateType(byId.get(String(pair.remoteCandidateId))?.candidateType);
  if (!local || !remote) return null;
  const rtt = pair.currentRoundTripTime;
  const rttMs =
    typeof rtt === 'number' && Number.isFinite(rtt) && rtt >= 0 ? Math.round(rtt * 1000) : null;
  return { local, remote, rttMs };
}

/** One peer's path from its streams' samples (nulls ignored); null when none has a pair yet. */
export function summarizePaths(samples: readonly (PathSample | null)[]): PathSummary | null {
  const known = samples.filter((s): s is PathSample => s !== null);
  if (known.length === 0) return null;
  const relayed = known.some((s) => s.local === 'relay' || s.remote === 'relay');
  const rtts = known.map((s) => s.rttMs).filter((ms): ms is number => ms !== null);
  return {
    kind: relayed ? 'relayed' : 'direct',
    rttMs: rtts.length > 0 ? Math.min(...rtts) : null,
  };
}

/** The path in words, for a person: "Direct connection · round trip 3 ms". */
export function describePath(path: PathSummary): string {
  const how = path.kind === 'direct' ? 'Direct connection' : 'Relayed through the TURN server';
  return path.rttMs === null ? how : `${how} · round trip ${path.rttMs} ms`;
}

/** An ICE server entry, as far as this module reads it. */
export interface IceServerUrls {
  urls: string | readonly string[];
}

/** True when the ICE servers include a TURN relay (a `turn:` or `turns:` address). */
export function offersRelay(servers: readonly IceServerUrls[]): boolean {
  return servers.some((s) =>
    (typeof s.urls === 'string' ? [s.urls] : s.urls).some((u) => /^turns?:/i.test(u)),
  );
}

/** What is known when no path was found between two browsers. */
export interface NoPathFacts {
  /** The server handed out a TURN relay. */
  relayOffered: boolean;
  /** STUN/TURN error codes the browser reported (`icecandidateerror`), e.g. 401. */
  relayErrors: readonly number[];
}

/** Relay answers meaning "your credentials are no good": 401 Unauthorized, 438 Stale Nonce, 441 Wrong Credentials. */
const AUTH_ERRORS: readonly number[] = [401, 438, 441];

/** Why no connection could be made, as a sentence a person can act on. */
export function noPathMessage(facts: NoPathFacts): string {
  if (!facts.relayOffered)
    return 'No network path was found between the two devices. They are probably on different networks that do not allow direct connections, and this Ferry server offers no relay (TURN) to go through: put both devices on the same Wi-Fi, or ask whoever runs this server to set up a TURN relay.';
  if (facts.relayErrors.some((code) => AUTH_ERRORS.includes(code)))
    return "No network path was found: the relay (TURN server) refused this device's credentials, which are wrong or have expired. Reload the page to get fresh ones; if that does not help, tell whoever runs this Ferry server that its TURN settings do not match its relay.";
  return 'No network path was found between the two devices, not even through the relay (TURN server). The relay may be down or blocked on this network: try another network (for example mobile data), or put both devices on the same Wi-Fi.';
}
