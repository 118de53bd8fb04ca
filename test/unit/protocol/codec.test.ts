import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/core/bytes';
import { MAX_FRAME_SIZE } from '../../../src/core/protocol/constants';
import { decodeMessage } from '../../../src/core/protocol/decode';
import { encodeMessage } from '../../../src/core/protocol/encode';
import {
  HashState,
  type Message,
  MessageType as T,
} from '../../../src/core/protocol/message-types';

// Golden frames, computed independently (Python, LEB128 by hand).
const GOLDEN: [string, Message, string][] = [
  ['HELLO', { type: T.Hello, capabilities: 0, stream: 2, streams: 6 }, '0101000206'],
  ['MANIFEST_REQUEST', { type: T.ManifestRequest, id: 7, offset: 300 }, '010207ac02'],
  [
    'MANIFEST_CHUNK',
    { type: T.ManifestChunk, id: 7, total: 1000, offset: 300, data: fromHex('deadbeef') },
    '010307e807ac02deadbeef',
  ],
  ['OUTBOARD_REQUEST', { type: T.OutboardRequest, id: 9, file: 3, offset: 64 }, '0104090340'],
  [
    'OUTBOARD_CHUNK',
    {
      type: T.OutboardChunk,
      id: 9,
      file: 3,
      total: 96,
      offset: 64,
      data: new Uint8Array(32).fill(0xaa),
    },
    `010509036040${'aa'.repeat(32)}`,
  ],
  [
    'BLOCK_REQUEST',
    {
      type: T.BlockRequest,
      id: 10,
      file: 3,
      ranges: [
        { start: 0, count: 4 },
        { start: 200, count: 1 },
      ],
    },
    '01060a03020004c80101',
  ],
  [
    'BLOCK_DATA',
    {
      type: T.BlockData,
      id: 10,
      file: 3,
      block: 200,
      offset: 262080,
      data: new TextEncoder().encode('xyz'),
    },
    '01070a03c801c0ff0f78797a',
  ],
  ['CANCEL', { type: T.Cancel, id: 10 }, '01080a'],
  [
    'ERROR',
    { type: T.Error, id: 10, code: 3, message: 'Block 9 is outside the file' },
    '01090a031b426c6f636b2039206973206f757473696465207468652066696c65',
  ],
  ['BYE', { type: T.Bye, reason: 0 }, '010a00'],
  ['PING', { type: T.Ping, nonce: 4294967295 }, '010bffffffff0f'],
  ['PONG', { type: T.Pong, nonce: 1 }, '010c01'],
  [
    'PREPARING',
    {
      type: T.Preparing,
      id: 5,
      filesReady: 3,
      fileCount: 300,
      hashedBytes: 1_000_000,
      totalBytes: 2 ** 40,
    },
    '010d0503ac02c0843d808080808020',
  ],
  ['PLAN', { type: T.Plan, files: 1000, bytes: 65_536_000 }, '010ee8078080a01f'],
  ['DRAFT_REQUEST', { type: T.DraftRequest, id: 7, offset: 300 }, '010f07ac02'],
  ['HASHES_REQUEST', { type: T.HashesRequest, id: 9, file: 3, from: 200 }, '01100903c801'],
  [
    'HASHES (hashing)',
    {
      type: T.Hashes,
      id: 9,
      file: 3,
      from: 2,
      state: HashState.Hashing,
      fileHash: null,
      hashes: new Uint8Array(64).fill(0xaa),
    },
    `011109030200${'aa'.repeat(64)}`,
  ],
  [
    'HASHES (done)',
    {
      type: T.Hashes,
      id: 9,
      file: 0,
      from: 0,
      state: HashState.Done,
      fileHash: new Uint8Array(32).fill(0xbb),
      hashes: new Uint8Array(0),
    },
    `011109000001${'bb'.repeat(32)}`,
  ],
  [
    'HASHES (failed)',
    {
      type: T.Hashes,
      id: 9,
      file: 1,
      from: 5,
      state: HashState.Failed,
      fileHash: null,
      hashes: new Uint8Array(0),
    },
    '011109010502',
  ],
];

describe('protocol frames: golden vectors', () => {
  for (const [name, message, hex] of GOLDEN) {
    it(`${name} encodes to ${hex.slice(0, 24)}… and decodes back`, () => {
      expect(toHex(encodeMessage(message))).toBe(hex);
      expect(decodeMessage(fromHex(hex))).toEqual(message);
    });
  }

  it('encodes every golden frame into one reused scratch buffer, each a view of it', () => {
    const scratch = new Uint8Array(MAX_FRAME_SIZE).fill(0xee);
    for (const [, message, hex] of GOLDEN) {
      const frame = encodeMessage(message, scratch);
      expect(frame.buffer).toBe(scratch.buffer);
      expect(toHex(frame)).toBe(hex);
    }
    // A frame larger than the scratch is still refused, never written past it.
    const huge = { type: T.BlockData, id: 1, file: 0, block: 0, offset: 0 } as const;
    expect(() => encodeMessage({ ...huge, data: new Uint8Array(MAX_FRAME_SIZE) }, scratch)).toThrow(
      RangeError,
    );
  });
});

