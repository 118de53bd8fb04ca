// SPDX-License-Identifier: MIT
import { MAX_MANIFEST_BYTES } from '../constants';
import { FerryError } from '../errors';
import { BLOCK_PIECE_SIZE } from '../protocol/constants';
import {
  ErrorCode,
  type Message,
  MessageType,
  type PreparingStatus,
} from '../protocol/message-types';
import type { Dispatcher, PendingRequest, RequestHandler } from './dispatcher';
import type { ProtocolStream } from './protocol-stream';
import type { Timers } from './timers';

/** Bytes of manifest per MANIFEST_CHUNK frame. */
export const MANIFEST_CHUNK_SIZE = BLOCK_PIECE_SIZE;

/**
 * Answers one MANIFEST_REQUEST with the chunk at its offset, or with how far
 * the sender has come while it is still hashing (a PreparingStatus instead of
 * the manifest). Returns false for messages it does not handle.
 */
export async function answerManifestRequest(
  stream: ProtocolStream,
  message: Message,
  manifest: Uint8Array | PreparingStatus,
): Promise<boolean> {
  if (message.type !== MessageType.ManifestRequest) return false;
  if (!(manifest instanceof Uint8Array)) {
    await stream.send({ type: MessageType.Preparing, id: message.id, ...manifest });
    return true;
  }
  if (message.offset > manifest.length) {
    await stream.send({
      type: MessageType.Error,
      id: message.id,
      code: ErrorCode.OutOfRange,
      message: 'Offset past the end of the manifest.',
    });
    return true;
  }
  const data = manifest.subarray(message.offset, message.offset + MANIFEST_CHUNK_SIZE);
  await stream.send({
    type: MessageType.ManifestChunk,
    id: message.id,
    total: manifest.length,
    offset: message.offset,
    data,
  });
  return true;
}

/** How a receiver waits for a sender that is still hashing (timers come from outside: the core does no I/O). */
export interface PreparingWait {
  /** Hears how far the sender has come. */
  onPreparing(status: PreparingStatus): void;
  /** Runs `retry` a moment later; returns a function that cancels it. */
  later(retry: () => void): () => void;
}

/**
 * Longest wait for one manifest or outboard chunk (30 s): a 256 KiB chunk
 * takes 16 s at 16 KB/s, slower than any link Ferry can finish a transfer on.
 */
export const CHUNK_TIMEOUT_MS = 30_000;

/** Where and how a chunked fetch runs. */
export interface FetchInit {
  /** The connection's dispatcher: it gives the ids and routes the answers. */
  dispatcher: Dispatcher;
  stream: ProtocolStream;
  /** Times each chunk request out after `CHUNK_TIMEOUT_MS` (no time-out without). */
  timers?: Timers;
}

/**
 * Fetches the whole manifest over `stream`, chunk by chunk, refusing a peer
 * that changes its size mid-way, sends the wrong offset, or exceeds the limit.
 * While the sender is still hashing it answers PREPARING: `wait` hears how
 * far it has come and asks again later (without `wait`, PREPARING is refused).
 */
export function fetchManifest(init: FetchInit, wait?: PreparingWait): Promise<Uint8Array> {
  return fetchChunked(
    init,
    MAX_MANIFEST_BYTES,
    (id, offset) => ({ type: MessageType.ManifestRequest, id, offset }),
    wait,
  );
}

/** Fetches file `file`'s outboard (its block hashes; `expectedBytes` long) over `init.stream`. */
export function fetchOutboard(
  init: FetchInit,
  file: number,
  expectedBytes: number,
): Promise<Uint8Array> {
  return fetchChunked(init, expectedBytes, (id, offset) => ({
    type: MessageType.OutboardRequest,
    id,
    file,
    offset,
  }));
}

/**
 * Asks once for the manifest: its bytes, or the sender's PreparingStatus
 * while it is still hashing (the caller decides what to do meanwhile).
 */
export function askManifest(init: FetchInit): Promise<Uint8Array | PreparingStatus> {
  return fetchChunked(
    init,
    MAX_MANIFEST_BYTES,
    (id, offset) => ({ type: MessageType.ManifestRequest, id, offset }),
    'answer',
  );
}

