import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes, utf8 } from '../../src/core/bytes';
import { ByteWriter } from '../../src/core/codec/byte-writer';
import { MAX_FILES, MAX_PATH_DEPTH, MAX_TOTAL_PATH_BYTES } from '../../src/core/constants';
import { fileFolderConflict, type WorkTally } from '../../src/core/content/folder-conflict';
import { decodeManifest } from '../../src/core/content/manifest';

const canonical = (paths: string[]) => [...paths].sort((a, b) => compareBytes(utf8(a), utf8(b)));

/** The obvious check: is any folder of any path also a listed file? */
function naiveConflict(paths: string[]): boolean {
  const set = new Set(paths);
  return paths.some((p) => [...p.matchAll(/\//g)].some((m) => set.has(p.slice(0, m.index))));
}

/** The work a check may do: a few steps per character and per path. */
const linearBound = (paths: string[]) => 2 * paths.reduce((sum, p) => sum + p.length + 1, 0);

describe('file/folder conflicts', () => {
  it('finds a file that is also a folder, past names that sort between them', () => {
    // " " (0x20), "-" (0x2D) and "." (0x2E) sort before "/" (0x2F): "a/b" is not next to "a".
    expect(fileFolderConflict(['a', 'a b', 'a-c/d', 'a.txt', 'a/b'])).toEqual({
      file: 'a',
      path: 'a/b',
    });
    expect(fileFolderConflict(['x/a', 'x/a b/c', 'x/a/d'])).toEqual({ file: 'x/a', path: 'x/a/d' });
    expect(fileFolderConflict(['a', 'a b/c', 'ab/c', 'b'])).toBeNull();
    expect(fileFolderConflict([])).toBeNull();
  });

  it('agrees with the obvious check on any canonical list (property, seeded)', () => {
    const segment = fc.constantFrom('a', 'b', 'a b', 'a.b', 'a-', 'é', '😀', 'ab');
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(fc.uniqueArray(path, { maxLength: 12 }), (paths) => {
        const sorted = canonical(paths);
        expect(fileFolderConflict(sorted) !== null).toBe(naiveConflict(sorted));
      }),
      { numRuns: 3000, seed: 14 },
    );
  });

  it('does work linear in the total length of the paths, however deep they are', () => {
    // The old check looked up every folder of every path: 64 folders of 60 characters cost
    // 64 slices of up to 3,900 characters for each path, quadratic in its depth.
    const deep = canonical(
      Array.from({ length: 500 }, (_, i) =>
        [...Array.from({ length: MAX_PATH_DEPTH - 1 }, () => 'd'.repeat(60)), `f${i}`].join('/'),
      ),
    );
    // Each path a prefix of the next (not at a "/"): the chain grows as long as it can.
    const chain = Array.from({ length: 2000 }, (_, i) => `a${' a'.repeat(i)}`);
    for (const paths of [deep, chain, [...chain, 'b/c']]) {
      const tally: WorkTally = { steps: 0 };
      expect(fileFolderConflict(paths, tally)).toBeNull();
      expect(tally.steps).toBeLessThanOrEqual(linearBound(paths));
    }
  });

  it('checks the largest manifest accepted (MAX_FILES paths as deep as the names allow) in linear work', {
    timeout: 60_000,
  }, () => {
    const perPath = Math.floor(MAX_TOTAL_PATH_BYTES / MAX_FILES);
    const depth = Math.min(MAX_PATH_DEPTH - 1, Math.floor((perPath - 6) / 2));
    const folder = Array.from({ length: depth }, () => 'd').join('/');
    const paths = Array.from(
      { length: MAX_FILES },
      (_, i) => `${folder}/${String(i).padStart(5, '0')}`,
    );
    const w = new ByteWriter(16 * 1024 * 1024);
    w.bytes(utf8('FRYM')).u8(1).varint(paths.length);
    for (const p of paths) w.lengthPrefixed(utf8(p)).varint(5).varint(0).bytes(new Uint8Array(32));
    const manifest = decodeManifest(w.finish());
    expect(manifest.files).toHaveLength(MAX_FILES);
    const tally: WorkTally = { steps: 0 };
    expect(fileFolderConflict(paths, tally)).toBeNull();
    expect(tally.steps).toBeLessThanOrEqual(linearBound(paths));
  });
});
