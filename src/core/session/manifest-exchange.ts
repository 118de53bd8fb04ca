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
import type { ProtocolStream } from './protocol-stream';

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
 * Fetches the whole manifest over `stream`, chunk by chunk, refusing a peer
 * that changes its size mid-way, sends the wrong offset, or exceeds the limit.
 * While the sender is still hashing it answers PREPARING: `wait` hears how
 * far it has come and asks again later (without `wait`, PREPARING is refused).
 * `nextId` gives request ids unique on the stream.
 */
export function fetchManifest(
  stream: ProtocolStream,
  nextId: () => number,
  wait?: PreparingWait,
): Promise<Uint8Array> {
  return fetchChunked(
    stream,
    nextId,
    MAX_MANIFEST_BYTES,
    (id, offset) => ({ type: MessageType.ManifestRequest, id, offset }),
    wait,
  );
}

/** Fetches file `file`'s outboard (its block hashes; `expectedBytes` long) over `stream`. */
export function fetchOutboard(
  stream: ProtocolStream,
  nextId: () => number,
  file: number,
  expectedBytes: number,
): Promise<Uint8Array> {
  return fetchChunked(stream, nextId, expectedBytes, (id, offset) => ({
    type: MessageType.OutboardRequest,
    id,
    file,
    offset,
  }));
}

/** Requests chunks at increasing offsets until the whole of `total` bytes is here. */
function fetchChunked(
  stream: ProtocolStream,
  nextId: () => number,
  maxTotal: number,
  request: (id: number, offset: number) => Message,
  wait?: PreparingWait,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let buffer: Uint8Array | null = null;
    let offset = 0;
    let id = nextId();
    const previous = stream.onMessage;
    let cancelRetry = () => {};
    let settled = false;
    const finish = (result: Uint8Array | Error) => {
      settled = true;
      cancelRetry();
      stream.onMessage = previous;
      if (stream.onClose === onClose) stream.onClose = closed;
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const ask = () => stream.send(request(id, offset)).catch((err) => finish(err as Error));
    // A sender may stay PREPARING for minutes; the wait must end if the stream does.
    const closed = stream.onClose;
    const onClose = (reason: string) => {
      closed?.(reason);
      if (!settled) finish(new FerryError('Protocol/Closed', `The sender went away: ${reason}`));
    };
    stream.onClose = onClose;
    stream.onMessage = (m) => {
      const mine =
        (m.type === MessageType.ManifestChunk ||
          m.type === MessageType.OutboardChunk ||
          m.type === MessageType.Error ||
          m.type === MessageType.Preparing) &&
        m.id === id;
      if (!mine) {
        previous?.(m);
        return;
      }
      if (m.type === MessageType.Preparing) {
        if (!wait || offset > 0) {
          finish(new FerryError('Protocol/Unexpected', 'The sender sent inconsistent data.'));
          return;
        }
        wait.onPreparing(m);
        id = nextId();
        cancelRetry = wait.later(() => void ask());
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
      if (m.type !== MessageType.ManifestChunk && m.type !== MessageType.OutboardChunk) return;
      if (
        m.total > maxTotal ||
        (buffer && m.total !== buffer.length) ||
        m.offset !== offset ||
        (m.data.length === 0 && offset < m.total)
      ) {
        finish(new FerryError('Protocol/Unexpected', 'The sender sent inconsistent data.'));
        return;
      }
      buffer ??= new Uint8Array(m.total);
      buffer.set(m.data, offset);
      offset += m.data.length;
      if (offset === buffer.length) {
        finish(buffer);
        return;
      }
      id = nextId();
      void ask();
    };
    void ask();
  });
}
