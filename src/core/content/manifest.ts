// SPDX-License-Identifier: MIT
import { compareBytes, fromUtf8, utf8 } from '../bytes';
import { ByteReader } from '../codec/byte-reader';
import { ByteWriter } from '../codec/byte-writer';
import {
  HASH_SIZE,
  MAX_FILE_SIZE,
  MAX_FILES,
  MAX_MANIFEST_BYTES,
  MAX_PATH_BYTES,
  MAX_TOTAL_PATH_BYTES,
} from '../constants';
import { FerryError } from '../errors';
import { formatNumber } from '../format';
import { type Blake3, blake3Of } from './blake3';
import { FolderConflictFinder } from './folder-conflict';
import { hasOutboard } from './outboard';
import { checkPath, quotePath } from './path-rules';

/** Current manifest format version. */
export const MANIFEST_VERSION = 1;

/** First bytes of every encoded manifest ("FRYM"), so a stray blob is not mistaken for one. */
export const MANIFEST_MAGIC = new Uint8Array([0x46, 0x52, 0x59, 0x4d]);

/** Smallest encoded entry: path length, size, mtime (one byte each), file hash. */
const MIN_ENTRY_BYTES = 1 + 1 + 1 + HASH_SIZE;

/** One file of a collection. */
export interface ManifestEntry {
  /** Relative `/`-separated path, NFC, checked by `checkPath`. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Last modification, milliseconds since the Unix epoch (0 when unknown). */
  mtime: number;
  /** BLAKE3 of the whole content. */
  fileHash: Uint8Array;
  /** BLAKE3 of the outboard; present exactly when the file has more than one block. */
  outboardHash: Uint8Array | null;
}

/** A collection: the files a sender offers, in canonical (UTF-8 byte) path order. */
export interface Manifest {
  version: typeof MANIFEST_VERSION;
  files: ManifestEntry[];
}

/**
 * Builds a manifest from entries in any order: sorts them canonically and
 * validates them exactly as a receiver will, so a sender finds out first.
 */
export function buildManifest(entries: readonly ManifestEntry[]): Manifest {
  // Each path encoded once, not twice per comparison (5,000 files: 160 ms of a 210 ms build).
  const files = entries
    .map((entry) => ({ entry, key: utf8(entry.path) }))
    .sort((a, b) => compareBytes(a.key, b.key))
    .map(({ entry }) => entry);
  const manifest: Manifest = { version: MANIFEST_VERSION, files };
  validateManifest(manifest);
  return manifest;
}

/**
 * Validates a manifest: counts, paths (see `checkPath`), canonical order,
 * duplicates, file/folder conflicts, sizes, and hash shapes.
 */
export function validateManifest(manifest: Manifest): void {
  const { files } = manifest;
  checkCount(files.length);
  runToEnd(
    checkFiles(
      files,
      files.map((f) => utf8(f.path)),
    ),
  );
}

/** Files, then path bytes, handled between two pauses of a sliced decode (a few ms of work each here). */
const SLICE_FILES = 2048;
const SLICE_PATH_BYTES = 128 * 1024;

/** Says when a slice of work is done: after `SLICE_FILES` files or `SLICE_PATH_BYTES` of their paths. */
class Slice {
  private files = 0;
  private pathBytes = 0;

  /** Counts one file with a path of `pathBytes`; true when the slice is full (and a new one begins). */
  full(pathBytes: number): boolean {
    this.pathBytes += pathBytes;
    if (++this.files < SLICE_FILES && this.pathBytes < SLICE_PATH_BYTES) return false;
    this.files = 0;
    this.pathBytes = 0;
    return true;
  }
}

/** Runs a sliced job without pausing. */
function runToEnd<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

function checkCount(count: number): void {
  if (count > MAX_FILES) {
    throw new FerryError(
      'Manifest/TooManyFiles',
      `The collection lists ${formatNumber(count)} files; at most ${formatNumber(MAX_FILES)} are allowed.`,
    );
  }
}

