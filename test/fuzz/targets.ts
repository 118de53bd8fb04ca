// SPDX-License-Identifier: MIT
// The decoders that take untrusted bytes or text, each with a structure-aware
// input generator and the invariants every input must keep: refused only with
// a Ferry error, and when accepted, re-encoded to exactly the same bytes.
import fc from 'fast-check';
import { deriveRoomKeys, SealedSession } from '../../src/adapters/signal-seal';
import { bytesEqual, utf8 } from '../../src/core/bytes';
import { ByteWriter } from '../../src/core/codec/byte-writer';
import { BLOCK_SIZE, MAX_FILES } from '../../src/core/constants';
import { decodeManifest, encodeManifest, MANIFEST_MAGIC } from '../../src/core/content/manifest';
import { isFerryError } from '../../src/core/errors';
import { MAX_RANGES_PER_REQUEST, MAX_STREAMS } from '../../src/core/protocol/constants';
import { decodeMessage } from '../../src/core/protocol/decode';
import { encodeMessage } from '../../src/core/protocol/encode';
import { type Message, MessageType } from '../../src/core/protocol/message-types';
import { parseClientMessage, parseServerMessage } from '../../src/core/signaling/messages';
import { decodeTicket, encodeTicket } from '../../src/core/ticket';
import { mutatedEncoding, mutatedText } from './mutate';

/** One decoder under fuzz: inputs and the check every input must pass (it throws when one does not). */
export interface FuzzTarget<T = unknown> {
  name: string;
  input: fc.Arbitrary<T>;
  check(input: T): void | Promise<void>;
  /** Set up once before the first input (keys and the like). */
  prepare?(): Promise<void>;
}

/** An invariant broken: what the fuzzer reports. */
export class FuzzViolation extends Error {
  override name = 'FuzzViolation';
}

/** Refusals must be Ferry errors of the decoder's own domain; anything else is a bug. */
function refusedProperly(err: unknown, domain: string): void {
  if (!isFerryError(err) || !err.name.startsWith(`${domain}/`)) {
    throw new FuzzViolation(
      `refused with ${(err as Error)?.name ?? typeof err}: ${(err as Error)?.message ?? String(err)}`,
    );
  }
}

const id = fc.nat({ max: 0xffff_ffff });
const smallData = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4096 }) },
);

/** Any valid protocol message (values within the decoder's bounds). */
const message: fc.Arbitrary<Message> = fc.oneof(
  fc
    .tuple(fc.nat({ max: 0xffff_ffff }), fc.integer({ min: 1, max: MAX_STREAMS }), fc.nat())
    .map(([capabilities, streams, s]) => ({
      type: MessageType.Hello as const,
      capabilities,
      streams,
      stream: s % streams,
    })),
  fc.record({
    type: fc.constant(MessageType.ManifestRequest as const),
    id,
    offset: fc.nat({ max: 1 << 26 }),
  }),
  fc.tuple(id, smallData, fc.nat({ max: 1 << 20 })).map(([rid, data, extra]) => ({
    type: MessageType.ManifestChunk as const,
    id: rid,
    total: data.length + extra,
    offset: extra,
    data,
  })),
  fc.record({
    type: fc.constant(MessageType.OutboardRequest as const),
    id,
    file: fc.nat({ max: MAX_FILES - 1 }),
    offset: fc.nat({ max: 1 << 20 }),
  }),
  fc
    .tuple(id, fc.nat({ max: MAX_FILES - 1 }), smallData, fc.nat({ max: 1 << 16 }))
    .map(([rid, file, data, extra]) => ({
      type: MessageType.OutboardChunk as const,
      id: rid,
      file,
      total: data.length + extra,
      offset: extra,
      data,
    })),
  fc.record({
    type: fc.constant(MessageType.BlockRequest as const),
    id,
    file: fc.nat({ max: MAX_FILES - 1 }),
    ranges: fc.array(
      fc.record({ start: fc.nat({ max: 1 << 24 }), count: fc.integer({ min: 1, max: 1 << 20 }) }),
      { maxLength: Math.min(16, MAX_RANGES_PER_REQUEST) },
    ),
  }),
  fc.record({
    type: fc.constant(MessageType.BlockData as const),
    id,
    file: fc.nat({ max: MAX_FILES - 1 }),
    block: fc.nat({ max: 1 << 24 }),
    offset: fc.nat({ max: BLOCK_SIZE - 1 }),
    data: smallData,
  }),
  fc.record({ type: fc.constant(MessageType.Cancel as const), id }),
  fc.record({
    type: fc.constant(MessageType.Error as const),
    id,
    code: fc.nat({ max: 0xffff }),
    message: fc.string({ maxLength: 100 }),
  }),
  fc.record({ type: fc.constant(MessageType.Bye as const), reason: fc.nat({ max: 0xffff }) }),
  fc.record({ type: fc.constant(MessageType.Ping as const), nonce: id }),
  fc.record({ type: fc.constant(MessageType.Pong as const), nonce: id }),
  fc
    .tuple(id, fc.nat({ max: MAX_FILES }), fc.nat({ max: MAX_FILES }), fc.nat(), fc.nat())
    .map(([rid, a, b, x, y]) => ({
      type: MessageType.Preparing as const,
      id: rid,
      filesReady: Math.min(a, b),
      fileCount: Math.max(a, b),
      hashedBytes: Math.min(x, y),
      totalBytes: Math.max(x, y),
    })),
  fc.record({
    type: fc.constant(MessageType.Plan as const),
    files: fc.nat({ max: MAX_FILES }),
    bytes: fc.nat(),
  }),
);

