// SPDX-License-Identifier: MIT
import { toHex } from '../bytes';
import type { ManifestEntry } from './manifest';

/** BLAKE3 of no bytes, hex: the only hash an empty file may claim (`b3sum /dev/null`). */
export const EMPTY_FILE_HASH_HEX =
  'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262';

/**
 * The key under which a receiver keeps one file's record and blocks: the one
 * place that decides which stored bytes a manifest entry may use. A file of
 * several blocks is keyed by its file hash AND its outboard's hash: its
 * blocks were checked against that outboard, so a sender offering another
 * outboard under the same file hash (other bytes, or one planted block) gets
 * a record of its own and can neither reuse nor overwrite these. A one-block
 * file's block hash is its file hash, so the file hash alone keys it.
 */
export function recordKey(entry: Pick<ManifestEntry, 'fileHash' | 'outboardHash'>): string {
  const file = toHex(entry.fileHash);
  return entry.outboardHash ? `${file}-${toHex(entry.outboardHash)}` : file;
}