describe('hostile frames are refused with a Protocol error', () => {
  const table: [string, Uint8Array, string][] = [
    ['empty', new Uint8Array(0), 'Protocol/Truncated'],
    ['version only', fromHex('01'), 'Protocol/Truncated'],
    ['future version', fromHex('0201000206'), 'Protocol/UnsupportedVersion'],
    ['version zero', fromHex('0001000206'), 'Protocol/UnsupportedVersion'],
    ['unknown type', fromHex('01ff'), 'Protocol/UnknownType'],
    ['type zero', fromHex('0100'), 'Protocol/UnknownType'],
    ['truncated HELLO', fromHex('01010002'), 'Protocol/Truncated'],
    ['trailing bytes', fromHex('010a0000'), 'Protocol/TrailingBytes'],
    ['stream past count', fromHex('0101000606'), 'Protocol/OutOfRange'],
    ['too many streams', fromHex('0101000009'), 'Protocol/OutOfRange'],
    ['zero streams', fromHex('0101000000'), 'Protocol/OutOfRange'],
    ['non-minimal varint', fromHex('01088000'), 'Protocol/BadEncoding'],
    ['varint over 2^53', fromHex('0108ffffffffffffffff7f'), 'Protocol/OutOfRange'],
    ['id over 2^32', fromHex('010880808080100'.padEnd(16, '0')), 'Protocol/OutOfRange'],
    ['manifest chunk past total', fromHex('0103070a08aabbcc'), 'Protocol/OutOfRange'],
    ['manifest over 64 MiB', fromHex('01030780808080010000'), 'Protocol/OutOfRange'],
    ['too many ranges', fromHex('01060a03814000'), 'Protocol/OutOfRange'],
    ['empty range', fromHex('01060a03010500'), 'Protocol/OutOfRange'],
    ['offset past a block', fromHex('01070a0301808040'), 'Protocol/OutOfRange'],
    ['error text not UTF-8', fromHex('01090a0302c328'), 'Protocol/BadEncoding'],
    ['error text too long', fromHex('01090a03818010'), 'Protocol/OutOfRange'],
    ['more files ready than files', fromHex('010d0503020000'), 'Protocol/OutOfRange'],
    ['more hashed than total', fromHex('010d0500000a09'), 'Protocol/OutOfRange'],
    ['file count over the limit', fromHex('010d0500a18d060000'), 'Protocol/OutOfRange'],
    ['plan over the file limit', fromHex('010ea18d0600'), 'Protocol/OutOfRange'],
    ['unknown hash state', fromHex('011109030203'), 'Protocol/OutOfRange'],
    ['a partial block hash', fromHex(`011109030200${'aa'.repeat(31)}`), 'Protocol/OutOfRange'],
    ['done without its file hash', fromHex(`011109030201${'bb'.repeat(10)}`), 'Protocol/Truncated'],
    [
      'more hashes than a reply may hold',
      fromHex(`011109030200${'aa'.repeat(32 * 4097)}`),
      'Protocol/OutOfRange',
    ],
    ['draft file index over the limit', fromHex('011009a08d0600'), 'Protocol/OutOfRange'],
    ['oversize frame', new Uint8Array(MAX_FRAME_SIZE + 1).fill(1), 'Protocol/TooLarge'],
  ];
  for (const [what, frame, name] of table) {
    it(`${what} → ${name}`, () => {
      expect(() => decodeMessage(frame)).toThrowError(expect.objectContaining({ name }));
    });
  }

  it('refuses random garbage with Protocol errors only, never a crash (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 1, max: 17 }),
        (body, type) => {
          for (const frame of [body, new Uint8Array([1, type, ...body])]) {
            try {
              const m = decodeMessage(frame);
              // Anything accepted must round-trip to the same bytes: one message, one encoding.
              expect(toHex(encodeMessage(m))).toBe(toHex(frame));
            } catch (err) {
              expect((err as Error).name).toMatch(/^Protocol\//);
            }
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('refuses every truncation of every golden frame', () => {
    for (const [, , hex] of GOLDEN) {
      const frame = fromHex(hex);
      for (let cut = 0; cut < frame.length; cut++) {
        let decoded: Message | null = null;
        try {
          decoded = decodeMessage(frame.slice(0, cut));
        } catch (err) {
          expect((err as Error).name).toMatch(/^Protocol\//);
        }
        // Frames ending in raw data legitimately decode shorter; they must still re-encode exactly.
        if (decoded) expect(toHex(encodeMessage(decoded))).toBe(toHex(frame.slice(0, cut)));
      }
    }
  });
});