/** Protocol frames (the data channel's every message). */
export const frames: FuzzTarget<Uint8Array> = {
  name: 'frames',
  input: fc.oneof(
    { weight: 9, arbitrary: mutatedEncoding(message, encodeMessage) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  ),
  check(bytes) {
    let decoded: Message;
    try {
      decoded = decodeMessage(bytes);
    } catch (err) {
      refusedProperly(err, 'Protocol');
      return;
    }
    if (!bytesEqual(encodeMessage(decoded), bytes))
      throw new FuzzViolation('accepted a frame that does not re-encode to the same bytes');
  },
};

/** Path segments a sender might use, the hostile ones included. */
const segment = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom('a', 'docs', 'photo.jpg', 'Ünïcödé', 'файл', '日本', 'x y'),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '.',
      '..',
      '',
      'CON',
      'nul.txt',
      ' lead',
      'trail ',
      'a\\b',
      'a:b',
      '.git',
      'e\u0301',
      '\u202egpj.exe',
      'zero\u200bwidth',
      'fake\u2215slash',
      'full\uff0fwidth',
      'ctl\u0007',
      'a'.repeat(300),
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }) },
);

const fileSize = fc.oneof(
  fc.constantFrom(0, 1, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 5 * BLOCK_SIZE),
  fc.nat({ max: 64 * BLOCK_SIZE }),
  fc.nat(),
);

/** A manifest's fields, unchecked: the raw encoder below writes invalid ones too. */
const rawEntries = fc.array(
  fc.record({
    path: fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/')),
    size: fileSize,
    mtime: fc.nat(),
    fileHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    outboardHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  }),
  { maxLength: 8 },
);

/** The manifest layout written field by field, with no validation (so bad paths and orders get through to the decoder). */
function encodeRawManifest(
  entries: readonly {
    path: string;
    size: number;
    mtime: number;
    fileHash: Uint8Array;
    outboardHash: Uint8Array;
  }[],
): Uint8Array {
  const w = new ByteWriter(64).bytes(MANIFEST_MAGIC).u8(1).varint(entries.length);
  for (const e of entries) {
    w.lengthPrefixed(utf8(e.path)).varint(e.size).varint(e.mtime).bytes(e.fileHash);
    if (e.size > BLOCK_SIZE) w.bytes(e.outboardHash);
  }
  return w.finish();
}

/** Manifests (the sender's file list). */
export const manifests: FuzzTarget<Uint8Array> = {
  name: 'manifest',
  input: mutatedEncoding(
    // Sorted by path half the time, so that valid manifests are common enough to test acceptance.
    fc
      .tuple(rawEntries, fc.boolean())
      .map(([entries, sort]) =>
        sort
          ? [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
          : entries,
      ),
    encodeRawManifest,
  ),
  check(bytes) {
    let decoded: ReturnType<typeof decodeManifest>;
    try {
      decoded = decodeManifest(bytes);
    } catch (err) {
      refusedProperly(err, 'Manifest');
      return;
    }
    if (!bytesEqual(encodeManifest(decoded), bytes))
      throw new FuzzViolation('accepted a manifest that does not re-encode to the same bytes');
  },
};

const ticket = fc.record({
  secret: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  relayUrl: fc.option(
    fc.constantFrom(
      'https://relay.example',
      'http://127.0.0.1:8080',
      'https://ferry.example:8443/base',
    ),
    { nil: null },
  ),
  collectionHash: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: null }),
});

/** Tickets (the text after `#t=` in a link, or typed in). */
export const tickets: FuzzTarget<string> = {
  name: 'ticket',
  input: mutatedText(ticket, encodeTicket),
  check(text) {
    let decoded: ReturnType<typeof decodeTicket>;
    try {
      decoded = decodeTicket(text);
    } catch (err) {
      refusedProperly(err, 'Ticket');
      return;
    }
    if (encodeTicket(decoded) !== text.trim())
      throw new FuzzViolation('accepted a ticket that does not re-encode to the same text');
  },
};

