// SPDX-License-Identifier: MIT
import { bytesEqual } from '../bytes';
import { BLOCK_SIZE, blockCount, HASH_SIZE } from '../constants';
import { type Blake3, blake3Of } from './blake3';

/** BLAKE3 of an outboard (the concatenated block hashes); the manifest carries it. */
export function outboardHash(hasher: Blake3, outboard: Uint8Array): Uint8Array {
  return blake3Of(hasher, outboard);
}

/** True when a file of `size` bytes needs an outboard (it has more than one block). */
export function hasOutboard(size: number): boolean {
  return size > BLOCK_SIZE;
}

/** The expected hash of block `index` of a file: from its outboard, or the file hash for a one-block file. */
export function expectedBlockHash(
  size: number,
  fileHash: Uint8Array,
  outboard: Uint8Array,
  index: number,
): Uint8Array {
  const count = blockCount(size);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`Block ${index} is outside a file of ${count} blocks`);
  }
  if (!hasOutboard(size)) return fileHash;
  return outboard.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
}

/** Byte length of block `index` of a file of `size` bytes (the last block may be short). */
export function blockLength(size: number, index: number): number {
  return Math.min(BLOCK_SIZE, size - index * BLOCK_SIZE);
}

/** True when `outboard` has the right length for `size` and hashes to `expected`. */
export function outboardMatches(
  hasher: Blake3,
  size: number,
  outboard: Uint8Array,
  expected: Uint8Array,
): boolean {
  if (outboard.length !== blockCount(size) * HASH_SIZE) return false;
  return bytesEqual(outboardHash(hasher, outboard), expected);
}

/** True when `data` is exactly block `index` of the file: right length and BLAKE3. */
export function blockMatches(
  hasher: Blake3,
  size: number,
  fileHash: Uint8Array,
  outboard: Uint8Array,
  index: number,
  data: Uint8Array,
): boolean {
  if (data.length !== blockLength(size, index)) return false;
  return bytesEqual(blake3Of(hasher, data), expectedBlockHash(size, fileHash, outboard, index));
}
