// SPDX-License-Identifier: MIT
import { BLOCK_SIZE, blockCount } from '../constants';
import { blockLength } from '../content/outboard';
import { BLOCK_PIECE_SIZE } from '../protocol/constants';
import { type BlockRange, ErrorCode, type Message, MessageType } from '../protocol/message-types';
import type { ProtocolStream } from '../session/protocol-stream';

/** Where the sender's bytes come from (picked Files in the browser, arrays in tests). */
export interface BlockSource {
  /** Size of file `file` (manifest index), or null when there is no such file. */
  size(file: number): number | null;
  /** The file's outboard (block hashes), empty for files of one block. */
  outboard(file: number): Uint8Array;
  /** Reads one block. Rejects when the file cannot be read any more. */
  read(file: number, block: number): Promise<Uint8Array>;
}

interface Job {
  id: number;
  file: number;
  ranges: BlockRange[];
}

/**
 * Answers one stream's BLOCK_REQUEST, OUTBOARD_REQUEST and CANCEL messages.
 * Requests are served in order, each block read while the previous one is
 * being sent (one block of read-ahead: memory stays at two blocks per stream).
 */
export class BlockServer {
  private readonly queue: Job[] = [];
  private readonly cancelled = new Set<number>();
  private running = false;
  /** Called for every block sent, with its size, e.g. to count them. */
  onServed: ((file: number, block: number, bytes: number) => void) | null = null;

  constructor(
    private readonly stream: ProtocolStream,
    private readonly source: BlockSource,
  ) {}

  /** Handles a message if it is one of ours; returns false otherwise. */
  handle(message: Message): boolean {
    switch (message.type) {
      case MessageType.BlockRequest:
        this.enqueue(message);
        return true;
      case MessageType.Cancel:
        this.cancelled.add(message.id);
        return true;
      case MessageType.OutboardRequest:
        void this.answerOutboard(message.id, message.file, message.offset);
        return true;
      default:
        return false;
    }
  }

  private error(id: number, code: ErrorCode, text: string): Promise<void> {
    return this.stream.send({ type: MessageType.Error, id, code, message: text }).catch(() => {});
  }

  private enqueue(job: Job): void {
    const size = this.source.size(job.file);
    if (size === null) {
      void this.error(job.id, ErrorCode.UnknownFile, `There is no file ${job.file}.`);
      return;
    }
    const count = blockCount(size);
    if (job.ranges.some((r) => r.start + r.count > count)) {
      void this.error(job.id, ErrorCode.OutOfRange, `File ${job.file} has ${count} blocks.`);
      return;
    }
    this.queue.push(job);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const job = this.queue.shift()!;
        await this.serve(job);
        this.cancelled.delete(job.id);
      }
    } catch {
      // The stream closed under us: the receiver asks for these blocks again on another.
      this.queue.length = 0;
    } finally {
      this.running = false;
    }
  }

  private async serve(job: Job): Promise<void> {
    const blocks = job.ranges.flatMap((r) =>
      Array.from({ length: r.count }, (_, i) => r.start + i),
    );
    const size = this.source.size(job.file)!;
    let next = blocks.length > 0 ? this.source.read(job.file, blocks[0]!) : null;
    for (let i = 0; i < blocks.length; i++) {
      if (this.cancelled.has(job.id)) return;
      let data: Uint8Array;
      try {
        data = await next!;
      } catch {
        await this.error(
          job.id,
          ErrorCode.Unavailable,
          'The sender can no longer read this file (it was moved, changed or deleted).',
        );
        return;
      }
      next = i + 1 < blocks.length ? this.source.read(job.file, blocks[i + 1]!) : null;
      next?.catch(() => {}); // observed on the next turn
      const block = blocks[i]!;
      if (data.length !== blockLength(size, block)) {
        await this.error(
          job.id,
          ErrorCode.Unavailable,
          'This file changed on the sending device since it was shared.',
        );
        return;
      }
      for (let offset = 0; offset < data.length || offset === 0; offset += BLOCK_PIECE_SIZE) {
        await this.stream.send({
          type: MessageType.BlockData,
          id: job.id,
          file: job.file,
          block,
          offset,
          data: data.subarray(offset, offset + BLOCK_PIECE_SIZE),
        });
        if (data.length === 0) break;
      }
      this.onServed?.(job.file, block, data.length);
    }
  }

  private async answerOutboard(id: number, file: number, offset: number): Promise<void> {
    const size = this.source.size(file);
    if (size === null) return this.error(id, ErrorCode.UnknownFile, `There is no file ${file}.`);
    if (size <= BLOCK_SIZE)
      return this.error(id, ErrorCode.OutOfRange, 'A file of one block has no outboard.');
    const outboard = this.source.outboard(file);
    if (offset > outboard.length)
      return this.error(id, ErrorCode.OutOfRange, 'Offset past the end of the outboard.');
    const data = outboard.subarray(offset, offset + BLOCK_PIECE_SIZE);
    await this.stream
      .send({ type: MessageType.OutboardChunk, id, file, total: outboard.length, offset, data })
      .catch(() => {});
  }
}
