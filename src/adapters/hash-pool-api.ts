// SPDX-License-Identifier: MIT
// What a HashPool's callers pass and get back: options, events, outcomes,
// and how a worker's failure is told to them.
import type { BlockHashes, FileDigest } from '../core/content/file-hasher';

/** One file's hashing, as a stream of events (the seed's AddProgressItem). */
export type HashEvent =
  | { type: 'size'; size: number }
  /**
   * Bytes hashed so far; `blocks` carries the block hashes finished since the
   * last event, in order and never twice (the rest come with `done`).
   */
  | { type: 'progress'; hashed: number; blocks?: BlockHashes }
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
  /** Files in flight per worker; default `FILES_IN_FLIGHT_PER_WORKER`. */
  filesInFlightPerWorker?: number;
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

/**
 * Files in flight per worker (2). Reading a file crosses to the browser
 * process and waits; with a second file in flight, the worker hashes one
 * while the other's bytes arrive. Measured on 200 × 1 MiB files: see README.
 */
export const FILES_IN_FLIGHT_PER_WORKER = 2;

/** The error a cancelled hashing call rejects with. */
export function abortError(): DOMException {
  return new DOMException('Hashing was cancelled.', 'AbortError');
}

/** True for a whole file's digest (what `hashFile` resolves with). */
export function isDigest(value: unknown): value is FileDigest {
  return typeof value === 'object' && value !== null && 'fileHash' in value && 'outboard' in value;
}

/** An error's name, or 'Error'. */
export function errName(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as Error).name === 'string'
    ? (err as Error).name
    : 'Error';
}

/** An error's message, or the thing thrown as text. */
export function errMessage(err: unknown): string {
  return typeof err === 'object' && err !== null && 'message' in err
    ? String((err as Error).message)
    : String(err);
}