function pathsTooLong(): FerryError {
  return new FerryError(
    'Manifest/TooLarge',
    `The file names of this collection take more than ${formatNumber(MAX_TOTAL_PATH_BYTES)} bytes together; Ferry accepts at most that many.`,
  );
}

/**
 * Checks entries whose paths' UTF-8 bytes are `pathBytes` (same order), in
 * time linear in their total size: each path once, each neighbour compared
 * once, file/folder conflicts in the same pass. Yields between slices.
 */
function* checkFiles(
  files: readonly ManifestEntry[],
  pathBytes: readonly Uint8Array[],
): Generator<void, void, void> {
  let total = 0;
  let pathTotal = 0;
  let previous: Uint8Array | null = null;
  const folders = new FolderConflictFinder();
  const slice = new Slice();
  for (let i = 0; i < files.length; i++) {
    const entry = files[i]!;
    const bytes = pathBytes[i]!;
    pathTotal += bytes.length;
    if (pathTotal > MAX_TOTAL_PATH_BYTES) throw pathsTooLong();
    checkPath(entry.path, bytes.length);
    if (previous) {
      const order = compareBytes(previous, bytes);
      if (order === 0)
        throw new FerryError(
          'Manifest/DuplicatePath',
          `The path ${quotePath(entry.path)} is listed twice.`,
        );
      if (order > 0)
        throw new FerryError('Manifest/NotCanonical', 'The files are not in canonical order.');
    }
    previous = bytes;
    const file = folders.add(entry.path);
    if (file !== null) {
      throw new FerryError(
        'Manifest/PathConflict',
        `${quotePath(file)} is listed both as a file and as a folder.`,
      );
    }
    checkEntryNumbers(entry);
    total += entry.size;
    if (total > MAX_FILE_SIZE) {
      throw new FerryError(
        'Manifest/OutOfRange',
        'The collection is larger than 2^53 bytes in total.',
      );
    }
    if (slice.full(bytes.length)) yield;
  }
}

function checkEntryNumbers(entry: ManifestEntry): void {
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) {
    throw new FerryError(
      'Manifest/OutOfRange',
      `The size of ${quotePath(entry.path)} is not a whole number of bytes under 2^53.`,
    );
  }
  if (!Number.isSafeInteger(entry.mtime) || entry.mtime < 0) {
    throw new FerryError(
      'Manifest/OutOfRange',
      `The modification time of ${quotePath(entry.path)} is out of range.`,
    );
  }
  if (entry.fileHash.length !== HASH_SIZE) {
    throw new FerryError(
      'Manifest/BadEncoding',
      `The hash of ${quotePath(entry.path)} is not ${HASH_SIZE} bytes.`,
    );
  }
  const needsOutboard = hasOutboard(entry.size);
  if (
    needsOutboard !== (entry.outboardHash !== null) ||
    (entry.outboardHash && entry.outboardHash.length !== HASH_SIZE)
  ) {
    throw new FerryError(
      'Manifest/BadEncoding',
      `The outboard hash of ${quotePath(entry.path)} does not fit its size.`,
    );
  }
}

/**
 * The canonical byte encoding; the collection hash is taken over it.
 * Layout: "FRYM", version u8, file count varint, then per file in path order:
 * path (varint length + UTF-8), size varint, mtime varint, file hash (32),
 * and the outboard hash (32) only when size > 1 MiB. Varints are shortest-form LEB128.
 */
export function encodeManifest(manifest: Manifest): Uint8Array {
  validateManifest(manifest);
  const w = new ByteWriter(64 + manifest.files.length * 96);
  w.bytes(MANIFEST_MAGIC).u8(manifest.version).varint(manifest.files.length);
  for (const f of manifest.files) {
    w.lengthPrefixed(utf8(f.path)).varint(f.size).varint(f.mtime).bytes(f.fileHash);
    if (f.outboardHash) w.bytes(f.outboardHash);
  }
  return w.finish();
}

