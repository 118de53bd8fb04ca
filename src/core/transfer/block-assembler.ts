// SPDX-License-Identifier: MIT

import { blockLength } from '../content/outboard';
import { FerryError } from '../errors';
import { MIN_PIECE_SIZE } from '../protocol/constants';

/**
 * Puts a block back together from its BLOCK_DATA pieces, in whatever order
 * they come. A piece that overlaps one already here (a duplicate), runs past
 * the block, or is shorter than MIN_PIECE_SIZE without ending the block is a
 * protocol error. Memory: one block-sized buffer while it fills, and at most
 * 1 MiB / MIN_PIECE_SIZE intervals. A block that comes in one piece (every
 * small file's) is handed on as that piece, with no buffer and no copy.
 */
export class BlockAssembler {
  /** Made at the first piece that is not the whole block. */
  private buffer: Uint8Array | null = null;
  private readonly length: number;
  private filled = 0;
  /** Byte ranges received, [start, end), sorted and apart. */
  private readonly have: [number, number][] = [];

  constructor(
    /** Size of the whole file, bytes. */
    fileSize: number,
    /** Index of the block being assembled. */
    readonly block: number,
  ) {
    this.length = blockLength(fileSize, block);
  }

  /** Adds the piece at `offset`; returns the whole block once complete, else null. */
  add(offset: number, data: Uint8Array): Uint8Array | null {
    const end = offset + data.length;
    if (end > this.length || (data.length === 0 && this.length > 0)) {
      throw new FerryError(
        'Protocol/Unexpected',
        `The sender sent a piece of block ${this.block} that runs past its end.`,
      );
    }
    if (end < this.length && data.length < MIN_PIECE_SIZE) {
      throw new FerryError(
        'Protocol/Unexpected',
        `The sender sent a piece of block ${this.block} smaller than ${MIN_PIECE_SIZE} bytes.`,
      );
    }
    let at = 0;
    while (at < this.have.length && this.have[at]![1] <= offset) at++;
    const next = this.have[at];
    if (next && next[0] < end) {
      throw new FerryError(
        'Protocol/Unexpected',
        `The sender sent part of block ${this.block} twice.`,
      );
    }
    this.have.splice(at, 0, [offset, end]);
    this.filled += data.length;
    if (this.filled === this.length && data.length === this.length) return data;
    this.buffer ??= new Uint8Array(this.length);
    this.buffer.set(data, offset);
    return this.filled === this.length ? this.buffer : null;
  }
}
