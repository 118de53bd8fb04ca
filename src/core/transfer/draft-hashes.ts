// SPDX-License-Identifier: MIT
import { BLOCK_SIZE, blockCount, HASH_SIZE } from '../constants';
import { FerryError } from '../errors';
import { HashState, type Message, type MessageType } from '../protocol/message-types';

/** A HASHES frame. */
type HashesReply = Extract<Message, { type: MessageType.Hashes }>;

/** What a receiver does after a HASHES reply: ask again at once, later, or never. */
export type HashesProgress = 'more' | 'wait' | 'done' | 'failed';

/**
 * The block hashes a receiver has learned of one draft file, as the sender
 * computes them. Every reply is checked against what was asked and against
 * the file's size; an inconsistent one throws `Protocol/Unexpected`. A file
 * of one block has no block hashes: its file hash, given when hashing ends,
 * is its block's hash.
 */
export class DraftHashes {
  /** Block hashes, 32 bytes each; only the first `known` are set. */
  readonly hashes: Uint8Array;
  private knownBlocks = 0;
  private stateNow = HashState.Hashing;
  private whole: Uint8Array | null = null;
  private readonly blocks: number;

  constructor(
    /** Index of the file in the draft. */
    readonly file: number,
    readonly size: number,
  ) {
    this.blocks = blockCount(size);
    this.hashes = new Uint8Array(this.blocks * HASH_SIZE);
  }

  /** Blocks whose hash is known: a prefix of the file. */
  get known(): number {
    return this.knownBlocks;
  }

  /** Hashing, Done or Failed, as the sender last said. */
  get state(): HashState {
    return this.stateNow;
  }

  /** The whole file's BLAKE3 once the sender has hashed it, else null. */
  get fileHash(): Uint8Array | null {
    return this.whole;
  }

  /** The expected hash of block `block`, or null while it is not known. */
  blockHash(block: number): Uint8Array | null {
    if (block >= this.knownBlocks) return null;
    return this.hashes.subarray(block * HASH_SIZE, (block + 1) * HASH_SIZE);
  }

  /** Applies a reply to a HASHES_REQUEST for this file from block `known`. */
  apply(reply: HashesReply): HashesProgress {
    const count = reply.hashes.length / HASH_SIZE;
    const end = reply.from + count;
    const wrong = (why: string) =>
      new FerryError('Protocol/Unexpected', `The sender sent wrong block hashes: ${why}.`);
    if (this.stateNow !== HashState.Hashing) throw wrong('the file was already hashed');
    if (reply.file !== this.file || reply.from !== this.knownBlocks)
      throw wrong('not the ones asked for');
    if (this.size <= BLOCK_SIZE ? count > 0 : end > this.blocks)
      throw wrong('more than the file has');
    if (reply.state === HashState.Failed) {
      this.stateNow = HashState.Failed;
      return 'failed';
    }
    this.hashes.set(reply.hashes, reply.from * HASH_SIZE);
    this.knownBlocks = end;
    if (reply.state === HashState.Hashing) return count > 0 ? 'more' : 'wait';
    // Done: the reply carries the last hash (a long list comes in Hashing replies first).
    if (this.size > BLOCK_SIZE && end !== this.blocks) throw wrong('done before the last block');
    this.whole = reply.fileHash;
    if (this.size > 0 && this.size <= BLOCK_SIZE) {
      this.hashes.set(reply.fileHash!, 0);
      this.knownBlocks = 1;
    }
    this.stateNow = HashState.Done;
    return 'done';
  }
}
