import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../src/core/bytes';
import { decodeTicket, encodeTicket, parseTicketInput, ticketLink } from '../../src/core/ticket';

const secret = Uint8Array.from({ length: 32 }, (_, i) => i);

describe('ticket encoding', () => {
  it('encodes a bare ticket to the golden text', () => {
    const text = encodeTicket({ secret, relayUrl: null, collectionHash: null });
    expect(text).toBe('AQAAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw');
    expect(decodeTicket(text)).toEqual({ secret, relayUrl: null, collectionHash: null });
  });

  it('encodes relay and collection hash to the golden text', () => {
    const ticket = {
      secret,
      relayUrl: 'https://ferry.example',
      collectionHash: new Uint8Array(32).fill(0xaa),
    };
    const text = encodeTicket(ticket);
    expect(text).toBe(
      'AQMAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH6qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqFWh0dHBzOi8vZmVycnkuZXhhbXBsZQ',
    );
    expect(decodeTicket(text)).toEqual(ticket);
  });

  it('makes a link with the ticket in the fragment, and reads it back from a pasted link', () => {
    const ticket = { secret, relayUrl: null, collectionHash: new Uint8Array(32).fill(7) };
    const link = ticketLink('https://ferry.example/', ticket);
    expect(link).toMatch(/^https:\/\/ferry\.example\/#t=[A-Za-z0-9_-]+$/);
    expect(parseTicketInput(`  ${link}\n`)).toEqual(ticket);
    expect(parseTicketInput(link.split('#t=')[1]!)).toEqual(ticket);
    expect(link.length).toBeLessThan(160);
  });
});

describe('hostile tickets are refused with the right error', () => {
  const good = encodeTicket({ secret, relayUrl: null, collectionHash: null });
  const bytes = (b: number[]) => toBase64Url(new Uint8Array(b));
  const relayTicket = (url: string) => {
    const u = new TextEncoder().encode(url);
    return bytes([1, 2, ...secret, u.length, ...u]);
  };
  const table: [string, string, string][] = [
    ['wrong version', bytes([2, 0, ...secret]), 'Ticket/UnsupportedVersion'],
    ['version zero', bytes([0, 0, ...secret]), 'Ticket/UnsupportedVersion'],
    ['unknown flags', bytes([1, 4, ...secret]), 'Ticket/BadEncoding'],
    ['too short', good.slice(0, 20), 'Ticket/BadLength'],
    ['too long', bytes([1, 0, ...secret, 9]), 'Ticket/BadLength'],
    ['collection hash cut', bytes([1, 1, ...secret, 1, 2, 3]), 'Ticket/BadLength'],
    ['empty', '', 'Ticket/BadLength'],
    ['bad base64 char', `${good.slice(0, -1)}!`, 'Ticket/BadEncoding'],
    ['standard base64 +/', good.replace(/A/g, '+'), 'Ticket/BadEncoding'],
    ['padding', `${good}==`, 'Ticket/BadEncoding'],
    ['impossible length', `${good}AAA`, 'Ticket/BadEncoding'],
    ['non-zero tail bits', `${good.slice(0, -1)}x`, 'Ticket/BadEncoding'],
    ['relay not a URL', relayTicket('not a url'), 'Ticket/BadRelayUrl'],
    ['relay javascript:', relayTicket('javascript:alert(1)'), 'Ticket/BadRelayUrl'],
    ['relay with credentials', relayTicket('https://u:p@x.example'), 'Ticket/BadRelayUrl'],
    ['relay bad UTF-8', bytes([1, 2, ...secret, 2, 0xc3, 0x28]), 'Ticket/BadRelayUrl'],
    ['relay length past end', bytes([1, 2, ...secret, 50, 0x68]), 'Ticket/BadRelayUrl'],
  ];
  for (const [what, text, name] of table) {
    it(`${what} → ${name}`, () => {
      expect(() => decodeTicket(text)).toThrowError(expect.objectContaining({ name }));
    });
  }

  it('explains a link without a ticket', () => {
    expect(() => parseTicketInput('https://ferry.example/')).toThrowError(
      expect.objectContaining({ name: 'Ticket/BadLink' }),
    );
    expect(() => parseTicketInput('https://ferry.example/#x=1')).toThrowError(
      expect.objectContaining({ name: 'Ticket/BadLink' }),
    );
    expect(() => parseTicketInput('   ')).toThrowError(
      expect.objectContaining({ name: 'Ticket/BadLink' }),
    );
  });

  it('refuses random text with a Ticket error only (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          decodeTicket(text);
          parseTicketInput(text);
        } catch (err) {
          expect((err as Error).name).toMatch(/^Ticket\//);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
