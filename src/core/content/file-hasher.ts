// SPDX-License-Identifier: MIT
import { BLOCK_SIZE, blockCount, HASH_SIZE } from '../constants';
import type { Blake3 } from './blake3';
import { outboardHash } from './outboard';

/** Bytes fed to each hasher in turn (256 KiB): small enough to stay in the CPU cache between the two. */
const PIECE_SIZE = 256 * 1024;

/** What hashing a file produces: the file id, and for multi-block files the outboard. */
export interface FileDigest {
  /** Bytes hashed. */
  size: number;
  /** BLAKE3 of the whole content: the file's id, equal to what `b3sum` prints. */
  fileHash: Uint8Array;
  /** Block hashes, 32 bytes each, in order; empty when the file has at most one block. */
  outboard: Uint8Array;
  /** BLAKE3 of `outboard`, or null when the file has at most one block. */
  outboardHash: Uint8Array | null;
}

/** Block hashes finished during hashing: 32 bytes each, the first being block `from`'s. */
export interface BlockHashes {
  from: number;
  hashes: Uint8Array;
}

/**
 * The part of `blocks` past the first `known` block hashes, or null when it
 * holds none of them or leaves a gap (a restarted hashing repeats its first).
 */
export function unseenBlockHashes(blocks: BlockHashes, known: number): BlockHashes | null {
  const end = blocks.from + blocks.hashes.length / HASH_SIZE;
  if (blocks.from > known || end <= known) return null;
  return { from: known, hashes: blocks.hashes.subarray((known - blocks.from) * HASH_SIZE) };
}

/**
 * Hashes a file in one pass over its bytes, fed in chunks of any size: the
 * whole-file BLAKE3 and the BLAKE3 of every 1 MiB block.
 *
 * A file of at most one block is hashed once: its block hash is its file
 * hash. A larger one needs two hash states fed the same bytes, because the
 * file id must match `b3sum` while each block is verified on its own.
 */
export class FileHasher {
  private readonly blocks: Uint8Array;
  private fed = 0;
  private blockFed = 0;
  private blockIndex = 0;
  private readonly multiBlock: boolean;

  /**
   * @param size exact byte count the caller will feed (a File's size)
   * @param whole hasher for the whole file
   * @param block second hasher for blocks; unused for files of one block
   */
  constructor(
    private readonly size: number,
    private readonly whole: Blake3,
    private readonly block: Blake3,
  ) {
    this.multiBlock = size > BLOCK_SIZE;
    this.blocks = new Uint8Array(this.multiBlock ? blockCount(size) * HASH_SIZE : 0);
    whole.init();
    if (this.multiBlock) block.init();
  }

  /** Bytes fed so far. */
  get hashed(): number {
    return this.fed;
  }

  /**
   * Blocks whose hash is final, a prefix of the file (always 0 for a file of
   * one block: its only hash is the file hash, known at `finish`). Lets a
   * sender hand out block hashes while it is still hashing the rest.
   */
  get blocksDone(): number {
    return this.blockIndex;
  }

  /** A copy of the finished block hashes from block `from` on (32 bytes each). */
  blockHashes(from: number): Uint8Array {
    // A copy, not a view: posting a view would clone the whole outboard buffer.
    return this.blocks.slice(from * HASH_SIZE, this.blockIndex * HASH_SIZE);
  }

  /** Feeds the next bytes of the file. Throws if more than `size` bytes arrive. */
  update(chunk: Uint8Array): void {
    if (this.fed + chunk.length > this.size) {
      throw new RangeError(`File is larger than announced (${this.size} bytes)`);
    }
    this.fed += chunk.length;
    if (!this.multiBlock) {
      this.whole.update(chunk);
      return;
    }
    // Both hashers take each piece in turn, so the second pass over the
    // bytes finds them still in the CPU cache (one pass per hasher over a
    // large chunk would read it from memory twice).
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(BLOCK_SIZE - this.blockFed, PIECE_SIZE, chunk.length - offset);
      const piece = chunk.subarray(offset, offset + take);
      this.whole.update(piece);
      this.block.update(piece);
      this.blockFed += take;
      offset += take;
      if (this.blockFed === BLOCK_SIZE) this.closeBlock();
    }
  }

  private closeBlock(): void {
    this.blocks.set(this.block.digest(), this.blockIndex * HASH_SIZE);
    this.blockIndex++;
    this.blockFed = 0;
    this.block.init();
  }

  /** Finishes; throws if fewer than `size` bytes were fed (the file changed or was cut short). */
  finish(): FileDigest {
    if (this.fed !== this.size) {
      throw new RangeError(`File ended after ${this.fed} of ${this.size} bytes`);
    }
    if (this.multiBlock && this.blockFed > 0) this.closeBlock();
    const fileHash = this.whole.digest();
    if (!this.multiBlock) {
      return { size: this.size, fileHash, outboard: new Uint8Array(0), outboardHash: null };
    }
    return {
      size: this.size,
      fileHash,
      outboard: this.blocks,
      outboardHash: outboardHash(this.block, this.blocks),
    };
  }
}
