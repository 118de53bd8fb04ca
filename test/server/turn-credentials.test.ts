import { describe, expect, it } from 'vitest';
import { readConfig } from '../../server/config';
import { iceServersNow, turnCredential } from '../../server/turn-credentials';

const defaults = { staticDir: '/nonexistent' };

describe('TURN REST credentials', () => {
  it('match the form coturn checks with use-auth-secret (golden vector from openssl)', () => {
    // printf '%s' "1700000000:ferry" | openssl dgst -sha1 -hmac s3cret -binary | base64
    const turn = { urls: ['turn:relay.test:3478'], secret: 's3cret', ttlSeconds: 600 };
    expect(turnCredential(turn, (1_700_000_000 - 600) * 1000 + 999)).toEqual({
      urls: ['turn:relay.test:3478'],
      username: '1700000000:ferry',
      credential: 'suMJynSchxbKjYy7nWnGUEIyEec=',
    });
  });

  it('are minted fresh per request after the fixed servers', () => {
    const config = readConfig(
      {
        STUN_URLS: 'stun:a.test',
        TURN_URLS: 'turn:b.test,turns:b.test:443',
        TURN_SECRET: 'k',
        TURN_TTL_S: '3600',
      },
      defaults,
    );
    const a = iceServersNow(config.iceServers, config.turn, 1_000_000);
    const b = iceServersNow(config.iceServers, config.turn, 2_000_000);
    expect(a[0]).toEqual({ urls: ['stun:a.test'] });
    expect(a[1]?.username).toBe(`${1000 + 3600}:ferry`);
    expect(b[1]?.username).toBe(`${2000 + 3600}:ferry`);
    expect(a[1]?.credential).not.toBe(b[1]?.credential);
  });

  it('refuse settings that cannot work, with a sentence naming them', () => {
    expect(() => readConfig({ TURN_SECRET: 'k' }, defaults)).toThrow(/TURN_SECRET needs TURN_URLS/);
    expect(() => readConfig({ TURN_SECRET: 'k', TURN_URLS: 'stun:x' }, defaults)).toThrow(
      /turn: or turns:/,
    );
    expect(() =>
      readConfig(
        { TURN_SECRET: 'k', TURN_URLS: 'turn:x', TURN_USERNAME: 'u', TURN_CREDENTIAL: 'p' },
        defaults,
      ),
    ).toThrow(/not both/);
    expect(() =>
      readConfig({ TURN_SECRET: 'k', TURN_URLS: 'turn:x', TURN_TTL_S: '5' }, defaults),
    ).toThrow(/TURN_TTL_S/);
    expect(readConfig({}, defaults).turn).toBeNull();
  });
});
