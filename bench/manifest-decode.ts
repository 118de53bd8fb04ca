// SPDX-License-Identifier: MIT
// The largest manifest Ferry accepts, decoded on the main thread: MAX_FILES files whose paths,
// as deep as the total-path cap allows, together fill MAX_TOTAL_PATH_BYTES.
import { utf8 } from '../src/core/bytes';
import { ByteWriter } from '../src/core/codec/byte-writer';
import { MAX_FILES, MAX_PATH_DEPTH, MAX_TOTAL_PATH_BYTES } from '../src/core/constants';
import { decodeManifest } from '../src/core/content/manifest';

let worst: Uint8Array | null = null;

/** Encodes the worst case once: every check of every path has the most segments it can. */
function worstManifest(): Uint8Array {
  const perPath = Math.floor(MAX_TOTAL_PATH_BYTES / MAX_FILES);
  const depth = Math.min(MAX_PATH_DEPTH - 1, Math.floor((perPath - 6) / 2));
  const folder = Array.from({ length: depth }, () => 'd').join('/');
  const w = new ByteWriter(16 * 1024 * 1024);
  w.bytes(utf8('FRYM')).u8(1).varint(MAX_FILES);
  const hash = new Uint8Array(32).fill(7);
  for (let i = 0; i < MAX_FILES; i++) {
    w.lengthPrefixed(utf8(`${folder}/${String(i).padStart(5, '0')}`))
      .varint(5)
      .varint(0)
      .bytes(hash);
  }
  return w.finish();
}

/** Decodes (and so validates) the worst-case manifest once; bytes are the manifest's. */
export async function decodeWorstManifest(): Promise<{ bytes: number; ms: number }> {
  worst ??= worstManifest();
  const start = performance.now();
  const manifest = decodeManifest(worst);
  const ms = performance.now() - start;
  if (manifest.files.length !== MAX_FILES) throw new Error('the worst case lost files');
  return { bytes: worst.length, ms };
}
