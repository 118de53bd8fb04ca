// SPDX-License-Identifier: MIT
import { BLOCK_SIZE, blockCount } from '../constants';
import { blockLength } from '../content/outboard';
import { BLOCK_PIECE_SIZE, MAX_BLOCKS_PER_REQUEST, MAX_OPEN_REQUESTS } from '../protocol/constants';
import { type BlockRange, ErrorCode, type Message, MessageType } from '../protocol/message-types';
import type { ProtocolStream } from '../session/protocol-stream';
import { ReplySlot } from '../session/reply-slot';

/** Where the sender's bytes come from (picked Files in the browser, arrays in tests). */
export interface BlockSource {
  /** Size of file `file` (manifest index), or null when there is no such file. */
  size(file: number): number | null;
  /** The file's outboard (block hashes), empty for files of one block. */
  outboard(file: number): Uint8Array;
  /** Reads one block. Rejects when the file cannot be read any more. */
  read(file: number, block: number): Promise<Uint8Array>;
}

/** Bytes read ahead of sending, per stream: two big blocks, or many small files' worth. */
const READ_AHEAD_BYTES = 2 * BLOCK_SIZE;

/** Most ranges held over all open requests of a stream (4096, ~160 KiB of range objects). */
export const MAX_OPEN_RANGES = 4096;

/** Most blocks open over all requests of a stream (4096): bounds the reads a receiver can queue. */
export const MAX_OPEN_BLOCKS = 4096;

/** Requests refused on one stream before it is closed (8): an honest receiver is never refused. */
export const MAX_REFUSALS = 8;

/**
 * What the sender holds for one stream, whatever the receiver sends, in
 * bytes (5 MiB): blocks read ahead (under READ_AHEAD_BYTES plus one block)
 * and the one being sent (one block); open requests (at most
 * MAX_OPEN_REQUESTS with MAX_OPEN_RANGES ranges in all, under 300 KiB); at
 * most one reply of each other kind waiting for the channel (an outboard
 * chunk is a view of the outboard, an ERROR at most 1 KiB, one PONG); the
 * channel's own buffer stops taking frames past SEND_HIGH_WATER (64 KiB)
 * plus one frame. Asserted with a never-draining receiver in
 * test/unit/transfer/sender-bounds.test.ts.
 */
export const SENDER_STREAM_MEMORY_BYTES = 5 * 1024 * 1024;

interface Job {
  id: number;
  file: number;
  ranges: BlockRange[];
  blocks: number;
  source: BlockSource;
  size: number;
  /** Cancelled, or its file became unreadable: its other blocks are skipped. */
  dropped: boolean;
  /** Blocks of it not yet sent (or skipped). */
  left: number;
}

interface Read {
  job: Job;
  block: number;
  data: Promise<Uint8Array>;
}

/**
 * Answers one stream's BLOCK_REQUEST, OUTBOARD_REQUEST and CANCEL messages,
 * within stated bounds (`SENDER_STREAM_MEMORY_BYTES`). Requests are checked
 * first: ranges must be ascending, apart, inside the file, and within the
 * per-request and per-stream limits; anything else is refused with an ERROR
 * naming the rule, and a stream refused `MAX_REFUSALS` times is closed.
 * Accepted requests are served in order, their ranges walked lazily, the
 * next blocks (across requests) read while one is being sent, up to
 * `READ_AHEAD_BYTES`; a frame is encoded only when the channel can take it.
 */
export class BlockServer {
  /** Accepted requests not yet fully sent, by id, in arrival order. */
  private readonly open = new Map<number, Job>();
  private readonly queue: Job[] = [];
  private openRanges = 0;
  private openBlocks = 0;
  private refusals = 0;
  private running = false;
  /** The request being read from: its range and next block. */
  private cursor: { job: Job; range: number; block: number } | null = null;
  private readonly outboardSlot = new ReplySlot();
  private readonly errorSlot = new ReplySlot();
  private readonly source: () => BlockSource | null;
  /** Called for every block sent, with its size, e.g. to count them. */
  onServed: ((file: number, block: number, bytes: number) => void) | null = null;

