// SPDX-License-Identifier: MIT
import { proxy, type Remote, releaseProxy, wrap } from 'comlink';
import type { HashWorkerApi } from '../../workers/hash.worker';
import type { FileDigest } from '../core/content/file-hasher';
import { FerryError } from '../core/errors';

/** One file's hashing, as a stream of events (the seed's AddProgressItem). */
export type HashEvent =
  | { type: 'size'; size: number }
  | { type: 'progress'; hashed: number }
  | { type: 'done'; digest: FileDigest }
  | { type: 'error'; error: { name: string; message: string } };

/** Options for a `HashPool`. */
export interface HashPoolInit {
  /** Most workers at once; default `navigator.hardwareConcurrency`. */
  maxWorkers?: number;
  /** Workers idle this long (ms) are terminated; default 10 s. */
  idleTimeoutMs?: number;
  /** Makes a hash worker; tests and benchmarks swap it. */
  createWorker?: () => Worker;
}

/** Options for one hashing call. */
export interface HashCallInit {
  /** Aborting rejects with `AbortError` and stops the work at once. */
  signal?: AbortSignal;
  /** Receives size, progress, done and error events, in that order. */
  onEvent?: (event: HashEvent) => void;
}

/** Outcome of one file of `hashFiles`: a failure of one never stops the others. */
export type HashOutcome =
  | { ok: true; digest: FileDigest }
  | { ok: false; error: { name: string; message: string } };

interface Slot {
  worker: Worker;
  remote: Remote<HashWorkerApi>;
  task: Task | null;
}

interface Task {
  file: Blob;
  init: HashCallInit;
  resolve: (digest: FileDigest) => void;
  reject: (err: unknown) => void;
  slot: Slot | null;
}

function defaultWorker(): Worker {
  return new Worker(new URL('../../workers/hash.worker.ts', import.meta.url), {
    type: 'module',
    name: 'ferry-hash',
  });
}

function abortError(): DOMException {
  return new DOMException('Hashing was cancelled.', 'AbortError');
}

/**
 * A pool of Comlink-wrapped hash workers, one file per task, at most
 * `maxWorkers` at once and never more workers than files waiting. Aborting a
 * running task terminates its worker (the only way to stop WASM mid-loop);
 * a fresh one is started for the next task.
 */
export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly maxWorkers: number;
  private readonly idleTimeoutMs: number;
  private readonly createWorker: () => Worker;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(init: HashPoolInit = {}) {
    this.maxWorkers = Math.max(1, init.maxWorkers ?? navigator.hardwareConcurrency ?? 2);
    this.idleTimeoutMs = init.idleTimeoutMs ?? 10_000;
    this.createWorker = init.createWorker ?? defaultWorker;
  }

  /** Workers alive now. */
  get workerCount(): number {
    return this.slots.length;
  }

  /** Hashes one file; rejects with a FerryError (`Hash/*`) or an `AbortError`. */
  hashFile(file: Blob, init: HashCallInit = {}): Promise<FileDigest> {
    return new Promise<FileDigest>((resolve, reject) => {
      const { signal } = init;
      if (signal?.aborted) return reject(abortError());
      const task: Task = { file, init, resolve, reject, slot: null };
      signal?.addEventListener('abort', () => this.abort(task), { once: true });
      init.onEvent?.({ type: 'size', size: file.size });
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
    for (const task of [...this.queue, ...this.slots.flatMap((s) => (s.task ? [s.task] : []))])
      this.abort(task);
    for (const slot of [...this.slots]) this.retire(slot);
    clearTimeout(this.idleTimer);
  }

  private pump(): void {
    clearTimeout(this.idleTimer);
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.task === null);
      if (!slot && this.slots.length < this.maxWorkers) slot = this.spawn();
      if (!slot) return;
      this.run(slot, this.queue.shift()!);
    }
    if (this.slots.every((s) => s.task === null)) {
      this.idleTimer = setTimeout(() => {
        for (const slot of [...this.slots]) if (slot.task === null) this.retire(slot);
      }, this.idleTimeoutMs);
    }
  }

  private spawn(): Slot {
    const worker = this.createWorker();
    const slot: Slot = { worker, remote: wrap<HashWorkerApi>(worker), task: null };
    // A worker that dies (out of memory, a crash) would leave its call pending forever.
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      const task = slot.task;
      this.retire(slot);
      task?.reject(
        new FerryError(
          'Hash/WorkerFailed',
          `The hashing worker stopped unexpectedly${event.message ? `: ${event.message}` : ''}. Try again.`,
        ),
      );
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  private run(slot: Slot, task: Task): void {
    slot.task = task;
    task.slot = slot;
    let lastHashed = 0;
    const onProgress = proxy((hashed: number) => {
      // Monotonic by construction: a late message never moves the bar backwards.
      if (slot.task !== task || hashed <= lastHashed) return;
      lastHashed = hashed;
      task.init.onEvent?.({ type: 'progress', hashed });
    });
    slot.remote.hashFile(task.file, onProgress).then(
      (digest) =>
        this.finish(slot, task, () => {
          task.init.onEvent?.({ type: 'done', digest });
          task.resolve(digest);
        }),
      (err) =>
        this.finish(slot, task, () => {
          task.init.onEvent?.({
            type: 'error',
            error: { name: errName(err), message: errMessage(err) },
          });
          task.reject(err);
        }),
    );
  }

  private finish(slot: Slot, task: Task, settle: () => void): void {
    if (slot.task !== task) return; // aborted or retired: already settled
    slot.task = null;
    task.slot = null;
    settle();
    this.pump();
  }

  private abort(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued !== -1) this.queue.splice(queued, 1);
    else if (task.slot) this.retire(task.slot);
    else return; // already finished
    task.init.onEvent?.({
      type: 'error',
      error: { name: 'AbortError', message: 'Hashing was cancelled.' },
    });
    task.reject(abortError());
    this.pump();
  }

  private retire(slot: Slot): void {
    const at = this.slots.indexOf(slot);
    if (at === -1) return;
    this.slots.splice(at, 1);
    if (slot.task) slot.task.slot = null;
    slot.task = null;
    slot.remote[releaseProxy]();
    slot.worker.terminate();
  }
}

function errName(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as Error).name === 'string'
    ? (err as Error).name
    : 'Error';
}

function errMessage(err: unknown): string {
  return err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)
    ? String((err as Error).message)
    : String(err);
}
