// SPDX-License-Identifier: MIT
import { ByteReader } from '../codec/byte-reader';
import { HASH_SIZE, MAX_FILE_SIZE, MAX_FILES, MAX_MANIFEST_BYTES } from '../constants';
import { FerryError } from '../errors';
import {
  MAX_ERROR_TEXT_BYTES,
  MAX_FRAME_SIZE,
  MAX_HASHES_PER_REPLY,
  MAX_RANGES_PER_REQUEST,
  MAX_STREAMS,
  PROTOCOL_VERSION,
} from './constants';
import { type BlockRange, HashState, type Message, MessageType } from './message-types';

/** Largest request id or nonce (2^32 - 1): ids are counters, not sizes. */
const MAX_ID = 0xffff_ffff;
/** Largest block index: a 2^53-byte file has 2^33 blocks. */
const MAX_BLOCK = Math.ceil(MAX_FILE_SIZE / (1024 * 1024));

/**
 * Decodes one frame from an untrusted peer. Every field is bounded; unknown
 * versions and types, truncation, trailing bytes and oversize frames throw a
 * `Protocol/*` FerryError, after which the session closes the peer.
 */
export function decodeMessage(frame: Uint8Array): Message {
  if (frame.length > MAX_FRAME_SIZE) {
    throw new FerryError(
      'Protocol/TooLarge',
      `A frame of ${frame.length} bytes is over the ${MAX_FRAME_SIZE}-byte limit.`,
    );
  }
  const r = new ByteReader(frame, 'Protocol');
  const version = r.u8('version');
  if (version !== PROTOCOL_VERSION) {
    throw new FerryError(
      'Protocol/UnsupportedVersion',
      `The other device speaks Ferry protocol version ${version}; this one speaks ${PROTOCOL_VERSION}. Update Ferry on the older device.`,
    );
  }
  const type = r.u8('type');
  const message = decodeBody(r, type);
  r.end('frame');
  return message;
}

function rest(r: ByteReader): Uint8Array {
  return r.bytes('data', r.remaining);
}

