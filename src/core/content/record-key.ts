// SPDX-License-Identifier: MIT
import { toHex } from '../bytes';
import type { ManifestEntry } from './manifest';

/**
 * The key under which a receiver keeps one file's record and blocks: the one
 * place that decides which stored bytes a manifest entry may use.
 */
export function recordKey(entry: Pick<ManifestEntry, 'fileHash' | 'outboardHash'>): string {
  return toHex(entry.fileHash);
}