/** Decodes and validates untrusted manifest bytes; throws a `Manifest/*` FerryError on anything amiss. */
export function decodeManifest(bytes: Uint8Array): Manifest {
  return runToEnd(decodeSteps(bytes));
}

/**
 * `decodeManifest`, awaiting `pause` between slices of a few thousand files,
 * so that decoding the largest manifest accepted never holds the page for
 * long (as one piece it takes longer than a frame on a slow device).
 */
export async function decodeManifestSliced(
  bytes: Uint8Array,
  pause: () => Promise<void>,
): Promise<Manifest> {
  const steps = decodeSteps(bytes);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

function* decodeSteps(bytes: Uint8Array): Generator<void, Manifest, void> {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new FerryError(
      'Manifest/TooLarge',
      `The manifest is ${bytes.length} bytes; at most ${MAX_MANIFEST_BYTES} are allowed.`,
    );
  }
  const r = new ByteReader(bytes, 'Manifest');
  const magic = r.bytes('header', MANIFEST_MAGIC.length);
  if (compareBytes(magic, MANIFEST_MAGIC) !== 0) {
    throw new FerryError('Manifest/BadMagic', 'This is not a Ferry manifest.');
  }
  const version = r.u8('version');
  if (version !== MANIFEST_VERSION) {
    throw new FerryError(
      'Manifest/UnsupportedVersion',
      `Manifest version ${version} is not supported (this app reads version ${MANIFEST_VERSION}); the sender may need to update Ferry, or you may.`,
    );
  }
  const count = r.varint('file count');
  // Refuse before allocating: a count the remaining bytes cannot possibly hold is a lie.
  checkCount(count);
  if (count * MIN_ENTRY_BYTES > r.remaining) {
    throw new FerryError(
      'Manifest/Truncated',
      `The manifest announces ${count} files but is too short to hold them.`,
    );
  }
  const files: ManifestEntry[] = [];
  const pathBytes: Uint8Array[] = [];
  let pathTotal = 0;
  const slice = new Slice();
  for (let i = 0; i < count; i++) {
    const pathLength = r.varint('path length');
    if (pathLength > MAX_PATH_BYTES) {
      throw new FerryError(
        'Manifest/PathTooLong',
        `A path is ${pathLength} bytes long; at most ${MAX_PATH_BYTES} are allowed.`,
      );
    }
    // Refused before reading on: the names' total bounds every check below.
    pathTotal += pathLength;
    if (pathTotal > MAX_TOTAL_PATH_BYTES) throw pathsTooLong();
    const bytes = r.bytes('path', pathLength);
    const path = decodePath(bytes);
    if (path === null) throw new FerryError('Manifest/BadEncoding', 'A path is not valid UTF-8.');
    const size = r.varint('file size', MAX_FILE_SIZE);
    const mtime = r.varint('modification time');
    const fileHash = r.bytes('file hash', HASH_SIZE).slice();
    const outboardHash = hasOutboard(size) ? r.bytes('outboard hash', HASH_SIZE).slice() : null;
    files.push({ path, size, mtime, fileHash, outboardHash });
    pathBytes.push(bytes);
    if (slice.full(pathLength)) yield;
  }
  r.end('manifest');
  // The bytes as received are the paths' UTF-8: checked as they are, not encoded again.
  yield* checkFiles(files, pathBytes);
  return { version: MANIFEST_VERSION, files };
}

/** A path's text from its UTF-8 bytes (null when malformed); plain ASCII skips the decoder. */
function decodePath(bytes: Uint8Array): string | null {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return fromUtf8(bytes);
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** The collection hash: BLAKE3 of the canonical manifest bytes. */
export function collectionHash(hasher: Blake3, manifestBytes: Uint8Array): Uint8Array {
  return blake3Of(hasher, manifestBytes);
}

/** Sum of file sizes, in bytes. */
export function totalSize(manifest: Manifest): number {
  return manifest.files.reduce((sum, f) => sum + f.size, 0);
}
