import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/core/bytes';
import { ByteWriter } from '../../src/core/codec/byte-writer';
import { MAX_FILES } from '../../src/core/constants';
import {
  buildManifest,
  collectionHash,
  decodeManifest,
  encodeManifest,
  type ManifestEntry,
} from '../../src/core/content/manifest';
import { caseCollisions, checkPath, sanitizePath } from '../../src/core/content/path-rules';
import { nobleBlake3, oracleHash } from '../helpers/data';

const h = (byte: number) => new Uint8Array(32).fill(byte);
const entry = (path: string, size = 5, extra: Partial<ManifestEntry> = {}): ManifestEntry => ({
  path,
  size,
  mtime: 0,
  fileHash: h(0x11),
  outboardHash: size > 1024 * 1024 ? h(0x33) : null,
  ...extra,
});

// Computed independently (Python, LEB128 by hand): see the note in the issue log.
const GOLDEN =
  '4652594d010205612e7478740580d095ffbc31' +
  '11'.repeat(32) +
  '0a6469722fc3a92e62696e81804000' +
  '22'.repeat(32) +
  '33'.repeat(32);

describe('manifest encoding', () => {
  const manifest = buildManifest([
    entry('dir/é.bin', 1048577, { fileHash: h(0x22), outboardHash: h(0x33) }),
    entry('a.txt', 5, { mtime: 1_700_000_000_000 }),
  ]);

  it('encodes to the golden bytes, in canonical order', () => {
    expect(toHex(encodeManifest(manifest))).toBe(GOLDEN);
  });

  it('sorts by UTF-8 bytes, not by UTF-16 code units', () => {
    // U+1F600 sorts before U+FF5E in UTF-16 (a surrogate, 0xD83D) but after it in UTF-8 (F0 > EF).
    const sorted = buildManifest([
      entry('\u{1F600}.txt'),
      entry('\uFF5E.txt'),
      entry('b.txt'),
      entry('a.txt'),
    ]);
    expect(sorted.files.map((f) => f.path)).toEqual([
      'a.txt',
      'b.txt',
      '\uFF5E.txt',
      '\u{1F600}.txt',
    ]);
  });

  it('decodes the golden bytes back to the same manifest', () => {
    const decoded = decodeManifest(fromHex(GOLDEN));
    expect(decoded.files.map((f) => f.path)).toEqual(['a.txt', 'dir/é.bin']);
    expect(decoded.files[0]!.mtime).toBe(1_700_000_000_000);
    expect(decoded.files[1]!.size).toBe(1048577);
    expect(toHex(encodeManifest(decoded))).toBe(GOLDEN);
  });

  it('has a collection hash equal to BLAKE3 of the canonical bytes', () => {
    expect(toHex(collectionHash(nobleBlake3(), fromHex(GOLDEN)))).toBe(
      toHex(oracleHash(fromHex(GOLDEN))),
    );
  });

  it('round-trips any valid manifest (property)', () => {
    const segment = fc
      .stringMatching(/^[a-zA-Z0-9_ é€-]{1,12}$/)
      .filter((s) => !/[. ]$/.test(s) && !/^(con|prn|aux|nul)$/i.test(s));
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(
        fc.uniqueArray(path, { maxLength: 20 }),
        fc.nat({ max: 3 * 1024 * 1024 }),
        (paths, size) => {
          const set = new Set(paths);
          const ok = paths.filter(
            (p) => ![...p.matchAll(/\//g)].some((m) => set.has(p.slice(0, m.index))),
          );
          const m = buildManifest(ok.map((p) => entry(p, size)));
          const bytes = encodeManifest(m);
          expect(toHex(encodeManifest(decodeManifest(bytes)))).toBe(toHex(bytes));
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Encodes entries raw, without any validation, as a hostile peer could. */
function rawManifest(
  entries: { path: string; size: number; mtime?: number; ob?: boolean }[],
  opts: { version?: number; count?: number } = {},
) {
  const w = new ByteWriter();
  w.bytes(utf8('FRYM'))
    .u8(opts.version ?? 1)
    .varint(opts.count ?? entries.length);
  for (const e of entries) {
    w.lengthPrefixed(utf8(e.path))
      .varint(e.size)
      .varint(e.mtime ?? 0)
      .bytes(h(1));
    if (e.ob ?? e.size > 1024 * 1024) w.bytes(h(2));
  }
  return w.finish();
}

describe('hostile manifests are refused with the right error', () => {
  const golden = fromHex(GOLDEN);
  const over53 = (() => {
    const w = new ByteWriter();
    w.bytes(utf8('FRYM')).u8(1).varint(1).lengthPrefixed(utf8('x'));
    // 2^53 as LEB128: eight 7-bit groups, the last one 0x10.
    w.bytes(fromHex('80808080808080' + '10'))
      .varint(0)
      .bytes(h(1));
    return w.finish();
  })();
  const table: [string, Uint8Array, string][] = [
    ['absolute path', rawManifest([{ path: '/etc/passwd', size: 1 }]), 'Manifest/AbsolutePath'],
    ['drive letter', rawManifest([{ path: 'C:/Windows/x', size: 1 }]), 'Manifest/AbsolutePath'],
    ['parent segment', rawManifest([{ path: 'a/../../x', size: 1 }]), 'Manifest/DotSegment'],
    ['dot segment', rawManifest([{ path: './x', size: 1 }]), 'Manifest/DotSegment'],
    ['lone ..', rawManifest([{ path: '..', size: 1 }]), 'Manifest/DotSegment'],
    ['empty segment', rawManifest([{ path: 'a//b', size: 1 }]), 'Manifest/EmptySegment'],
    ['trailing slash', rawManifest([{ path: 'a/', size: 1 }]), 'Manifest/EmptySegment'],
    ['empty path', rawManifest([{ path: '', size: 1 }]), 'Manifest/EmptySegment'],
    ['NUL byte', rawManifest([{ path: 'a\u0000b', size: 1 }]), 'Manifest/ControlCharacter'],
    ['newline', rawManifest([{ path: 'a\nb', size: 1 }]), 'Manifest/ControlCharacter'],
    ['C1 control', rawManifest([{ path: 'a\u009bb', size: 1 }]), 'Manifest/ControlCharacter'],
    ['backslash', rawManifest([{ path: 'a\\..\\b', size: 1 }]), 'Manifest/InvalidCharacter'],
    ['colon', rawManifest([{ path: 'ab:c', size: 1 }]), 'Manifest/InvalidCharacter'],
    ['drive-relative', rawManifest([{ path: 'a:b', size: 1 }]), 'Manifest/AbsolutePath'],
    ['reserved CON', rawManifest([{ path: 'dir/CON', size: 1 }]), 'Manifest/ReservedName'],
    ['reserved nul.txt', rawManifest([{ path: 'nul.txt', size: 1 }]), 'Manifest/ReservedName'],
    ['reserved com1', rawManifest([{ path: 'com1', size: 1 }]), 'Manifest/ReservedName'],
    ['trailing dot', rawManifest([{ path: 'name.', size: 1 }]), 'Manifest/ReservedName'],
    ['trailing space', rawManifest([{ path: 'name ', size: 1 }]), 'Manifest/ReservedName'],
    ['long name', rawManifest([{ path: 'n'.repeat(256), size: 1 }]), 'Manifest/NameTooLong'],
    [
      'long path',
      rawManifest([{ path: Array(20).fill('d'.repeat(250)).join('/'), size: 1 }]),
      'Manifest/PathTooLong',
    ],
    [
      'deep path',
      rawManifest([{ path: Array(65).fill('d').join('/'), size: 1 }]),
      'Manifest/PathTooLong',
    ],
    ['not NFC', rawManifest([{ path: 'e\u0301', size: 1 }]), 'Manifest/NotCanonical'],
    [
      'duplicate',
      rawManifest([
        { path: 'a', size: 1 },
        { path: 'a', size: 2 },
      ]),
      'Manifest/DuplicatePath',
    ],
    [
      'unsorted',
      rawManifest([
        { path: 'b', size: 1 },
        { path: 'a', size: 2 },
      ]),
      'Manifest/NotCanonical',
    ],
    [
      'file and folder',
      rawManifest([
        { path: 'a', size: 1 },
        { path: 'a/b', size: 2 },
      ]),
      'Manifest/PathConflict',
    ],
    ['size over 2^53', over53, 'Manifest/OutOfRange'],
    [
      'total over 2^53',
      rawManifest([
        { path: 'a', size: 2 ** 52 },
        { path: 'b', size: 2 ** 52 },
      ]),
      'Manifest/OutOfRange',
    ],
    ['absurd count', rawManifest([], { count: 2 ** 40 }), 'Manifest/TooManyFiles'],
    ['count over limit', rawManifest([], { count: MAX_FILES + 1 }), 'Manifest/TooManyFiles'],
    [
      'count past the data',
      rawManifest([{ path: 'a', size: 1 }], { count: 1000 }),
      'Manifest/Truncated',
    ],
    ['wrong magic', fromHex('00000000010100'), 'Manifest/BadMagic'],
    ['future version', rawManifest([], { version: 2 }), 'Manifest/UnsupportedVersion'],
    ['truncated', golden.slice(0, golden.length - 1), 'Manifest/Truncated'],
    ['trailing garbage', new Uint8Array([...golden, 0]), 'Manifest/TrailingBytes'],
    ['non-minimal varint', fromHex('4652594d018000'), 'Manifest/BadEncoding'],
    [
      'invalid UTF-8',
      fromHex(`4652594d010102c328050000${'11'.repeat(32)}`),
      'Manifest/BadEncoding',
    ],
    [
      'outboard hash missing',
      rawManifest([{ path: 'a', size: 2 * 1024 * 1024, ob: false }]),
      'Manifest/Truncated',
    ],
    ['empty input', new Uint8Array(0), 'Manifest/Truncated'],
    [
      '.git folder',
      rawManifest([{ path: '.git/hooks/post-checkout', size: 1 }]),
      'Manifest/DotFolder',
    ],
    [
      'hidden folder deep in',
      rawManifest([{ path: 'repo/.ssh/authorized_keys', size: 1 }]),
      'Manifest/DotFolder',
    ],
    [
      '.git by its short name',
      rawManifest([{ path: 'GIT~1/config', size: 1 }]),
      'Manifest/DotFolder',
    ],
  ];
  for (const [what, bytes, name] of table) {
    it(`${what} → ${name}`, () => {
      expect(() => decodeManifest(bytes)).toThrowError(expect.objectContaining({ name }));
    });
  }

  it('refuses random garbage with a Manifest error, never anything else (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const withMagic = new Uint8Array([...utf8('FRYM'), 1, ...bytes]);
        for (const input of [bytes, withMagic]) {
          try {
            decodeManifest(input);
          } catch (err) {
            expect((err as Error).name).toMatch(/^Manifest\//);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('path helpers', () => {
  it('sanitizes local names into paths every receiver accepts', () => {
    for (const p of [
      'a:b/c?.txt',
      'con',
      'dir\\sub\\file',
      'x. ',
      'e\u0301',
      '../../etc',
      'a\u0001b',
      'ok/name',
    ]) {
      expect(() => checkPath(sanitizePath(p))).not.toThrow();
    }
    expect(sanitizePath('photos/IMG:1.jpg')).toBe('photos/IMG_1.jpg');
    expect(sanitizePath('e\u0301')).toBe('é');
  });

  it('flags case-only collisions without refusing them', () => {
    expect(caseCollisions(['A.txt', 'a.txt', 'b', 'dir/X', 'dir/x'])).toEqual([
      ['A.txt', 'a.txt'],
      ['dir/X', 'dir/x'],
    ]);
    expect(() => buildManifest([entry('A.txt'), entry('a.txt')])).not.toThrow();
  });
});