  constructor(
    private readonly stream: ProtocolStream,
    /** The files, or a getter that gives null while there are none yet (still being checked). */
    source: BlockSource | (() => BlockSource | null),
  ) {
    this.source = typeof source === 'function' ? source : () => source;
  }

  /** Requests accepted and not yet fully sent (for tests and bounds). */
  get openRequests(): number {
    return this.open.size;
  }

  /** Requests refused so far, told or not (an ERROR may be left unsent while another waits). */
  get refused(): number {
    return this.refusals;
  }

  /** Handles a message if it is one of ours; returns false otherwise. */
  handle(message: Message): boolean {
    switch (message.type) {
      case MessageType.BlockRequest:
        this.enqueue(message);
        return true;
      case MessageType.Cancel:
        // A cancel for an id not open is ignored: nothing is remembered for it.
        this.drop(this.open.get(message.id));
        return true;
      case MessageType.OutboardRequest:
        if (
          !this.outboardSlot.run(() =>
            this.answerOutboard(message.id, message.file, message.offset),
          )
        )
          this.refuse(
            message.id,
            'An outboard request came while the last one was still being answered.',
          );
        return true;
      default:
        return false;
    }
  }

  /**
   * Refuses request `id` with an ERROR naming `rule`; past `MAX_REFUSALS` the
   * stream is closed. At most one ERROR waits for the channel; while it does,
   * further refusals are counted but not sent.
   */
  refuse(id: number, rule: string, code = ErrorCode.Refused): void {
    if (++this.refusals > MAX_REFUSALS) {
      this.stream.abort(`Refused ${MAX_REFUSALS} requests; the last: ${rule}`);
      this.stop();
      return;
    }
    this.errorSlot.run(() => this.error(id, code, rule));
  }

  private error(id: number, code: ErrorCode, text: string): Promise<void> {
    return this.stream.send({ type: MessageType.Error, id, code, message: text }).catch(() => {});
  }

  /** Why request `m` is refused (the rule and its code), or null when it is served. */
  private check(
    m: Extract<Message, { type: MessageType.BlockRequest }>,
    source: BlockSource | null,
    size: number | null,
    blocks: number,
  ): [string, ErrorCode] | null {
    if (!source) return ['The sender is still checking its files.', ErrorCode.NotReady];
    if (size === null) return [`There is no file ${m.file}.`, ErrorCode.UnknownFile];
    const count = blockCount(size);
    if (m.ranges.length === 0) return ['A block request must name some blocks.', ErrorCode.Refused];
    let end = 0;
    for (const r of m.ranges) {
      if (r.start < end)
        return ['Block ranges must be in ascending order and must not overlap.', ErrorCode.Refused];
      if (r.start + r.count > count)
        return [`File ${m.file} has ${count} blocks.`, ErrorCode.OutOfRange];
      end = r.start + r.count;
    }
    if (blocks > MAX_BLOCKS_PER_REQUEST)
      return [
        `One request may ask for at most ${MAX_BLOCKS_PER_REQUEST} blocks.`,
        ErrorCode.Refused,
      ];
    if (this.open.has(m.id)) return [`Request ${m.id} is already open.`, ErrorCode.Refused];
    if (
      this.open.size >= MAX_OPEN_REQUESTS ||
      this.openRanges + m.ranges.length > MAX_OPEN_RANGES ||
      this.openBlocks + blocks > MAX_OPEN_BLOCKS
    )
      return [
        `At most ${MAX_OPEN_REQUESTS} requests and ${MAX_OPEN_BLOCKS} blocks may be open on one stream.`,
        ErrorCode.Refused,
      ];
    return null;
  }

