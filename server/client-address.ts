// SPDX-License-Identifier: MIT
// Who a request comes from, for per-client limits: the TCP peer, or the
// address a trusted proxy saw. Pure: no sockets, only strings in and out.
import { BlockList, isIP } from 'node:net';

/** How far X-Forwarded-For is believed (TRUST_PROXY and TRUSTED_PROXIES). */
export interface ProxySettings {
  /** Proxies in front of this server, each appending one X-Forwarded-For entry; 0: none. */
  hops: number;
  /** Addresses and CIDRs of those proxies: only a TCP peer among them is believed. */
  trusted: readonly string[];
}

/** Loopback, v4 and v6: a proxy on the same machine, the usual case. */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** Strips an IPv6 zone and brackets, and turns an IPv4-mapped IPv6 address into IPv4; null if not an IP. */
export function normalizeAddress(raw: string): string | null {
  let text = raw.trim();
  // A few proxies append the client's port ("1.2.3.4:5678", "[2001:db8::1]:5678").
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  if (v4WithPort) text = v4WithPort[1]!;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  text = text.replace(/%.*$/, '');
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6) return null;
  const groups = ipv6Groups(text);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6]!, groups[7]!];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return groups.map((g) => g.toString(16)).join(':');
}

/**
 * The key per-client limits count under: an IPv4 address as it is, an IPv6
 * address by its /64 (one household or phone gets a whole /64, so counting
 * per /128 would let it take 2^64 keys). `address` is normalized first.
 */
export function limitKey(address: string): string {
  const normalized = normalizeAddress(address);
  if (normalized === null) return address;
  if (isIP(normalized) === 4) return normalized;
  const groups = ipv6Groups(normalized);
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`isIP` already said 6). */
function ipv6Groups(text: string): number[] {
  let s = text.toLowerCase();
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    const [a, b, c, d] = s
      .slice(lastColon + 1)
      .split('.')
      .map(Number) as [number, number, number, number];
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((g) => Number.parseInt(g, 16)) : [];
  const front = parse(head);
  const back = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - front.length - back.length).fill(0);
  return [...front, ...zeros, ...back];
}

/** Builds the set of trusted proxies; throws a sentence naming a bad entry. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const normalized = normalizeAddress(address);
    const family = normalized === null ? 0 : isIP(normalized);
    const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
    if (
      normalized === null ||
      !Number.isInteger(bits) ||
      bits < 0 ||
      bits > (family === 4 ? 32 : 128) ||
      (prefix !== undefined && !/^\d+$/.test(prefix))
    ) {
      throw new Error(
        `TRUSTED_PROXIES must be addresses or CIDRs (e.g. 127.0.0.1,10.0.0.0/8,::1), not ${JSON.stringify(entry)}.`,
      );
    }
    list.addSubnet(normalized, bits, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** Finds the client behind each connection, believing X-Forwarded-For only from trusted proxies. */
export class ClientAddresses {
  private readonly trusted: BlockList;

  constructor(private readonly settings: ProxySettings) {
    this.trusted = trustedProxyList(settings.trusted);
  }

  /** True when `peer` (a TCP peer address) is a proxy whose X-Forwarded-For is believed. */
  trusts(peer: string | undefined): boolean {
    if (this.settings.hops === 0 || !peer) return false;
    const address = normalizeAddress(peer);
    if (address === null) return false;
    return this.trusted.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The client's address: the TCP peer's, unless the peer is a trusted proxy;
   * then the entry `hops` from the right of X-Forwarded-For. Each proxy
   * appends the address it saw, so entries to the left of that one were
   * written by the client and are never read. A header shorter than the
   * configured chain, or an entry that is not an IP, counts as the proxy
   * itself: limits then bind too tightly, never too loosely.
   */
  clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    const own = (peer && normalizeAddress(peer)) || 'unknown';
    if (!this.trusts(peer) || forwardedFor === undefined) return own;
    const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const entry = entries[entries.length - this.settings.hops];
    return (entry !== undefined && normalizeAddress(entry)) || own;
  }
}
