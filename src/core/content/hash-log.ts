// SPDX-License-Identifier: MIT
import { BLOCK_SIZE, blockCount, HASH_SIZE } from '../constants';
import { HashState } from '../protocol/message-types';
import { type BlockHashes, type FileDigest, unseenBlockHashes } from './file-hasher';

/** How far one file's hashing has come, as a sender answers HASHES_REQUEST from it. */
export interface HashProgress {
  /** The file's size in bytes. */
  readonly size: number;
  /** Hashing, Done or Failed. */
  readonly state: HashState;
  /** Block hashes known: a prefix of the file's (0 for a file of one block). */
  readonly known: number;
  /** The whole file's BLAKE3 once it is hashed, else null. */
  readonly fileHash: Uint8Array | null;
  /** The known block hashes of blocks `from` to `to` (exclusive), 32 bytes each. */
  hashes(from: number, to: number): Uint8Array;
}

/**
 * The block hashes of one file, gathered as its hashing reports them: a
 * prefix grows with each progress report, then the digest completes it (a
 * file read in one slice reports only that), or the hashing fails. Sized at
 * once (32 bytes a block, 128 KiB for 4 GiB) so appending never copies.
 */
export class HashLog implements HashProgress {
  private readonly all: Uint8Array;
  private knownBlocks = 0;
  private stateNow = HashState.Hashing;
  private whole: Uint8Array | null = null;

  constructor(readonly size: number) {
    this.all = new Uint8Array(size > BLOCK_SIZE ? blockCount(size) * HASH_SIZE : 0);
  }

  get state(): HashState {
    return this.stateNow;
  }

  get known(): number {
    return this.knownBlocks;
  }

  get fileHash(): Uint8Array | null {
    return this.whole;
  }

  hashes(from: number, to: number): Uint8Array {
    return this.all.subarray(from * HASH_SIZE, Math.min(to, this.knownBlocks) * HASH_SIZE);
  }

  /** Takes block hashes reported during hashing (those already known or past a gap are ignored). */
  add(blocks: BlockHashes): void {
    if (this.stateNow !== HashState.Hashing) return;
    const fresh = unseenBlockHashes(blocks, this.knownBlocks);
    // Never past the file's end: a report is trusted no further than the size says.
    if (!fresh || fresh.hashes.length > this.all.length - fresh.from * HASH_SIZE) return;
    this.all.set(fresh.hashes, fresh.from * HASH_SIZE);
    this.knownBlocks += fresh.hashes.length / HASH_SIZE;
  }

  /** The file is hashed: every block hash and the file hash are known. */
  finish(digest: Pick<FileDigest, 'fileHash' | 'outboard'>): void {
    if (this.stateNow !== HashState.Hashing) return;
    if (digest.outboard.length !== this.all.length)
      throw new RangeError('A digest of another size than the file.');
    this.all.set(digest.outboard);
    this.knownBlocks = this.all.length / HASH_SIZE;
    this.whole = digest.fileHash;
    this.stateNow = HashState.Done;
  }

  /** The file could not be read: it will be missing from the manifest. */
  fail(): void {
    if (this.stateNow === HashState.Hashing) this.stateNow = HashState.Failed;
  }
}
