// SPDX-License-Identifier: MIT
import { toHex } from '../../core/bytes';
import type { DraftFile } from '../../core/content/draft';
import { type Manifest, totalSize } from '../../core/content/manifest';
import { caseCollisions } from '../../core/content/path-rules';
import { verificationCode } from '../../core/verification-code';

// One collator for every comparison: localeCompare with options builds one per call, which
// made sorting a 100,000-file offer take seconds on the main thread.
const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** One file the sender offers, and how far it has come. */
export interface OfferedFile {
  /** Index in the manifest (in the draft, for an offer that began as one). */
  index: number;
  path: string;
  size: number;
  /** BLAKE3 hex; empty while the sender is still checking its files. */
  hash: string;
  /** Chosen to receive (all are, until the person unticks some). */
  selected: boolean;
}

/** What the sender offers, once its manifest is fetched and checked. */
export interface Offer {
  files: OfferedFile[];
  totalSize: number;
  /** The verification code; empty while the sender is still checking its files. */
  code: string;
  /** True while the list is the sender's draft: its files are not checked yet. */
  checking: boolean;
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
    checking: false,
    caseCollisions: caseCollisions(files.map((f) => f.path)),
    available,
  };
}

/**
 * A draft as the Receive screen lists it: the files the sender is still
 * checking, in file-manager order, all chosen; no code or hashes yet.
 */
export function draftOfferFrom(files: readonly DraftFile[], available: number | null): Offer {
  const listed = files
    .map(
      (f, index): OfferedFile => ({ index, path: f.path, size: f.size, hash: '', selected: true }),
    )
    .sort((a, b) => byName.compare(a.path, b.path));
  return {
    files: listed,
    totalSize: files.reduce((sum, f) => sum + f.size, 0),
    code: '',
    checking: true,
    caseCollisions: caseCollisions(listed.map((f) => f.path)),
    available,
  };
}

/**
 * A draft offer once the final manifest is here: the code, and each file's
 * hash from its entry (`entryOf`: draft index to manifest index); files
 * and choices stay as they were, so the screen does not jump.
 */
export function finalizedOffer(
  offer: Offer,
  parsed: Manifest,
  collectionHash: Uint8Array,
  entryOf: ReadonlyMap<number, number>,
): Offer {
  return {
    ...offer,
    files: offer.files.map((f) => {
      const e = entryOf.get(f.index);
      return { ...f, hash: e === undefined ? '' : toHex(parsed.files[e]!.fileHash) };
    }),
    code: verificationCode(collectionHash),
    checking: false,
  };
}
