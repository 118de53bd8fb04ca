// SPDX-License-Identifier: MIT
import { fromBase64Url, toBase64Url, utf8 } from './bytes';
import { ByteReader } from './codec/byte-reader';
import { ByteWriter } from './codec/byte-writer';
import { HASH_SIZE, MAX_RELAY_URL_BYTES, SECRET_SIZE } from './constants';
import { FerryError } from './errors';

/** Current ticket format version. */
export const TICKET_VERSION = 1;

/** Fragment key of a ticket link: `https://HOST/#t=TICKET`. */
export const TICKET_FRAGMENT_KEY = 't';

const HAS_COLLECTION = 0b01;
const HAS_RELAY = 0b10;

/** Everything a receiver needs to find and trust a sender. */
export interface Ticket {
  /** 256-bit secret: the room id and the signaling key are derived from it. */
  secret: Uint8Array;
  /** Rendezvous server URL, when not the page's own origin. */
  relayUrl: string | null;
  /** Expected collection hash, when the sender had finished hashing. */
  collectionHash: Uint8Array | null;
}

/**
 * Ticket text: unpadded base64url of version u8, flags u8 (bit 0: collection
 * hash follows, bit 1: relay URL follows), secret (32), collection hash (32),
 * relay URL (varint length + UTF-8). 88 characters without a relay: a small QR code.
 */
export function encodeTicket(ticket: Ticket): string {
  if (ticket.secret.length !== SECRET_SIZE)
    throw new FerryError('Ticket/BadLength', `A ticket secret is ${SECRET_SIZE} bytes.`);
  if (ticket.relayUrl !== null) checkRelayUrl(ticket.relayUrl);
  const flags =
    (ticket.collectionHash ? HAS_COLLECTION : 0) | (ticket.relayUrl !== null ? HAS_RELAY : 0);
  const w = new ByteWriter(128).u8(TICKET_VERSION).u8(flags).bytes(ticket.secret);
  if (ticket.collectionHash) {
    if (ticket.collectionHash.length !== HASH_SIZE)
      throw new FerryError('Ticket/BadLength', 'A collection hash is 32 bytes.');
    w.bytes(ticket.collectionHash);
  }
  if (ticket.relayUrl !== null) w.lengthPrefixed(utf8(ticket.relayUrl));
  return toBase64Url(w.finish());
}

/** Decodes ticket text; throws a `Ticket/*` FerryError saying exactly what is wrong. */
export function decodeTicket(text: string): Ticket {
  const bytes = fromBase64Url(text.trim());
  if (bytes === null) {
    throw new FerryError(
      'Ticket/BadEncoding',
      'This ticket is damaged: it contains characters that cannot be in a ticket. Copy the whole link again.',
    );
  }
  if (bytes.length === 0) throw new FerryError('Ticket/BadLength', 'The ticket is empty.');
  const r = new ByteReader(bytes, 'Ticket');
  const version = r.u8('version');
  if (version !== TICKET_VERSION) {
    throw new FerryError(
      'Ticket/UnsupportedVersion',
      `This ticket was made by a ${version > TICKET_VERSION ? 'newer' : 'different'} version of Ferry (ticket version ${version}); reload the page to update.`,
    );
  }
  const flags = r.u8('flags');
  if ((flags & ~(HAS_COLLECTION | HAS_RELAY)) !== 0) {
    throw new FerryError(
      'Ticket/BadEncoding',
      'This ticket uses features this version of Ferry does not know.',
    );
  }
  const expected = 2 + SECRET_SIZE + (flags & HAS_COLLECTION ? HASH_SIZE : 0);
  if (bytes.length < expected + (flags & HAS_RELAY ? 1 : 0)) {
    throw new FerryError(
      'Ticket/BadLength',
      'This ticket is too short: part of the link is missing. Copy the whole link again.',
    );
  }
  const secret = r.bytes('secret', SECRET_SIZE).slice();
  const collectionHash =
    flags & HAS_COLLECTION ? r.bytes('collection hash', HASH_SIZE).slice() : null;
  let relayUrl: string | null = null;
  if (flags & HAS_RELAY) {
    try {
      relayUrl = r.utf8('relay URL', MAX_RELAY_URL_BYTES);
    } catch (err) {
      throw new FerryError(
        'Ticket/BadRelayUrl',
        'The server address in this ticket is damaged or too long.',
        { cause: err },
      );
    }
    checkRelayUrl(relayUrl);
  }
  if (r.remaining !== 0) {
    throw new FerryError(
      'Ticket/BadLength',
      'This ticket is longer than it should be: it may have been joined with other text.',
    );
  }
  return { secret, relayUrl, collectionHash };
}

/** Refuses a relay URL that is not an absolute http(s)/ws(s) URL without credentials or fragment. */
function checkRelayUrl(relayUrl: string): void {
  if (utf8(relayUrl).length > MAX_RELAY_URL_BYTES) {
    throw new FerryError(
      'Ticket/BadRelayUrl',
      `The server address in this ticket is longer than ${MAX_RELAY_URL_BYTES} bytes.`,
    );
  }
  let url: URL;
  try {
    url = new URL(relayUrl);
  } catch (err) {
    throw new FerryError(
      'Ticket/BadRelayUrl',
      `The server address in this ticket (${JSON.stringify(relayUrl)}) is not a valid URL.`,
      { cause: err },
    );
  }
  if (
    !['https:', 'http:', 'wss:', 'ws:'].includes(url.protocol) ||
    url.username ||
    url.password ||
    url.hash
  ) {
    throw new FerryError(
      'Ticket/BadRelayUrl',
      `The server address in this ticket (${JSON.stringify(relayUrl)}) is not an http(s) or ws(s) address.`,
    );
  }
}

/** The shareable link for a ticket: `ORIGIN/#t=TICKET` (the fragment never reaches a server). */
export function ticketLink(origin: string, ticket: Ticket): string {
  return `${origin.replace(/\/+$/, '')}/#${TICKET_FRAGMENT_KEY}=${encodeTicket(ticket)}`;
}

/**
 * Reads a ticket from what a person pasted or scanned: a full link with a
 * `#t=` fragment, or the bare ticket text.
 */
export function parseTicketInput(input: string): Ticket {
  const text = input.trim();
  if (text === '') throw new FerryError('Ticket/BadLink', 'Paste a Ferry link first.');
  const hashAt = text.indexOf('#');
  if (hashAt === -1) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(text)) {
      throw new FerryError(
        'Ticket/BadLink',
        'This link has no Ferry ticket in it (nothing after "#t="). Ask the sender for the whole link.',
      );
    }
    return decodeTicket(text);
  }
  const params = new Map(
    text
      .slice(hashAt + 1)
      .split('&')
      .map((part) => {
        const eq = part.indexOf('=');
        return eq === -1 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
      }),
  );
  const value = params.get(TICKET_FRAGMENT_KEY);
  if (!value) {
    throw new FerryError(
      'Ticket/BadLink',
      'This link has no Ferry ticket in it (nothing after "#t="). Ask the sender for the whole link.',
    );
  }
  return decodeTicket(value);
}
