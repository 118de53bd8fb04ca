// SPDX-License-Identifier: MIT
import { FerryError } from '../errors';
import type { Message, MessageType } from '../protocol/message-types';
import type { PendingRequest } from '../session/dispatcher';
import { BlockAssembler } from './block-assembler';

/** A BLOCK_DATA frame. */
type BlockData = Extract<Message, { type: MessageType.BlockData }>;

/**
 * One BLOCK_REQUEST on the way: a run of blocks of one file, each put back
 * together from its pieces in whatever order they come. Data outside the
 * run, for another file, or for a block already whole is refused. Memory: at
 * most the run's blocks, partly filled.
 */
export class BlockRequest {
  /** The dispatcher's handle (its id; finish or cancel it). */
  handle!: PendingRequest;
  /** When it times out unless its stream moves, ms on the engine's clock. */
  deadline: number;
  private readonly whole = new Set<number>();
  private readonly partial = new Map<number, BlockAssembler>();

  constructor(
    /** Index of the stream it was sent on. */
    readonly stream: number,
    readonly file: number,
    private readonly fileSize: number,
    /** First block of the run. */
    readonly start: number,
    /** One past the last block of the run. */
    readonly end: number,
    deadline: number,
  ) {
    this.deadline = deadline;
  }

  /**
   * Adds a piece; returns its block once whole, else null. Throws a
   * `Protocol/Unexpected` FerryError, saying what was wrong, for data not
   * asked for, sent twice, or broken.
   */
  add(m: BlockData): Uint8Array | null {
    if (m.file !== this.file || m.block < this.start || m.block >= this.end)
      throw new FerryError(
        'Protocol/Unexpected',
        `The sender sent block ${m.block} of file ${m.file}, which request ${m.id} did not ask for.`,
      );
    if (this.whole.has(m.block))
      throw new FerryError(
        'Protocol/Unexpected',
        `The sender sent block ${m.block} of file ${m.file} twice.`,
      );
    let assembler = this.partial.get(m.block);
    if (!assembler) {
      assembler = new BlockAssembler(this.fileSize, m.block);
      this.partial.set(m.block, assembler);
    }
    const block = assembler.add(m.offset, m.data);
    if (!block) return null;
    this.partial.delete(m.block);
    this.whole.add(m.block);
    return block;
  }

  /** True once every block of the run is whole. */
  get complete(): boolean {
    return this.whole.size === this.end - this.start;
  }

  /** Blocks of the run not yet whole. */
  missing(): number[] {
    const left: number[] = [];
    for (let b = this.start; b < this.end; b++) if (!this.whole.has(b)) left.push(b);
    return left;
  }
}