const peerId = fc.constantFrom('AbCdEfGhIjKl', 'zzzzzzzzzzzz', 'bad id', '');
const sealedText = fc.string({
  unit: fc.constantFrom(...'AZaz09-_'.split('')),
  minLength: 20,
  maxLength: 80,
});
const clientMessage = fc.oneof(
  fc.record({
    t: fc.constant('join'),
    room: fc.string({
      unit: fc.constantFrom('a', 'B', '0', '-', '_'),
      minLength: 43,
      maxLength: 43,
    }),
    role: fc.constantFrom('send', 'recv'),
  }),
  fc.record({
    t: fc.constant('join'),
    room: fc.constant('a'.repeat(43)),
    role: fc.constantFrom('send', 'recv'),
    claim: fc.string({
      unit: fc.constantFrom('x', 'Y', '7', '-', '_'),
      minLength: 42,
      maxLength: 44,
    }),
  }),
  fc.record({ t: fc.constant('relay'), to: fc.option(peerId, { nil: null }), data: sealedText }),
);
const serverMessage = fc.oneof(
  fc.record({ t: fc.constant('joined'), id: peerId, sender: fc.boolean() }),
  fc.record({ t: fc.constantFrom('peer', 'gone'), id: peerId }),
  fc.record({ t: fc.constant('sender') }),
  fc.record({ t: fc.constant('relay'), from: peerId, data: sealedText }),
  fc.record({
    t: fc.constant('error'),
    code: fc.string({ maxLength: 50 }),
    message: fc.string({ maxLength: 600 }),
  }),
);

/** Parsed once, stringified and parsed again: an accepted message must be stable. */
function checkJsonMessage<T>(text: string, parse: (t: string) => T): void {
  let parsed: T;
  try {
    parsed = parse(text);
  } catch (err) {
    refusedProperly(err, 'Signal');
    return;
  }
  if (JSON.stringify(parse(JSON.stringify(parsed))) !== JSON.stringify(parsed))
    throw new FuzzViolation('an accepted message changes when parsed again');
}

/** Signaling messages a browser sends the server (the server's parser). */
export const clientMessages: FuzzTarget<string> = {
  name: 'signal-client',
  input: mutatedText(clientMessage, (m) => JSON.stringify(m)),
  check: (text) => checkJsonMessage(text, parseClientMessage),
};

/** Signaling messages the server sends a browser (the app's parser). */
export const serverMessages: FuzzTarget<string> = {
  name: 'signal-server',
  input: mutatedText(serverMessage, (m) => JSON.stringify(m)),
  check: (text) => checkJsonMessage(text, parseServerMessage),
};

/** Sealed handshake messages: a fixed key, messages sealed once, then mutated. */
const SEALED_POOL = 32;
const sealedPool: { text: string; value: unknown }[] = [];
let sealKey: CryptoKey | null = null;
const SESSION = new Uint8Array(16).fill(7);

/** Sealed signaling envelopes (what the server relays between the two browsers). */
export const sealedEnvelopes: FuzzTarget<{ index: number; text: string }> = {
  name: 'sealed-envelope',
  async prepare() {
    sealKey = (await deriveRoomKeys(new Uint8Array(32).fill(3))).key;
    for (let i = 0; i < SEALED_POOL; i++) {
      const value = {
        s: i % 6,
        n: 6,
        sig: { type: 'candidate', candidate: `candidate:${i} 1 udp ${i} 10.0.0.${i} 9 typ host` },
      };
      // A fresh sender each time: every pooled message is the first (sequence 0) of its session.
      const text = await new SealedSession(sealKey, SESSION, 'recv').seal(value);
      sealedPool.push({ text, value });
    }
  },
  input: fc.nat({ max: SEALED_POOL - 1 }).chain((index) =>
    mutatedText(fc.constant(index), (i) => sealedPool[i]?.text ?? '').map((text) => ({
      index,
      text,
    })),
  ),
  async check({ index, text }) {
    const original = sealedPool[index]!;
    const opened = await new SealedSession(sealKey!, SESSION, 'send').open(text);
    if (opened === null) return;
    if (text !== original.text) throw new FuzzViolation('opened a sealed message that was altered');
    if (JSON.stringify(opened) !== JSON.stringify(original.value))
      throw new FuzzViolation('opened a sealed message to something else than was sealed');
  },
};

/** Every decoder target, in the order `npm run fuzz` runs them. */
export const DECODER_TARGETS: FuzzTarget<never>[] = [
  frames,
  manifests,
  tickets,
  clientMessages,
  serverMessages,
  sealedEnvelopes,
] as FuzzTarget<never>[];
