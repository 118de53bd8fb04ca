// SPDX-License-Identifier: MIT
import { proxy, type Remote, releaseProxy, transfer, wrap } from 'comlink';
import type { HashWorkerApi } from '../../workers/hash.worker';
import { HASH_READ_SIZE, HASH_SIZE } from '../core/constants';
import { type BlockHashes, type FileDigest, unseenBlockHashes } from '../core/content/file-hasher';
import { FerryError } from '../core/errors';
import {
  abortError,
  errMessage,
  errName,
  FILES_IN_FLIGHT_PER_WORKER,
  type HashCallInit,
  type HashEvent,
  type HashOutcome,
  type HashPoolInit,
  isDigest,
} from './hash-pool-api';
import { newTask, type Slot, type Task } from './hash-pool-task';
import { ProofAffinity } from './proof-affinity';
import type { StoredBlock } from './stored-block';

export type { HashCallInit, HashEvent, HashOutcome, HashPoolInit } from './hash-pool-api';
export { FILES_IN_FLIGHT_PER_WORKER } from './hash-pool-api';

/**
 * Times a call whose arguments survive posting again (`hashBytes`) is
 * started again after its worker died (2) before the pool gives up and
 * reports the worker's failure: a worker that keeps dying on the same call
 * is a fault of this device, to be reported, not retried forever.
 */
const LOCAL_RETRIES = 2;

function defaultWorker(): Worker {
  return new Worker(new URL('../../workers/hash.worker.ts', import.meta.url), {
    type: 'module',
    name: 'ferry-hash',
  });
}

/**
 * A pool of Comlink-wrapped hash workers, one file per task, at most
 * `maxWorkers` at once and never more workers than files waiting. Aborting a
 * running task terminates its worker (the only way to stop WASM mid-loop);
 * the other files that worker had are started again elsewhere.
 */