/**
 * Asks once for the sender's draft (its file list before the hashes, see
 * `core/content/draft`): the draft's bytes, or PreparingStatus while the
 * sender has not listed every file. Only for a sender whose HELLO carries
 * CAPABILITY_DRAFT: an older one closes on the unknown type.
 */
export function askDraft(init: FetchInit): Promise<Uint8Array | PreparingStatus> {
  return fetchChunked(
    init,
    MAX_MANIFEST_BYTES,
    (id, offset) => ({ type: MessageType.DraftRequest, id, offset }),
    'answer',
  );
}

/**
 * Requests chunks at increasing offsets until the whole of `total` bytes is
 * here, one request at a time, each registered with the dispatcher (other
 * requests may share the stream meanwhile). PREPARING is waited out with
 * `wait`, handed back with 'answer', refused without either.
 */
function fetchChunked(
  init: FetchInit,
  maxTotal: number,
  request: (id: number, offset: number) => Message,
  wait: 'answer',
): Promise<Uint8Array | PreparingStatus>;
function fetchChunked(
  init: FetchInit,
  maxTotal: number,
  request: (id: number, offset: number) => Message,
  wait?: PreparingWait,
): Promise<Uint8Array>;
function fetchChunked(
  { dispatcher, stream, timers }: FetchInit,
  maxTotal: number,
  request: (id: number, offset: number) => Message,
  wait?: PreparingWait | 'answer',
): Promise<Uint8Array | PreparingStatus> {
  return new Promise((resolve, reject) => {
    let buffer: Uint8Array | null = null;
    let offset = 0;
    let current: PendingRequest | null = null;
    let cancelRetry = () => {};
    let cancelTimeout = () => {};
    let settled = false;
    const finish = (result: Uint8Array | PreparingStatus | Error) => {
      if (settled) return;
      settled = true;
      cancelRetry();
      cancelTimeout();
      if (result instanceof Error) current?.cancel();
      else current?.finish();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const inconsistent = () =>
      finish(new FerryError('Protocol/Unexpected', 'The sender sent inconsistent data.'));
    const handler: RequestHandler = {
      // A sender may stay PREPARING for minutes; the wait must end if the stream does.
      onClose: (reason) => {
        current = null;
        finish(new FerryError('Protocol/Closed', `The sender went away: ${reason}`));
      },
      onAnswer: (m) => {
        cancelTimeout();
        current?.finish();
        current = null;
        if (m.type === MessageType.Preparing) {
          if (!wait || offset > 0) return inconsistent();
          if (wait === 'answer') {
            const { type: _t, id: _i, ...status } = m;
            return finish(status);
          }
          wait.onPreparing(m);
          cancelRetry = wait.later(ask);
          return;
        }
        if (m.type === MessageType.Error) {
          finish(
            new FerryError(
              'Protocol/PeerError',
              m.code === ErrorCode.NotReady
                ? 'The sender is still checking its files. Try again in a moment.'
                : `The sender refused: ${m.message}`,
            ),
          );
          return;
        }
        if (m.type !== MessageType.ManifestChunk && m.type !== MessageType.OutboardChunk)
          return inconsistent();
        if (
          m.total > maxTotal ||
          (buffer && m.total !== buffer.length) ||
          m.offset !== offset ||
          (m.data.length === 0 && offset < m.total)
        )
          return inconsistent();
        buffer ??= new Uint8Array(m.total);
        buffer.set(m.data, offset);
        offset += m.data.length;
        if (offset === buffer.length) finish(buffer);
        else ask();
      },
    };
    const ask = () => {
      if (settled) return;
      try {
        current = dispatcher.request(stream, (id) => request(id, offset), handler);
      } catch (err) {
        finish(err as Error);
        return;
      }
      if (timers)
        cancelTimeout = timers.after(CHUNK_TIMEOUT_MS, () =>
          finish(
            new FerryError(
              'Protocol/TimedOut',
              'The sender stopped answering. Check that it still has Ferry open, then try again.',
            ),
          ),
        );
    };
    ask();
  });
}
