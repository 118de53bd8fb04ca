// SPDX-License-Identifier: MIT
import { HASH_SIZE } from '../constants';
import { FerryError } from '../errors';
import { buildManifest, encodeManifest, type Manifest, type ManifestEntry } from './manifest';
import { hasOutboard } from './outboard';

/**
 * A file of a draft: what a sender knows of it before hashing it. A draft
 * lets a receiver fetch blocks while the sender is still hashing; each
 * block is verified against its hash as the sender computes it, and the
 * file counts as received only once the receiver's own BLAKE3 of the whole
 * file matches the final manifest's.
 */
export interface DraftFile {
  path: string;
  size: number;
  mtime: number;
}

const ZERO_HASH = new Uint8Array(HASH_SIZE);

/**
 * The draft of `files` in canonical order, encoded as a manifest whose hash
 * fields are all zero (so it is checked exactly as a manifest is: paths,
 * order, counts, sizes). Its index order is the final manifest's when no
 * file fails hashing.
 */
export function buildDraft(files: readonly DraftFile[]): { files: DraftFile[]; bytes: Uint8Array } {
  const manifest = buildManifest(
    files.map((f) => ({
      path: f.path,
      size: f.size,
      mtime: f.mtime,
      fileHash: ZERO_HASH,
      outboardHash: hasOutboard(f.size) ? ZERO_HASH : null,
    })),
  );
  return { files: draftFiles(manifest), bytes: encodeManifest(manifest) };
}

/**
 * The files of a decoded draft. Refuses, as a `Manifest/NotDraft` error, a
 * draft carrying hashes: a sender that knows them sends the manifest.
 */
export function draftFiles(manifest: Manifest): DraftFile[] {
  return manifest.files.map((f) => {
    if (!isZero(f.fileHash) || (f.outboardHash && !isZero(f.outboardHash)))
      throw new FerryError(
        'Manifest/NotDraft',
        'The sender sent a file list with hashes where it should send one without.',
      );
    return { path: f.path, size: f.size, mtime: f.mtime };
  });
}

/**
 * For each entry of the final manifest, the index of the draft file with
 * the same path and size, or null (a file the sender could not hash is
 * missing from the manifest; a file not in the draft matches nothing).
 */
export function matchDraft(
  draft: readonly DraftFile[],
  entries: readonly ManifestEntry[],
): (number | null)[] {
  const byPath = new Map(draft.map((f, i) => [f.path, i]));
  return entries.map((e) => {
    const i = byPath.get(e.path);
    return i !== undefined && draft[i]!.size === e.size ? i : null;
  });
}

function isZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}
