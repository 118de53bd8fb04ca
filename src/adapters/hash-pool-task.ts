// SPDX-License-Identifier: MIT
// What the hash pool keeps per worker (a slot) and per call (a task).
import type { Remote } from 'comlink';
import type { HashWorkerApi } from '../../workers/hash.worker';
import type { BlockHashes } from '../core/content/file-hasher';
import type { HashCallInit } from './hash-pool-api';

/** A live worker and the tasks it runs now. */
export interface Slot {
  worker: Worker;
  remote: Remote<HashWorkerApi>;
  tasks: Set<Task>;
}

/** One call placed, or waiting to be placed, on a worker. */
export interface Task {
  /** Runs the task on a worker; progress goes through `onProgress` where it applies. */
  work: (
    remote: Remote<HashWorkerApi>,
    onProgress: (hashed: number, blocks?: BlockHashes) => void,
    /** True when this worker follows the task's file's running proof (`proofKey`). */
    follows: boolean,
  ) => Promise<unknown>;
  /** A received file whose running proof lives in one worker: its calls go there. */
  proofKey?: string;
  /** Set when the task is started: whether its worker follows `proofKey`. */
  follows?: boolean;
  init: HashCallInit;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  slot: Slot | null;
  /** Highest progress reported, so a restarted task never moves the bar backwards. */
  reported: number;
  /** Block hashes reported, so a restarted task never reports one twice. */
  blocks: number;
  /**
   * Starts left when its worker dies (0: fail at once). Only calls whose
   * arguments survive being posted again are retried: a received block is
   * the sender's data, and a worker's death says nothing about it.
   */
  retries: number;
  /**
   * Its arguments are transferred to the worker (`verifyBlock`, with no
   * retries): once posted, it can never be posted again, so a worker that
   * stops with it fails it (`Hash/WorkerFailed`) instead of restarting it.
   */
  transfers?: boolean;
}

/** A task not yet started: nothing reported, on no worker, no retries unless given. */
export function newTask(
  work: Task['work'],
  resolve: (value: unknown) => void,
  reject: (err: unknown) => void,
  options: Pick<Task, 'proofKey' | 'transfers'> & { init?: HashCallInit; retries?: number } = {},
): Task {
  const { init = {}, retries = 0, proofKey, transfers } = options;
  return {
    work,
    init,
    resolve,
    reject,
    slot: null,
    reported: 0,
    blocks: 0,
    retries,
    ...(transfers ? { transfers } : {}),
    ...(proofKey === undefined ? {} : { proofKey }),
  };
}
