import { describe, expect, it } from 'vitest';
import {
  describePath,
  noPathMessage,
  offersRelay,
  pathFromStats,
  summarizePaths,
} from '../../src/core/session/connection-path';

/** Stats as Chromium reports them: a transport naming its selected pair, and a second, unused pair. */
function chromiumStats(local: string, remote: string, rtt: number | null = 0.004) {
  return [
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP-used' },
    {
      id: 'CP-other',
      type: 'candidate-pair',
      localCandidateId: 'L-host',
      remoteCandidateId: 'R-host',
      state: 'failed',
      nominated: false,
    },
    {
      id: 'CP-used',
      type: 'candidate-pair',
      localCandidateId: 'L-used',
      remoteCandidateId: 'R-used',
      state: 'succeeded',
      nominated: true,
      currentRoundTripTime: rtt,
    },
    { id: 'L-host', type: 'local-candidate', candidateType: 'host' },
    { id: 'R-host', type: 'remote-candidate', candidateType: 'host' },
    { id: 'L-used', type: 'local-candidate', candidateType: local },
    { id: 'R-used', type: 'remote-candidate', candidateType: remote },
  ];
}

describe('pathFromStats', () => {
  it('reads the pair the transport selected, not another pair', () => {
    expect(pathFromStats(chromiumStats('relay', 'host'))).toEqual({
      local: 'relay',
      remote: 'host',
      rttMs: 4,
    });
    expect(pathFromStats(chromiumStats('host', 'srflx', null))).toEqual({
      local: 'host',
      remote: 'srflx',
      rttMs: null,
    });
  });

  it('falls back to a pair flagged selected (Firefox), then to a succeeded nominated one', () => {
    const firefox = chromiumStats('prflx', 'relay').filter((r) => r.type !== 'transport');
    expect(pathFromStats(firefox)?.remote).toBe('relay');
    const flagged = [
      ...firefox.map((r) => (r.id === 'CP-used' ? { ...r, nominated: false } : r)),
      {
        id: 'CP-sel',
        type: 'candidate-pair',
        localCandidateId: 'L-host',
        remoteCandidateId: 'R-host',
        selected: true,
      },
    ];
    expect(pathFromStats(flagged)).toMatchObject({ local: 'host', remote: 'host' });
  });

  it('is null before a pair is chosen, and for records it cannot trust', () => {
    expect(pathFromStats([])).toBeNull();
    expect(
      pathFromStats(
        chromiumStats('host', 'host')
          .filter((r) => r.type !== 'transport')
          .map((r) => ({ ...r, nominated: false })),
      ),
    ).toBeNull();
    expect(pathFromStats(chromiumStats('carrier-pigeon', 'host'))).toBeNull();
    expect(pathFromStats(chromiumStats('host', 'host', Number.NaN))?.rttMs).toBeNull();
    expect(pathFromStats(chromiumStats('host', 'host', -1))?.rttMs).toBeNull();
  });
});

describe('summarizePaths', () => {
  it('is relayed when any stream uses a relay on either side, with the lowest round trip', () => {
    const direct = { local: 'host', remote: 'host', rttMs: 9 } as const;
    expect(summarizePaths([direct, { ...direct, rttMs: 3 }])).toEqual({ kind: 'direct', rttMs: 3 });
    expect(summarizePaths([direct, { local: 'host', remote: 'relay', rttMs: 20 }])).toEqual({
      kind: 'relayed',
      rttMs: 9,
    });
    expect(summarizePaths([{ local: 'relay', remote: 'srflx', rttMs: null }, null])).toEqual({
      kind: 'relayed',
      rttMs: null,
    });
    expect(summarizePaths([null, null])).toBeNull();
  });

  it('says it in words', () => {
    expect(describePath({ kind: 'direct', rttMs: 3 })).toBe('Direct connection · round trip 3 ms');
    expect(describePath({ kind: 'relayed', rttMs: null })).toBe('Relayed through the TURN server');
  });
});

describe('when no path is found', () => {
  it('knows whether the server offers a relay', () => {
    expect(offersRelay([])).toBe(false);
    expect(offersRelay([{ urls: 'stun:stun.example.org' }])).toBe(false);
    expect(offersRelay([{ urls: ['stun:a', 'turns:relay.example.org:443?transport=tcp'] }])).toBe(
      true,
    );
  });

  it('asks for a relay when there is none, names refused credentials, else the relay itself', () => {
    expect(noPathMessage({ relayOffered: false, relayErrors: [] })).toMatch(
      /offers no relay \(TURN\)/,
    );
    expect(noPathMessage({ relayOffered: true, relayErrors: [701, 401] })).toMatch(
      /refused this device's credentials.*Reload the page/,
    );
    expect(noPathMessage({ relayOffered: true, relayErrors: [701] })).toMatch(
      /not even through the relay/,
    );
  });
});