export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly maxWorkers: number;
  private readonly idleTimeoutMs: number;
  private readonly createWorker: () => Worker;
  private readonly inFlightPerWorker: number;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The worker following each received file's running whole-file hash. */
  private readonly proofs = new ProofAffinity<Slot>((slot) => this.slots.includes(slot));

  constructor(init: HashPoolInit = {}) {
    this.maxWorkers = Math.max(1, init.maxWorkers ?? navigator.hardwareConcurrency ?? 2);
    this.idleTimeoutMs = init.idleTimeoutMs ?? 10_000;
    this.createWorker = init.createWorker ?? defaultWorker;
    this.inFlightPerWorker = Math.max(1, init.filesInFlightPerWorker ?? FILES_IN_FLIGHT_PER_WORKER);
  }

  /** Workers alive now. */
  get workerCount(): number {
    return this.slots.length;
  }

  /** Hashes one file; rejects with a FerryError (`Hash/*`) or an `AbortError`. */
  hashFile(file: Blob, init: HashCallInit = {}): Promise<FileDigest> {
    // A progress callback costs a MessageChannel and a round trip per file; a file read in
    // one slice has nothing to report before it is done (the pool reports its end itself).
    return this.enqueue(
      (remote, onProgress) =>
        file.size > HASH_READ_SIZE
          ? remote.hashFile(file, proxy(onProgress))
          : remote.hashFile(file),
      file.size,
      init,
    );
  }

  /**
   * BLAKE3 of a whole Blob read in place in a worker, without block hashes
   * (proving a received file); rejects with `Hash/*` or an `AbortError`.
   */
  hashWhole(file: Blob, init: Pick<HashCallInit, 'signal'> = {}): Promise<Uint8Array> {
    return this.enqueue((remote) => remote.hashWhole(file), file.size, init);
  }

  /** Queues an abortable call that reports its events (size first). */
  private enqueue<T>(work: Task['work'], size: number, init: HashCallInit): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const { signal } = init;
      if (signal?.aborted) return reject(abortError());
      const task = newTask(work, resolve as (value: unknown) => void, reject, { init });
      signal?.addEventListener('abort', () => this.abort(task), { once: true });
      init.onEvent?.({ type: 'size', size });
      this.queue.push(task);
      this.pump();
    });
  }

  /**
   * BLAKE3 of bytes in memory (an outboard), off the main thread, returned
   * with a copy of the bytes. The bytes are posted as a copy, not
   * transferred, so the call can be posted again if its worker dies.
   */
  hashBytes(data: Uint8Array): Promise<{ hash: Uint8Array; data: Uint8Array }> {
    return this.submit((remote) => remote.hashBytes(data), LOCAL_RETRIES);
  }

  /**
   * Checks a received block against its expected hash in a worker; resolves
   * with the block as the store keeps it (a Blob made in the worker, or the
   * bytes of a small block) when it matches, else null. Rejects only for a
   * fault of this device, never because of the block: `Hash/WorkerFailed`
   * when its worker stopped with it (the block is gone: ask the sender
   * again), else the pool was closed. `data`'s whole buffer is transferred,
   * not copied, so the caller must not touch it (or anything sharing its
   * buffer) afterwards: posting a copy cost the page 0.1–0.2 ms per 64 KiB
   * block and 1.5 ms per MiB here, to allocate and fill what it then threw away.
   */
  verifyBlock(
    data: Uint8Array,
    expected: Uint8Array,
    proof?: { key: string; block: number },
  ): Promise<StoredBlock | null> {
    // A copy of just the 32 bytes: `expected` is often a view into a whole outboard, which
    // posting would copy entire (128 KiB per block of a 4 GiB file).
    const hash = expected.slice();
    return this.submit<StoredBlock | null>(
      (remote, _, follows) =>
        remote.verifyBlock(transfer(data, [data.buffer]), hash, follows ? proof : undefined),
      0,
      proof?.key,
      true,
    );
  }

  /**
   * The whole-file BLAKE3 that checking file `key`'s blocks (`verifyBlock`
   * with `proof`) built, when all its `blocks` went in, in order, to a
   * worker still alive; else null, and the file must be read back to be
   * proven. Either way the running hash is forgotten.
   */
  async finishProof(key: string, blocks: number): Promise<Uint8Array | null> {
    try {
      return await this.submit<Uint8Array | null>(
        (remote, _, follows) => (follows ? remote.finishProof(key, blocks) : Promise.resolve(null)),
        0,
        key,
      );
    } catch {
      return null;
    } finally {
      this.proofs.forget(key);
    }
  }

  /** True while a live worker follows file `key`'s running hash (its next blocks should feed it). */
  followsProof(key: string): boolean {
    return this.proofs.follows(key);
  }

  /** Follows file `from`'s running hash as `to` from now on (a draft file adopted under its final key). */
  renameProof(from: string, to: string): void {
    void this.proofs
      .rename(from, to)
      ?.remote.renameProof(from, to)
      .catch(() => {});
  }

  /** Forgets file `key`'s running hash (its transfer failed or stopped), freeing what its worker held. */
  forgetProof(key: string): void {
    void this.proofs
      .forget(key)
      ?.remote.forgetProof(key)
      .catch(() => {});
  }

  /** Queues one call on a worker, without progress or abort; `retries` and `transfers` as in `Task`. */
  private submit<T>(
    work: (remote: Remote<HashWorkerApi>, onProgress: unknown, follows: boolean) => Promise<T>,
    retries = 0,
    proofKey?: string,
    transfers = false,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const task = newTask(work, resolve as (value: unknown) => void, reject, {
        retries,
        proofKey,
        transfers,
      });
      this.queue.push(task);
      this.pump();
    });
  }

  /** Hashes many files with bounded parallelism; each file's outcome is reported on its own. */
  hashFiles(
    files: readonly Blob[],
    init: { signal?: AbortSignal; onEvent?: (index: number, event: HashEvent) => void } = {},
  ): Promise<HashOutcome[]> {
    return Promise.all(
      files.map((file, index) =>
        this.hashFile(file, {
          ...(init.signal ? { signal: init.signal } : {}),
          onEvent: (event) => init.onEvent?.(index, event),
        }).then(
          (digest): HashOutcome => ({ ok: true, digest }),
          (err): HashOutcome => ({
            ok: false,
            error: { name: errName(err), message: errMessage(err) },
          }),
        ),
      ),
    );
  }

  /** Terminates every worker; queued and running tasks reject with `AbortError`. */
  close(): void {
    const tasks = [...this.queue, ...this.slots.flatMap((s) => [...s.tasks])];
    this.queue.length = 0;
    this.proofs.clear();
    for (const slot of [...this.slots]) this.retire(slot);
    for (const task of tasks) this.settleAborted(task);
    clearTimeout(this.idleTimer);
  }

  /**
   * The slot for `task`: for a file's running hash, the worker that follows
   * it (busy or not: the receive engine bounds what is in flight); else as
   * `pickSlot`.
   */
  private slotFor(task: Task): Slot | null {
    if (task.proofKey === undefined) {
      task.follows = false;
      return this.pickSlot();
    }
    const { slot, follows } = this.proofs.place(task.proofKey, () => this.pickSlot());
    task.follows = follows;
    return slot;
  }

  /** The slot for the next task: an idle worker, else a new one, else one with room in its pipeline. */
  private pickSlot(): Slot | null {
    const idle = this.slots.find((s) => s.tasks.size === 0);
    if (idle) return idle;
    if (this.slots.length < this.maxWorkers) return this.spawn();
    let best: Slot | null = null;
    for (const s of this.slots)
      if (s.tasks.size < this.inFlightPerWorker && (!best || s.tasks.size < best.tasks.size))
        best = s;
    return best;
  }

  private pump(): void {
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    while (this.queue.length > 0) {
      const slot = this.slotFor(this.queue[0]!);
      if (!slot) return;
      this.run(slot, this.queue.shift()!);
    }
    if (this.slots.every((s) => s.tasks.size === 0)) {
      this.idleTimer = setTimeout(() => {
        for (const slot of [...this.slots]) if (slot.tasks.size === 0) this.retire(slot);
      }, this.idleTimeoutMs);
    }
  }

  private spawn(): Slot {
    const worker = this.createWorker();
    const slot: Slot = { worker, remote: wrap<HashWorkerApi>(worker), tasks: new Set() };
    // A worker that dies (out of memory, a crash) would leave its calls pending forever.
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      const tasks = [...slot.tasks];
      this.retire(slot);
      const error = new FerryError(
        'Hash/WorkerFailed',
        `The hashing worker stopped unexpectedly${event.message ? `: ${event.message}` : ''}. Try again.`,
      );
      for (const task of tasks) {
        if (task.retries > 0) {
          // Posted again on a live worker (first in line), as the pool's own abort does.
          task.retries--;
          this.queue.unshift(task);
        } else this.settle(task, () => this.fail(task, error));
      }
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  private run(slot: Slot, task: Task): void {
    slot.tasks.add(task);
    task.slot = slot;
    const onProgress = (hashed: number, blocks?: BlockHashes) => {
      // Monotonic by construction: a late or restarted report never moves the bar backwards.
      if (task.slot !== slot || hashed <= task.reported) return;
      task.reported = hashed;
      // A restarted task reports its first blocks again: pass on only those not yet told.
      const fresh = blocks && unseenBlockHashes(blocks, task.blocks);
      if (!fresh) return task.init.onEvent?.({ type: 'progress', hashed });
      task.blocks = fresh.from + fresh.hashes.length / HASH_SIZE;
      task.init.onEvent?.({ type: 'progress', hashed, blocks: fresh });
    };
    task.work(slot.remote, onProgress, task.follows ?? false).then(
      (value) => {
        if (task.slot !== slot) return; // aborted or moved: already handled
        if (isDigest(value)) onProgress(value.size);
        this.settle(task, () => {
          if (isDigest(value)) task.init.onEvent?.({ type: 'done', digest: value });
          task.resolve(value);
        });
      },
      (err: unknown) => {
        if (task.slot !== slot) return;
        this.settle(task, () => this.fail(task, err));
      },
    );
  }

  private fail(task: Task, err: unknown): void {
    task.init.onEvent?.({ type: 'error', error: { name: errName(err), message: errMessage(err) } });
    task.reject(err);
  }

  /** Detaches a finished task from its worker, reports it, and schedules more work. */
  private settle(task: Task, report: () => void): void {
    task.slot?.tasks.delete(task);
    task.slot = null;
    report();
    this.pump();
  }

  private settleAborted(task: Task): void {
    task.slot = null;
    task.init.onEvent?.({
      type: 'error',
      error: { name: 'AbortError', message: 'Hashing was cancelled.' },
    });
    task.reject(abortError());
  }

  private abort(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued !== -1) {
      this.queue.splice(queued, 1);
    } else if (task.slot) {
      const slot = task.slot;
      slot.tasks.delete(task);
      // Terminating the worker is the only way to stop it; the calls it shared
      // the worker with start again, first in line (their arguments are Blobs
      // and copied bytes), except those whose bytes went with it.
      const others = [...slot.tasks];
      this.retire(slot);
      this.queue.unshift(...others.filter((t) => !t.transfers));
      const lost = new FerryError(
        'Hash/WorkerFailed',
        'The hashing worker was stopped to cancel other work while it checked a block.',
      );
      for (const t of others) if (t.transfers) this.fail(t, lost);
    } else {
      return; // already finished
    }
    this.settleAborted(task);
    this.pump();
  }

  private retire(slot: Slot): void {
    const at = this.slots.indexOf(slot);
    if (at === -1) return;
    this.slots.splice(at, 1);
    for (const task of slot.tasks) task.slot = null;
    slot.tasks.clear();
    slot.remote[releaseProxy]();
    slot.worker.terminate();
  }
}
