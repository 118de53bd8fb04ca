// SPDX-License-Identifier: MIT
import { toHex } from '../../core/bytes';
import { type Manifest, totalSize } from '../../core/content/manifest';
import { caseCollisions } from '../../core/content/path-rules';
import { verificationCode } from '../../core/verification-code';

// One collator for every comparison: localeCompare with options builds one per call, which
// made sorting a 100,000-file offer take seconds on the main thread.
const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** One file the sender offers, and how far it has come. */
export interface OfferedFile {
  /** Index in the manifest. */
  index: number;
  path: string;
  size: number;
  hash: string;
  /** Chosen to receive (all are, until the person unticks some). */
  selected: boolean;
}

/** What the sender offers, once its manifest is fetched and checked. */
export interface Offer {
  files: OfferedFile[];
  totalSize: number;
  code: string;
  /** Paths that differ only by letter case (they would collide on Windows and macOS). */
  caseCollisions: string[][];
  /** Bytes this browser may still store (its estimate), or null when it gives none. */
  available: number | null;
}

/**
 * The offer as the Receive screen lists it: files in the order a file manager
 * shows (the manifest's is byte order), all chosen, with the verification code
 * and the paths that would collide on a case-insensitive disk.
 */
export function offerFrom(
  parsed: Manifest,
  collectionHash: Uint8Array,
  available: number | null,
): Offer {
  const files = parsed.files
    .map(
      (f, index): OfferedFile => ({
        index,
        path: f.path,
        size: f.size,
        hash: toHex(f.fileHash),
        selected: true,
      }),
    )
    .sort((a, b) => byName.compare(a.path, b.path));
  return {
    files,
    totalSize: totalSize(parsed),
    code: verificationCode(collectionHash),
    caseCollisions: caseCollisions(files.map((f) => f.path)),
    available,
  };
}
