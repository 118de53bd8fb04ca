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

/** Bytes read ahead of sending, per stream: two big blocks, or many small files' worth. */
const READ_AHEAD_BYTES = 2 * BLOCK_SIZE;

interface Read {
  job: Job;
  block: number;
  /** The file's size, as the manifest says. */
  size: number;
  data: Promise<Uint8Array>;
}

/**
 * Answers one stream's BLOCK_REQUEST, OUTBOARD_REQUEST and CANCEL messages.
 * Requests are served in order, the next blocks (across requests) read
 * while one is being sent, up to `READ_AHEAD_BYTES`: memory stays bounded
 * per stream, and a thousand small files do not wait for one read each.
 */
export class BlockServer {
  private readonly queue: Job[] = [];
  private readonly cancelled = new Set<number>();
  /** Requests that failed (their file became unreadable): their other blocks are skipped. */
  private readonly failed = new Set<number>();
  private running = false;
  /** The request being read from, and its next block. */
  private cursor: { job: Job; blocks: number[]; next: number } | null = null;
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

  /** Starts reading the next block to send, or returns null when every request is read. */
  private readNext(): Read | null {
    for (;;) {
      if (!this.cursor) {
        const job = this.queue.shift();
        if (!job) return null;
        const blocks = job.ranges.flatMap((r) =>
          Array.from({ length: r.count }, (_, i) => r.start + i),
        );
        this.cursor = { job, blocks, next: 0 };
      }
      const { job, blocks } = this.cursor;
      if (this.cursor.next >= blocks.length || this.cancelled.has(job.id)) {
        this.cursor = null;
        continue;
      }
      const block = blocks[this.cursor.next++]!;
      const data = this.source.read(job.file, block);
      data.catch(() => {}); // observed when its turn comes
      return { job, block, size: this.source.size(job.file)!, data };
    }
  }

  private async run(): Promise<void> {
    this.running = true;
    const ahead: Read[] = [];
    let aheadBytes = 0;
    const fill = () => {
      while (ahead.length === 0 || aheadBytes < READ_AHEAD_BYTES) {
        const read = this.readNext();
        if (!read) return;
        ahead.push(read);
        aheadBytes += blockLength(read.size, read.block);
      }
    };
    try {
      for (fill(); ahead.length > 0; fill()) {
        const read = ahead.shift()!;
        aheadBytes -= blockLength(read.size, read.block);
        await this.serve(read);
      }
    } catch {
      // The stream closed under us: the receiver asks for these blocks again on another.
      this.queue.length = 0;
      this.cursor = null;
    } finally {
      this.running = false;
    }
  }

  private async serve({ job, block, size, data: reading }: Read): Promise<void> {
    if (this.cancelled.has(job.id) || this.failed.has(job.id)) return;
    let data: Uint8Array;
    try {
      data = await reading;
    } catch {
      this.failed.add(job.id);
      await this.error(
        job.id,
        ErrorCode.Unavailable,
        'The sender can no longer read this file (it was moved, changed or deleted).',
      );
      return;
    }
    if (data.length !== blockLength(size, block)) {
      this.failed.add(job.id);
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
