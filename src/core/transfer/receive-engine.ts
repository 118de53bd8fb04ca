// SPDX-License-Identifier: MIT
import { BLOCK_SIZE } from '../constants';
import { FerryError, isFerryError } from '../errors';
import { MessageType } from '../protocol/message-types';
import { type Answer, Dispatcher } from '../session/dispatcher';
import type { ProtocolStream } from '../session/protocol-stream';
import type { Timers } from '../session/timers';
import { BlockRequest } from './block-request';
import { RequestTimeout } from './request-timeout';
import { type FilePlan, Scheduler } from './scheduler';

/**
 * What `BlockSink.verify` answers when the check itself was lost on this
 * device (its hash worker stopped with the block, which went with it): not
 * a verdict on the sender's data. The block is asked for again, without
 * counting a bad copy; a block whose check is lost MAX_LOST_CHECKS times
 * stops the run with `error` (a fault of this device, to be reported).
 */
export class CheckLost {
  constructor(readonly error: unknown) {}
}

/** Checks of one block lost on this device (3) before the run stops: see `CheckLost`. */
export const MAX_LOST_CHECKS = 3;

/**
 * What the engine needs from the outside: checking and keeping blocks.
 * `Kept` is whatever verifying hands to storing (the bytes in tests, a Blob
 * made in the hash worker in the app); the engine never looks inside.
 */
export interface BlockSink<Kept = Uint8Array> {
  /**
   * Checks that `data` is exactly block `block` of file `file` (length and
   * BLAKE3): resolves with what to store when it is, null when it is not,
   * or `CheckLost`. `data` may be detached afterwards (the app moves it to a worker).
   */
  verify(file: number, block: number, data: Uint8Array): Promise<Kept | null | CheckLost>;
  /** Keeps a verified block (batched into IndexedDB in the app). Rejecting stops the transfer; what was kept stays. */
  store(file: number, block: number, kept: Kept): Promise<void>;
}

/** Progress and outcome events, like the seed's DownloadProgressItem stream. */
export type ReceiveEvent =
  /** A whole block arrived; it is being verified. */
  | { type: 'received'; file: number; block: number; bytes: number }
  /** A block was verified and stored. */
  | { type: 'verified'; file: number; block: number; bytes: number }
  /** A block was thrown away and is asked for again: it arrived damaged, or its check was lost here. */
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
 * Requests on one stream that may time out in a row before the stream is
 * closed (3): one may be bad luck, three mean the stream is not moving.
 */
export const MAX_STREAM_TIMEOUTS = 3;

/** Options for a `ReceiveEngine`. */
export interface ReceiveEngineInit {
  /** Bytes asked for and not yet arrived, per stream (default 8 MiB). */
  windowBytes?: number;
  /** Bytes arrived but not yet verified and stored (default 32 MiB): bounds memory when storage is slow. */
  maxProcessingBytes?: number;
  /** Bad copies of one block before its file is given up. */
  maxBadCopies?: number;
  /** The connection's dispatcher (the one owning `streams` if absent): ids are never reused on it. */
  dispatcher?: Dispatcher;
  /** Clock and timers for request time-outs; without them requests never time out. */
  timers?: Timers;
  /** Round trip measured before the run, ms: part of every request's time-out. */
  rttMs?: number | null;
  onEvent?: (event: ReceiveEvent) => void;
}

/**
 * Pulls the planned blocks over every stream: asks for runs of missing
 * blocks within each stream's window (each request registered with the
 * connection's dispatcher), reassembles each block from its pieces in any
 * order, verifies it and stores it before counting it done. A bad block is
 * dropped and asked for again; a lost stream's blocks go to the others. A
 * request that times out (from the measured rate and round trip) is
 * cancelled and asked for again on another stream; a stream that keeps
 * timing out, or sends data twice or unasked, is closed with a reason. Every
 * run ends: finished, disconnected (every stream lost) or stopped.
 *
 * Wire rule for BLOCK_DATA: the blocks of a request and the pieces of a
 * block may come in any order and interleave with other requests on the same
 * stream, but each byte of a requested block comes once, on the request's
 * stream, and every piece but one ending its block is at least MIN_PIECE_SIZE.
 */
