// SPDX-License-Identifier: MIT
import { BLOCK_SIZE } from '../constants';
import { FerryError } from '../errors';
import { type Message, MessageType } from '../protocol/message-types';
import type { ProtocolStream } from '../session/protocol-stream';
import { BlockAssembler } from './block-assembler';
import { type FilePlan, Scheduler } from './scheduler';

/**
 * What the engine needs from the outside: checking and keeping blocks.
 * `Kept` is whatever verifying hands to storing (the bytes in tests, a Blob
 * made in the hash worker in the app); the engine never looks inside.
 */
export interface BlockSink<Kept = Uint8Array> {
  /**
   * Checks that `data` is exactly block `block` of file `file` (length and
   * BLAKE3): resolves with what to store when it is, or null. `data` may be
   * detached afterwards (the app moves it to a worker).
   */
  verify(file: number, block: number, data: Uint8Array): Promise<Kept | null>;
  /** Keeps a verified block (batched into IndexedDB in the app). Rejecting stops the transfer; what was kept stays. */
  store(file: number, block: number, kept: Kept): Promise<void>;
}

/** Progress and outcome events, like the seed's DownloadProgressItem stream. */
export type ReceiveEvent =
  /** A whole block arrived; it is being verified. */
  | { type: 'received'; file: number; block: number; bytes: number }
  /** A block was verified and stored. */
  | { type: 'verified'; file: number; block: number; bytes: number }
  /** A block arrived damaged and was thrown away (it is asked for again). */
  | { type: 'rejected'; file: number; block: number; bytes: number }
  | { type: 'file-done'; file: number }
  | { type: 'file-failed'; file: number; reason: string }
  | { type: 'stream-lost'; stream: number; reason: string };

/** How a run ended. */
export type ReceiveOutcome =
  | { kind: 'finished'; failedFiles: number[] }
  /** Every stream was lost before the end: reconnect and run again with what is still missing. */
  | { kind: 'disconnected' }
  /** The sink could not keep a block (e.g. the disk is full), or `stop()` was called: nothing verified is lost. */
  | { kind: 'stopped'; error: unknown };

/**
 * Request ids for one set of streams, shared by every engine run on them:
 * ids are never reused, so blocks still arriving for an earlier run's
 * requests are told apart from data nobody asked for.
 */
export interface RequestIds {
  next: number;
}

/** Options for a `ReceiveEngine`. */
export interface ReceiveEngineInit {
  /** Bytes asked for and not yet arrived, per stream (default 8 MiB). */
  windowBytes?: number;
  /** Bytes arrived but not yet verified and stored (default 32 MiB): bounds memory when storage is slow. */
  maxProcessingBytes?: number;
  /** Bad copies of one block before its file is given up. */
  maxBadCopies?: number;
  /** Shared with earlier and later runs on the same streams (a fresh counter if absent). */
  ids?: RequestIds;
  onEvent?: (event: ReceiveEvent) => void;
}

interface Request {
  stream: number;
  file: number;
  start: number;
  end: number;
}

/**
 * Pulls the planned blocks over every stream: asks for runs of missing
 * blocks within each stream's window, reassembles the pieces, verifies each
 * block and stores it before counting it done. A bad block is dropped and
 * asked for again; a lost stream's blocks go to the others.
 */
export class ReceiveEngine<Kept = Uint8Array> {
  private readonly scheduler: Scheduler;
  private readonly requests = new Map<number, Request>();
  private readonly assemblers = new Map<number, BlockAssembler>();
  private readonly alive = new Set<number>();
  private readonly sizes = new Map<number, number>();
  private readonly ids: RequestIds;
  private readonly restore: (() => void)[] = [];
  private settle!: (outcome: ReceiveOutcome) => void;
  private done = false;
  private paused = false;

  constructor(
    private readonly streams: readonly ProtocolStream[],
    plans: readonly FilePlan[],
    private readonly sink: BlockSink<Kept>,
    private readonly init: ReceiveEngineInit = {},
  ) {
    this.scheduler = new Scheduler(plans, {
      streams: streams.length,
      windowBytes: init.windowBytes ?? 8 * BLOCK_SIZE,
      maxProcessingBytes: init.maxProcessingBytes ?? 32 * BLOCK_SIZE,
      maxBadCopies: init.maxBadCopies ?? 3,
    });
    for (const p of plans) this.sizes.set(p.file, p.size);
    this.ids = init.ids ?? { next: 1 };
  }

  /** Runs until every file is done or failed, every stream is lost, or storing fails. */
  run(): Promise<ReceiveOutcome> {
    const outcome = new Promise<ReceiveOutcome>((resolve) => {
      this.settle = (o) => {
        if (this.done) return;
        this.done = true;
        this.cancelRequests();
        for (const undo of this.restore) undo();
        resolve(o);
      };
    });
    this.streams.forEach((stream, index) => {
      if (stream.closed) return;
      this.alive.add(index);
      const { onMessage, onClose } = stream;
      stream.onMessage = (m) => this.onMessage(index, m);
      stream.onClose = (reason) => {
        onClose?.(reason);
        this.onLost(index, reason);
      };
      // A later run on the same streams must not hear this one.
      this.restore.push(() => {
        stream.onMessage = onMessage;
        stream.onClose = onClose;
      });
    });
    if (this.alive.size === 0) {
      this.settle({ kind: 'disconnected' });
      return outcome;
    }
    // Files with nothing missing (empty, or already stored) are done at once.
    for (const [file] of this.sizes) this.checkDone(file);
    this.pumpAll();
    return outcome;
  }

