import { describe, expect, it } from 'vitest';
import {
  ClientAddresses,
  DEFAULT_TRUSTED_PROXIES,
  limitKey,
  normalizeAddress,
  trustedProxyList,
} from '../../server/client-address';

const behind = (hops: number, trusted = DEFAULT_TRUSTED_PROXIES) =>
  new ClientAddresses({ hops, trusted });

describe('client addresses', () => {
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    const a = behind(1);
    expect(a.clientAddress('203.0.113.9', '10.1.1.1')).toBe('203.0.113.9');
    expect(a.clientAddress('::ffff:203.0.113.9', '10.1.1.1')).toBe('203.0.113.9');
    // Off (TRUST_PROXY unset): not even loopback is believed.
    expect(behind(0).clientAddress('127.0.0.1', '10.1.1.1')).toBe('127.0.0.1');
  });

  it('takes the right-most hop from a trusted proxy, never what the client wrote to its left', () => {
    const a = behind(1);
    expect(a.clientAddress('127.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
    // The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the address it saw.
    expect(a.clientAddress('127.0.0.1', '1.1.1.1, 198.51.100.7')).toBe('198.51.100.7');
    expect(a.clientAddress('::1', ['1.1.1.1', '198.51.100.7'])).toBe('198.51.100.7');
    expect(a.clientAddress('::ffff:127.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
  });

  it('takes the second entry from the right with TRUST_PROXY=2', () => {
    const a = behind(2, ['10.0.0.0/8']);
    expect(a.clientAddress('10.2.3.4', '6.6.6.6, 198.51.100.7, 10.9.9.9')).toBe('198.51.100.7');
    // Shorter than the chain, or garbage: the proxy itself is the key (too tight, never too loose).
    expect(a.clientAddress('10.2.3.4', '198.51.100.7')).toBe('10.2.3.4');
    expect(a.clientAddress('10.2.3.4', 'evil, 10.9.9.9')).toBe('10.2.3.4');
    expect(a.clientAddress('10.2.3.4', undefined)).toBe('10.2.3.4');
  });

  it('accepts ports and brackets some proxies add, and refuses what is not an IP', () => {
    expect(normalizeAddress('198.51.100.7:4242')).toBe('198.51.100.7');
    expect(normalizeAddress('[2001:db8::1]:4242')).toBe('2001:db8:0:0:0:0:0:1');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80:0:0:0:0:0:0:1');
    expect(normalizeAddress('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(normalizeAddress('unknown')).toBeNull();
    expect(normalizeAddress('1.2.3.4.5')).toBeNull();
  });

  it('keys IPv6 by /64 and IPv4-mapped IPv6 as IPv4', () => {
    expect(limitKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(limitKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(limitKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(limitKey('2001:0DB8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(limitKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(limitKey('198.51.100.7')).toBe('198.51.100.7');
    expect(limitKey('::1')).toBe('0:0:0:0::/64');
    expect(limitKey('::ffff:1.2.3.4'.replace('1.2.3.4', '102:304'))).toBe('1.2.3.4');
  });

  it('reads trusted proxies as addresses and CIDRs, and names a bad one', () => {
    const a = behind(1, ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1']);
    expect(a.trusts('10.200.0.1')).toBe(true);
    expect(a.trusts('::ffff:10.200.0.1')).toBe(true);
    expect(a.trusts('2001:db8:ffff::1')).toBe(true);
    expect(a.trusts('192.0.2.1')).toBe(true);
    expect(a.trusts('192.0.2.2')).toBe(false);
    expect(a.trusts('127.0.0.1')).toBe(false);
    for (const bad of ['10.0.0.0/33', 'proxy.example', '10.0.0.0/', '::1/129', '10.0.0.0/8x'])
      expect(() => trustedProxyList([bad]), bad).toThrow(/TRUSTED_PROXIES/);
  });
});