function decodeBody(r: ByteReader, type: number): Message {
  switch (type) {
    case MessageType.Hello: {
      const capabilities = r.varint('capabilities', MAX_ID);
      const stream = r.u8('stream index');
      const streams = r.u8('stream count');
      if (streams < 1 || streams > MAX_STREAMS || stream >= streams) {
        throw new FerryError(
          'Protocol/OutOfRange',
          `Stream ${stream} of ${streams} is not a valid stream (1 to ${MAX_STREAMS} streams).`,
        );
      }
      return { type, capabilities, stream, streams };
    }
    case MessageType.ManifestRequest:
      return {
        type,
        id: r.varint('request id', MAX_ID),
        offset: r.varint('offset', MAX_MANIFEST_BYTES),
      };
    case MessageType.ManifestChunk: {
      const id = r.varint('request id', MAX_ID);
      const total = r.varint('manifest size', MAX_MANIFEST_BYTES);
      const offset = r.varint('offset', total);
      const data = rest(r);
      if (offset + data.length > total)
        throw new FerryError(
          'Protocol/OutOfRange',
          'A manifest chunk runs past the manifest size.',
        );
      return { type, id, total, offset, data };
    }
    case MessageType.OutboardRequest:
      return {
        type,
        id: r.varint('request id', MAX_ID),
        file: r.varint('file index', MAX_FILES - 1),
        offset: r.varint('offset', MAX_BLOCK * 32),
      };
    case MessageType.OutboardChunk: {
      const id = r.varint('request id', MAX_ID);
      const file = r.varint('file index', MAX_FILES - 1);
      const total = r.varint('outboard size', MAX_BLOCK * 32);
      const offset = r.varint('offset', total);
      const data = rest(r);
      if (offset + data.length > total)
        throw new FerryError(
          'Protocol/OutOfRange',
          'An outboard chunk runs past the outboard size.',
        );
      return { type, id, file, total, offset, data };
    }
    case MessageType.BlockRequest: {
      const id = r.varint('request id', MAX_ID);
      const file = r.varint('file index', MAX_FILES - 1);
      const count = r.varint('range count', MAX_RANGES_PER_REQUEST);
      const ranges: BlockRange[] = [];
      for (let i = 0; i < count; i++) {
        const start = r.varint('range start', MAX_BLOCK);
        const length = r.varint('range length', MAX_BLOCK);
        if (length === 0 || start + length > MAX_BLOCK)
          throw new FerryError(
            'Protocol/OutOfRange',
            'A block range is empty or runs past any possible file.',
          );
        ranges.push({ start, count: length });
      }
      return { type, id, file, ranges };
    }
    case MessageType.BlockData:
      return {
        type,
        id: r.varint('request id', MAX_ID),
        file: r.varint('file index', MAX_FILES - 1),
        block: r.varint('block index', MAX_BLOCK),
        offset: r.varint('offset in block', 1024 * 1024 - 1),
        data: rest(r),
      };
    case MessageType.Cancel:
      return { type, id: r.varint('request id', MAX_ID) };
    case MessageType.Error:
      return {
        type,
        id: r.varint('request id', MAX_ID),
        code: r.varint('error code', 0xffff),
        message: r.utf8('error text', MAX_ERROR_TEXT_BYTES),
      };
    case MessageType.Bye:
      return { type, reason: r.varint('reason', 0xffff) };
    case MessageType.Ping:
    case MessageType.Pong:
      return { type, nonce: r.varint('nonce', MAX_ID) };
    case MessageType.Plan:
      return { type, files: r.varint('file count', MAX_FILES), bytes: r.varint('bytes') };
    case MessageType.DraftRequest:
      return {
        type,
        id: r.varint('request id', MAX_ID),
        offset: r.varint('offset', MAX_MANIFEST_BYTES),
      };
    case MessageType.HashesRequest:
      return {
        type,
        id: r.varint('request id', MAX_ID),
        file: r.varint('file index', MAX_FILES - 1),
        from: r.varint('first block', MAX_BLOCK),
      };
    case MessageType.Hashes: {
      const id = r.varint('request id', MAX_ID);
      const file = r.varint('file index', MAX_FILES - 1);
      const from = r.varint('first block', MAX_BLOCK);
      const state = r.u8('hash state');
      if (state !== HashState.Hashing && state !== HashState.Done && state !== HashState.Failed)
        throw new FerryError('Protocol/OutOfRange', `Hash state ${state} is not one Ferry knows.`);
      const fileHash = state === HashState.Done ? r.bytes('file hash', HASH_SIZE).slice() : null;
      const hashes = rest(r);
      const count = hashes.length / HASH_SIZE;
      if (!Number.isInteger(count) || count > MAX_HASHES_PER_REPLY || from + count > MAX_BLOCK)
        throw new FerryError(
          'Protocol/OutOfRange',
          `A block hash list must be whole 32-byte hashes, at most ${MAX_HASHES_PER_REPLY} of them, inside any possible file.`,
        );
      return { type, id, file, from, state, fileHash, hashes };
    }
    case MessageType.Preparing: {
      const id = r.varint('request id', MAX_ID);
      const filesReady = r.varint('files ready', MAX_FILES);
      const fileCount = r.varint('file count', MAX_FILES);
      const hashedBytes = r.varint('bytes hashed');
      const totalBytes = r.varint('total bytes');
      if (filesReady > fileCount || hashedBytes > totalBytes)
        throw new FerryError(
          'Protocol/OutOfRange',
          'The sender reported more of its files checked than it has.',
        );
      return { type, id, filesReady, fileCount, hashedBytes, totalBytes };
    }
    default:
      throw new FerryError(
        'Protocol/UnknownType',
        `The other device sent a message of unknown type ${type}.`,
      );
  }
}