export class ReceiveEngine<Kept = Uint8Array> {
  private readonly scheduler: Scheduler;
  private readonly requests = new Map<number, BlockRequest>();
  private readonly alive = new Set<number>();
  private readonly sizes = new Map<number, number>();
  private readonly dispatcher: Dispatcher;
  private readonly timeout: RequestTimeout;
  private readonly unlisten: (() => void)[] = [];
  /** Requests timed out in a row, per stream (a whole block arriving resets it). */
  private readonly strikes = new Map<number, number>();
  /** Last time each stream delivered a piece, ms. */
  private readonly moved = new Map<number, number>();
  private cancelTimer: (() => void) | null = null;
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
    this.dispatcher = init.dispatcher ?? Dispatcher.for(streams);
    this.timeout = new RequestTimeout(init.rttMs ?? null);
  }

  /** Runs until every file is done or failed, every stream is lost, or storing fails. */
  run(): Promise<ReceiveOutcome> {
    const outcome = new Promise<ReceiveOutcome>((resolve) => {
      this.settle = (o) => {
        if (this.done) return;
        this.done = true;
        this.cancelRequests();
        this.cancelTimer?.();
        for (const undo of this.unlisten) undo();
        resolve(o);
      };
    });
    this.streams.forEach((stream, index) => {
      if (stream.closed) return;
      this.dispatcher.attach(stream);
      this.alive.add(index);
      this.unlisten.push(stream.whenClosed((reason) => this.onLost(index, reason)));
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

  private get now(): number {
    return this.init.timers?.now() ?? 0;
  }

  private pumpAll(): void {
    for (const index of this.alive) this.pump(index);
    if (this.scheduler.finished)
      this.settle({ kind: 'finished', failedFiles: this.scheduler.failedFiles });
  }

  private pump(index: number): void {
    if (this.done || this.paused) return;
    const stream = this.streams[index]!;
    const others = this.alive.size > 1;
    for (let a = this.scheduler.take(index, others); a; a = this.scheduler.take(index, others)) {
      const request = new BlockRequest(
        index,
        a.file,
        this.sizes.get(a.file)!,
        a.start,
        a.start + a.count,
        this.now + this.timeoutOn(index),
      );
      request.handle = this.dispatcher.request(
        stream,
        (id) => ({
          type: MessageType.BlockRequest,
          id,
          file: a.file,
          ranges: [{ start: a.start, count: a.count }],
        }),
        {
          onAnswer: (m) => this.onAnswer(request, m),
          // The stream's own close listener gives its blocks back to the plan.
          onClose: () => this.requests.delete(request.handle.id),
        },
      );
      this.requests.set(request.handle.id, request);
    }
    this.armTimer();
  }

  private timeoutOn(index: number): number {
    return this.timeout.forStream(this.scheduler.bytesOn(index), this.alive.size);
  }

  private onAnswer(request: BlockRequest, m: Answer): void {
    if (this.done) return;
    const index = request.stream;
    if (m.type === MessageType.Error) {
      this.forget(request);
      this.failFile(request.file, m.message);
      this.pumpAll();
      return;
    }
    if (m.type !== MessageType.BlockData) {
      this.streams[index]!.abort('The sender answered a block request with something else.');
      return;
    }
    let block: Uint8Array | null;
    try {
      block = request.add(m);
    } catch (err) {
      // Data not asked for, or twice: a broken or hostile sender. This stream is not trusted again.
      this.streams[index]!.abort(isFerryError(err) ? err.message : 'Broken block data.');
      return;
    }
    const now = this.now;
    this.timeout.received(now, m.data.length);
    this.moved.set(index, now);
    request.deadline = now + this.timeoutOn(index);
    if (!block) return;
    this.strikes.delete(index);
    if (request.complete) this.forget(request);
    // Not on the way any more (its file failed meanwhile): dropped, never checked or kept.
    if (!this.scheduler.arrived(index, m.file, m.block)) return;
    this.init.onEvent?.({ type: 'received', file: m.file, block: m.block, bytes: block.length });
    // The stream's window has room again while this block is checked and stored.
    this.pump(index);
    void this.accept(index, m.file, m.block, block);
  }

  /** The request is answered in full (or refused): its id is done with. */
  private forget(request: BlockRequest): void {
    request.handle.finish();
    this.requests.delete(request.handle.id);
  }

  private failFile(file: number, reason: string): void {
    this.scheduler.failFile(file);
    // Its other requests are of no use now: the sender may stop serving them.
    for (const r of [...this.requests.values()]) {
      if (r.file !== file) continue;
      r.handle.cancel();
      this.requests.delete(r.handle.id);
    }
    this.init.onEvent?.({ type: 'file-failed', file, reason });
  }

  /** Keeps one timer, for the earliest deadline: cheap however many requests are open. */
  private armTimer(): void {
    const timers = this.init.timers;
    if (!timers || this.cancelTimer || this.done || this.requests.size === 0) return;
    let first = Number.POSITIVE_INFINITY;
    for (const r of this.requests.values()) first = Math.min(first, this.expiry(r));
    this.cancelTimer = timers.after(Math.max(0, first - timers.now()), () => {
      this.cancelTimer = null;
      this.expire();
    });
  }

  /** A request lives while its own pieces, or any on its stream, keep coming. */
  private expiry(r: BlockRequest): number {
    const moved = this.moved.get(r.stream);
    return moved === undefined
      ? r.deadline
      : Math.max(r.deadline, moved + this.timeoutOn(r.stream));
  }

  private expire(): void {
    if (this.done) return;
    const now = this.now;
    for (const r of [...this.requests.values()]) {
      if (this.expiry(r) > now || !this.requests.has(r.handle.id)) continue;
      r.handle.cancel();
      this.requests.delete(r.handle.id);
      this.scheduler.giveBack(r.stream, r.file, r.missing());
      const strikes = (this.strikes.get(r.stream) ?? 0) + 1;
      this.strikes.set(r.stream, strikes);
      if (strikes >= MAX_STREAM_TIMEOUTS)
        this.streams[r.stream]!.abort(
          `Closed a stream that stopped answering (${strikes} requests timed out in a row).`,
        );
    }
    this.pumpAll();
    this.armTimer();
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
    if (good instanceof CheckLost) {
      if (!this.scheduler.askAgain(index, file, block, MAX_LOST_CHECKS)) {
        this.settle({ kind: 'stopped', error: good.error });
        return;
      }
      this.init.onEvent?.({ type: 'rejected', file, block, bytes });
      this.pumpAll();
      return;
    }
    if (!good) {
      this.init.onEvent?.({ type: 'rejected', file, block, bytes });
      if (this.scheduler.rejected(index, file, block) === 'file-failed')
        this.failFile(file, 'The data for this file kept arriving damaged.');
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
    for (const [id, r] of this.requests) if (r.stream === index) this.requests.delete(id);
    this.scheduler.streamLost(index);
    this.init.onEvent?.({ type: 'stream-lost', stream: index, reason });
    if (this.alive.size === 0 && !this.scheduler.finished) this.settle({ kind: 'disconnected' });
    else this.pumpAll();
  }

  /** Tells the sender to drop every request still open (it stops at the next block). */
  private cancelRequests(): void {
    for (const r of this.requests.values()) r.handle.cancel();
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
    this.cancelTimer?.();
    this.cancelTimer = null;
    for (const index of this.alive) this.scheduler.streamLost(index);
  }

  /** Asks for the missing blocks again after `pause()`. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.moved.clear();
    this.pumpAll();
  }

  /** Ends the run at once (cancel): open requests are cancelled; blocks already stored stay. */
  stop(reason = 'Stopped.'): void {
    this.settle({ kind: 'stopped', error: new FerryError('Protocol/Closed', reason) });
  }
}
