// SPDX-License-Identifier: MIT

import { blockLength } from '../content/outboard';
import { FerryError } from '../errors';

/**
 * Puts a block back together from its BLOCK_DATA pieces. Pieces must come in
 * order (a data channel is ordered) and fill the block exactly; anything else
 * is a protocol error. Memory: one block-sized buffer while it fills.
 */
export class BlockAssembler {
  private readonly buffer: Uint8Array;
  private filled = 0;

  constructor(
    /** Size of the whole file, bytes. */
    fileSize: number,
    /** Index of the block being assembled. */
    readonly block: number,
  ) {
    this.buffer = new Uint8Array(blockLength(fileSize, block));
  }

  /** Adds the piece at `offset`; returns the whole block once complete, else null. */
  add(offset: number, data: Uint8Array): Uint8Array | null {
    if (
      offset !== this.filled ||
      offset + data.length > this.buffer.length ||
      (data.length === 0 && this.buffer.length > 0)
    ) {
      throw new FerryError(
        'Protocol/Unexpected',
        `Block ${this.block} arrived out of order or too long.`,
      );
    }
    this.buffer.set(data, offset);
    this.filled += data.length;
    return this.filled === this.buffer.length ? this.buffer : null;
  }
}