  private enqueue(m: Extract<Message, { type: MessageType.BlockRequest }>): void {
    const source = this.source();
    const size = source?.size(m.file) ?? null;
    const blocks = m.ranges.reduce((n, r) => n + r.count, 0);
    const refusal = this.check(m, source, size, blocks);
    if (refusal) {
      this.refuse(m.id, refusal[0], refusal[1]);
      return;
    }
    const job: Job = {
      id: m.id,
      file: m.file,
      ranges: m.ranges,
      blocks,
      source: source!,
      size: size!,
      dropped: false,
      left: blocks,
    };
    this.open.set(m.id, job);
    this.openRanges += m.ranges.length;
    this.openBlocks += blocks;
    this.queue.push(job);
    if (!this.running) void this.run();
  }

  /** Forgets a request (finished, cancelled or failed): its other blocks are skipped. */
  private drop(job: Job | undefined): void {
    if (!job || this.open.get(job.id) !== job) return;
    job.dropped = true;
    this.open.delete(job.id);
    this.openRanges -= job.ranges.length;
    this.openBlocks -= job.blocks;
    const at = this.queue.indexOf(job);
    if (at >= 0) this.queue.splice(at, 1);
    if (this.cursor?.job === job) this.cursor = null;
  }

  /** Forgets everything (the stream is closed). */
  private stop(): void {
    for (const job of [...this.open.values()]) this.drop(job);
  }

  /** Starts reading the next block to send, or returns null when every request is read. */
  private readNext(): Read | null {
    for (;;) {
      if (!this.cursor) {
        const job = this.queue.shift();
        if (!job) return null;
        this.cursor = { job, range: 0, block: job.ranges[0]!.start };
      }
      const c = this.cursor;
      const range = c.job.ranges[c.range];
      if (!range || c.job.dropped) {
        this.cursor = null;
        continue;
      }
      const block = c.block++;
      if (c.block >= range.start + range.count) {
        c.range++;
        const next = c.job.ranges[c.range];
        if (next) c.block = next.start;
      }
      const data = c.job.source.read(c.job.file, block);
      data.catch(() => {}); // observed when its turn comes
      return { job: c.job, block, data };
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
        aheadBytes += blockLength(read.job.size, read.block);
      }
    };
    try {
      for (fill(); ahead.length > 0; fill()) {
        const read = ahead.shift()!;
        aheadBytes -= blockLength(read.job.size, read.block);
        await this.serve(read);
        if (--read.job.left === 0) this.drop(read.job);
        if (this.stream.closed) throw new Error('closed');
      }
    } catch {
      // The stream closed under us: the receiver asks for these blocks again on another.
      this.stop();
    } finally {
      this.running = false;
    }
  }

  private async serve({ job, block, data: reading }: Read): Promise<void> {
    if (job.dropped) return;
    let data: Uint8Array;
    try {
      data = await reading;
    } catch {
      this.drop(job);
      await this.error(
        job.id,
        ErrorCode.Unavailable,
        'The sender can no longer read this file (it was moved, changed or deleted).',
      );
      return;
    }
    if (data.length !== blockLength(job.size, block)) {
      this.drop(job);
      await this.error(
        job.id,
        ErrorCode.Unavailable,
        'This file changed on the sending device since it was shared.',
      );
      return;
    }
    for (let offset = 0; offset < data.length || offset === 0; offset += BLOCK_PIECE_SIZE) {
      if (job.dropped) return;
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
    const source = this.source();
    if (!source)
      return this.refuse(id, 'The sender is still checking its files.', ErrorCode.NotReady);
    const size = source.size(file);
    if (size === null) return this.refuse(id, `There is no file ${file}.`, ErrorCode.UnknownFile);
    if (size <= BLOCK_SIZE)
      return this.refuse(id, 'A file of one block has no outboard.', ErrorCode.OutOfRange);
    const outboard = source.outboard(file);
    if (offset > outboard.length)
      return this.refuse(id, 'Offset past the end of the outboard.', ErrorCode.OutOfRange);
    const data = outboard.subarray(offset, offset + BLOCK_PIECE_SIZE);
    await this.stream
      .send({ type: MessageType.OutboardChunk, id, file, total: outboard.length, offset, data })
      .catch(() => {});
  }
}
