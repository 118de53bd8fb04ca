import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/core/bytes';
import { ByteWriter } from '../../src/core/codec/byte-writer';
import { MAX_TOTAL_PATH_BYTES } from '../../src/core/constants';
import { decodeManifest } from '../../src/core/content/manifest';
import { checkPath, quotePath, sanitizePath, utf8Length } from '../../src/core/content/path-rules';

/** Encodes paths raw, without validation, as a hostile peer could (5-byte files). */
function rawManifest(paths: string[]): Uint8Array {
  const w = new ByteWriter();
  w.bytes(utf8('FRYM')).u8(1).varint(paths.length);
  for (const p of paths) w.lengthPrefixed(utf8(p)).varint(5).varint(0).bytes(new Uint8Array(32));
  return w.finish();
}

const refusal = (path: string) => {
  try {
    decodeManifest(rawManifest([path]));
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${JSON.stringify(path)} was accepted`);
};

describe('names that mislead the person reading them', () => {
  const formatCharacters: [string, string][] = [
    ['right-to-left override', 'invoice\u202Efdp.exe'],
    ['left-to-right embedding', 'a\u202Ab.txt'],
    ['right-to-left isolate', 'a\u2067b.txt'],
    ['zero-width space', 'pass\u200Bwords.txt'],
    ['zero-width non-joiner in a folder', '.g\u200Cit/config'],
    ['zero-width joiner', 'a\u200Db'],
    ['byte-order mark', '\uFEFFreadme.txt'],
    ['soft hyphen', 'ex\u00ADample.txt'],
    ['word joiner', 'a\u2060b'],
    ['Arabic letter mark', 'a\u061Cb'],
    ['language tag (outside the BMP)', 'a\u{E0041}b'],
  ];
  for (const [what, path] of formatCharacters) {
    it(`refuses a ${what} as Manifest/FormatCharacter`, () => {
      expect(refusal(path).name).toBe('Manifest/FormatCharacter');
    });
  }

  const lookalikes: [string, string][] = [
    ['U+2215 DIVISION SLASH', 'bank\u2215login.html'],
    ['U+2044 FRACTION SLASH', 'a\u2044b'],
    ['U+FF0F FULLWIDTH SOLIDUS', 'a\uFF0Fb'],
    ['U+29F8 BIG SOLIDUS', 'a\u29F8b'],
    ['U+2571 BOX DRAWINGS DIAGONAL', 'a\u2571b'],
    ['U+1D23A GREEK INSTRUMENTAL NOTATION SYMBOL-47', 'a\u{1D23A}b'],
    ['U+29F5 REVERSE SOLIDUS OPERATOR', 'a\u29F5b'],
    ['U+FE68 SMALL REVERSE SOLIDUS', 'a\uFE68b'],
    ['U+FF3C FULLWIDTH REVERSE SOLIDUS', 'a\uFF3Cb'],
    ['U+2216 SET MINUS', 'a\u2216b'],
  ];
  for (const [what, path] of lookalikes) {
    it(`refuses ${what} as Manifest/SlashLookalike`, () => {
      expect(refusal(path).name).toBe('Manifest/SlashLookalike');
    });
  }

  it('keeps ordinary names of other scripts that the confusables list also names', () => {
    for (const path of ['ノート.txt', '丿丶.txt', 'ⲫⳇ.txt', 'Ærø/å.txt', '😀 party.jpg']) {
      expect(() => checkPath(path), path).not.toThrow();
    }
  });

  it('names the file in the sentence with what misleads escaped, so the sentence reads as written', () => {
    const err = refusal('invoice\u202Efdp.exe');
    expect(err.message).toContain('"invoice\\u{202E}fdp.exe"');
    expect(err.message).not.toMatch(/\p{Cf}/u);
    const slash = refusal('bank\u2215login.html');
    expect(slash.message).toContain('"bank\\u{2215}login.html"');
  });

  it('quotes paths with quotes, backslashes, controls and long text made safe', () => {
    expect(quotePath('say "hi"\\x')).toBe('"say \\"hi\\"\\\\x"');
    expect(quotePath('a\u0000b\u2028c')).toBe('"a\\u{0}b\\u{2028}c"');
    expect(quotePath('x'.repeat(100))).toBe(`"${'x'.repeat(80)}…"`);
    // Cut by characters, never inside a surrogate pair.
    expect(quotePath('😀'.repeat(81))).toBe(`"${'😀'.repeat(80)}…"`);
  });
});

describe('reserved names', () => {
  it('refuses Windows device names with or without an extension, and only those', () => {
    for (const path of ['dir/com1.txt', 'LPT\u00B9.log', 'aux', 'x/Nul.tar.gz', 'con.']) {
      expect(refusal(path).name, path).toBe('Manifest/ReservedName');
    }
    for (const path of ['console.txt', 'auxiliary', 'com10', 'nul_x', 'a.con']) {
      expect(() => checkPath(path), path).not.toThrow();
    }
  });
});

describe('hidden folders', () => {
  it('allows hidden files, refuses any hidden folder', () => {
    expect(() => checkPath('.gitignore')).not.toThrow();
    expect(() => checkPath('project/.env')).not.toThrow();
    expect(refusal('project/.git/config').name).toBe('Manifest/DotFolder');
    expect(refusal('.config/x').message).toContain('hidden folder ".config"');
  });
});

describe('sanitizePath', () => {
  it('turns misleading local names into ones every receiver accepts', () => {
    expect(sanitizePath('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitizePath('a\u2215b/c\uFF3Cd')).toBe('a_b/c_d');
    expect(sanitizePath('repo/.git/config')).toBe('repo/_.git/config');
    expect(sanitizePath('\u200B/file')).toBe('file');
    for (const p of ['x\u200B/\u202E.txt', '.ssh/id', 'a\u2044b', '.\u200B./x']) {
      expect(() => checkPath(sanitizePath(p)), p).not.toThrow();
    }
  });
});

describe('the total size of names', () => {
  it('refuses a manifest whose names together pass MAX_TOTAL_PATH_BYTES before checking them', () => {
    const name = (i: number) => `${String(i).padStart(8, '0')}/${'n'.repeat(4000)}`;
    const count = Math.ceil(MAX_TOTAL_PATH_BYTES / 4009) + 1;
    const bytes = rawManifest(Array.from({ length: count }, (_, i) => name(i)));
    expect(() => decodeManifest(bytes)).toThrowError(
      expect.objectContaining({ name: 'Manifest/TooLarge' }),
    );
  });

  it('counts UTF-8 bytes without encoding', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a\u07FFb\u0800', '\uD800']) {
      expect(utf8Length(s), s).toBe(utf8(s).length);
    }
  });
});

describe('sanitizePath on any local name (property, seeded)', () => {
  it('always gives a path every receiver accepts', () => {
    const tricky = fc.constantFrom(
      '\u200B',
      '\u202E',
      '\u0301',
      '.',
      ' ',
      '/',
      '\\',
      '\u2215',
      'e',
      'con',
      '\u0000',
      '😀',
      '\uD800',
      'git~1',
      ':',
      'x'.repeat(125),
      `${'é'.repeat(62)} `,
    );
    const name = fc.array(fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 4 })), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(name, (parts) => {
        const local = parts.join('');
        expect(() => checkPath(sanitizePath(local)), JSON.stringify(local)).not.toThrow();
      }),
      { numRuns: 5000, seed: 6 },
    );
  });
});