  private pumpAll(): void {
    for (const index of this.alive) this.pump(index);
    if (this.scheduler.finished)
      this.settle({ kind: 'finished', failedFiles: this.scheduler.failedFiles });
  }

  private pump(index: number): void {
    if (this.done || this.paused) return;
    for (let a = this.scheduler.take(index); a; a = this.scheduler.take(index)) {
      const id = this.ids.next++;
      this.requests.set(id, {
        stream: index,
        file: a.file,
        start: a.start,
        end: a.start + a.count,
      });
      this.streams[index]!.send({
        type: MessageType.BlockRequest,
        id,
        file: a.file,
        ranges: [{ start: a.start, count: a.count }],
      }).catch(() => {});
    }
  }

  private onMessage(index: number, m: Message): void {
    if (this.done) return;
    if (m.type === MessageType.Error) {
      const request = this.requests.get(m.id);
      if (!request) return;
      this.requests.delete(m.id);
      this.scheduler.failFile(request.file);
      this.init.onEvent?.({ type: 'file-failed', file: request.file, reason: m.message });
      this.pumpAll();
      return;
    }
    if (m.type !== MessageType.BlockData) return;
    const request = this.requests.get(m.id);
    // Asked for earlier (an earlier run, a cancelled or finished request): late, not hostile.
    if (!request && m.id < this.ids.next) return;
    if (
      !request ||
      request.stream !== index ||
      m.file !== request.file ||
      m.block < request.start ||
      m.block >= request.end
    ) {
      // Data nobody asked for: a broken or hostile sender. This stream is not trusted again.
      this.streams[index]!.close();
      return;
    }
    let assembler = this.assemblers.get(index);
    if (!assembler || assembler.block !== m.block) {
      assembler = new BlockAssembler(this.sizes.get(m.file)!, m.block);
      this.assemblers.set(index, assembler);
    }
    let block: Uint8Array | null;
    try {
      block = assembler.add(m.offset, m.data);
    } catch {
      this.streams[index]!.close();
      return;
    }
    if (!block) return;
    this.assemblers.delete(index);
    if (m.block === request.end - 1) this.requests.delete(m.id);
    this.init.onEvent?.({ type: 'received', file: m.file, block: m.block, bytes: block.length });
    // The stream's window has room again while this block is checked and stored.
    this.scheduler.arrived(index, m.file, m.block);
    this.pump(index);
    void this.accept(index, m.file, m.block, block);
  }

  private async accept(
    index: number,
    file: number,
    block: number,
    data: Uint8Array,
  ): Promise<void> {
    const bytes = data.length;
    const good = await this.sink.verify(file, block, data).catch(() => null);
    if (this.done) return;
    if (!good) {
      this.init.onEvent?.({ type: 'rejected', file, block, bytes });
      if (this.scheduler.rejected(index, file, block) === 'file-failed') {
        this.init.onEvent?.({
          type: 'file-failed',
          file,
          reason: 'The data for this file kept arriving damaged.',
        });
      }
      this.pumpAll();
      return;
    }
    try {
      await this.sink.store(file, block, good);
    } catch (error) {
      this.settle({ kind: 'stopped', error });
      return;
    }
    this.init.onEvent?.({ type: 'verified', file, block, bytes });
    if (this.scheduler.verified(index, file, block))
      this.init.onEvent?.({ type: 'file-done', file });
    this.pumpAll();
  }

  private checkDone(file: number): void {
    // A plan with no missing blocks: report it done without asking for anything.
    if (this.scheduler.isComplete(file)) this.init.onEvent?.({ type: 'file-done', file });
  }

  private onLost(index: number, reason: string): void {
    if (this.done || !this.alive.delete(index)) return;
    this.assemblers.delete(index);
    for (const [id, r] of this.requests) if (r.stream === index) this.requests.delete(id);
    this.scheduler.streamLost(index);
    this.init.onEvent?.({ type: 'stream-lost', stream: index, reason });
    if (this.alive.size === 0 && !this.scheduler.finished) this.settle({ kind: 'disconnected' });
    else this.pumpAll();
  }

  /** Tells the sender to drop every request still open (it stops at the next block). */
  private cancelRequests(): void {
    for (const [id, r] of this.requests) {
      this.streams[r.stream]?.send({ type: MessageType.Cancel, id }).catch(() => {});
    }
    this.requests.clear();
  }

  /**
   * Stops at once: open requests are cancelled and their blocks go back to
   * the plan (a slow link must not go on for a whole window after Pause).
   * Blocks already arrived are still checked and kept; a block the sender
   * was in the middle of is asked for again on resume. Streams stay open.
   */
  pause(): void {
    if (this.paused || this.done) return;
    this.paused = true;
    this.cancelRequests();
    this.assemblers.clear();
    for (const index of this.alive) this.scheduler.streamLost(index);
  }

  /** Asks for the missing blocks again after `pause()`. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pumpAll();
  }

  /** Ends the run at once (cancel): open requests are cancelled; blocks already stored stay. */
  stop(reason = 'Stopped.'): void {
    this.settle({ kind: 'stopped', error: new FerryError('Protocol/Closed', reason) });
  }
}
