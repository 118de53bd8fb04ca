import { describe, expect, it } from 'vitest';
import { bytesEqual, utf8 } from '../../src/core/bytes';
import { ByteWriter } from '../../src/core/codec/byte-writer';
import { MAX_FILES, MAX_PATH_DEPTH, MAX_TOTAL_PATH_BYTES } from '../../src/core/constants';
import {
  decodeManifest,
  decodeManifestSliced,
  encodeManifest,
} from '../../src/core/content/manifest';

/** Encodes paths raw, without validation, as a hostile peer could (5-byte files). */
function rawManifest(paths: string[]): Uint8Array {
  const w = new ByteWriter(16 * 1024 * 1024);
  w.bytes(utf8('FRYM')).u8(1).varint(paths.length);
  for (const p of paths) w.lengthPrefixed(utf8(p)).varint(5).varint(0).bytes(new Uint8Array(32));
  return w.finish();
}

/** The largest manifest accepted: MAX_FILES paths, as deep as the total-path cap allows. */
function largest(): string[] {
  const depth = Math.min(
    MAX_PATH_DEPTH - 1,
    Math.floor((Math.floor(MAX_TOTAL_PATH_BYTES / MAX_FILES) - 6) / 2),
  );
  const folder = Array.from({ length: depth }, () => 'd').join('/');
  return Array.from({ length: MAX_FILES }, (_, i) => `${folder}/${String(i).padStart(5, '0')}`);
}

describe('decoding a manifest in slices', () => {
  it('gives the page many turns on the largest manifest, and the same manifest as decoding at once', {
    timeout: 60_000,
  }, async () => {
    const bytes = rawManifest(largest());
    let pauses = 0;
    const sliced = await decodeManifestSliced(bytes, async () => {
      pauses++;
    });
    // Reading and checking each pause at most every few thousand files.
    expect(pauses).toBeGreaterThanOrEqual(40);
    expect(sliced.files).toHaveLength(MAX_FILES);
    expect(bytesEqual(encodeManifest(sliced), bytes)).toBe(true);
  });

  it('refuses what decoding at once refuses, with the same error, even late in the list', async () => {
    const paths = largest().slice(0, 20_000);
    for (const [bad, name] of [
      [[...paths, 'zz/.git/config'], 'Manifest/DotFolder'],
      [[...paths, 'zz/a\u202Eb'], 'Manifest/FormatCharacter'],
      [[...paths, 'zz', 'zz/x'], 'Manifest/PathConflict'],
      [[...paths, 'a'], 'Manifest/NotCanonical'],
    ] as const) {
      const bytes = rawManifest([...bad]);
      expect(() => decodeManifest(bytes)).toThrowError(expect.objectContaining({ name }));
      await expect(decodeManifestSliced(bytes, async () => {})).rejects.toMatchObject({ name });
    }
  });
});
