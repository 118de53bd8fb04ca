// SPDX-License-Identifier: MIT
import { utf8 } from '../bytes';
import { ByteWriter } from '../codec/byte-writer';
import { MAX_ERROR_TEXT_BYTES, MAX_FRAME_SIZE, PROTOCOL_VERSION } from './constants';
import { HashState, type Message, MessageType } from './message-types';

/**
 * Encodes one message as a frame: version u8, type u8, then the fields in
 * order, integers as shortest LEB128 varints, trailing `data` raw to the end.
 * Throws a RangeError if the frame would exceed MAX_FRAME_SIZE (a bug here,
 * never a peer's doing). With `scratch`, the frame is written into it and
 * returned as a view of it, valid until the next frame written there.
 */
export function encodeMessage(m: Message, scratch?: Uint8Array): Uint8Array {
  const w = (
    scratch ? ByteWriter.into(scratch) : new ByteWriter(32 + ('data' in m ? m.data.length : 0))
  )
    .u8(PROTOCOL_VERSION)
    .u8(m.type);
  switch (m.type) {
    case MessageType.Hello:
      w.varint(m.capabilities).u8(m.stream).u8(m.streams);
      break;
    case MessageType.ManifestRequest:
      w.varint(m.id).varint(m.offset);
      break;
    case MessageType.ManifestChunk:
      w.varint(m.id).varint(m.total).varint(m.offset).bytes(m.data);
      break;
    case MessageType.OutboardRequest:
      w.varint(m.id).varint(m.file).varint(m.offset);
      break;
    case MessageType.OutboardChunk:
      w.varint(m.id).varint(m.file).varint(m.total).varint(m.offset).bytes(m.data);
      break;
    case MessageType.BlockRequest:
      w.varint(m.id).varint(m.file).varint(m.ranges.length);
      for (const r of m.ranges) w.varint(r.start).varint(r.count);
      break;
    case MessageType.BlockData:
      w.varint(m.id).varint(m.file).varint(m.block).varint(m.offset).bytes(m.data);
      break;
    case MessageType.Cancel:
      w.varint(m.id);
      break;
    case MessageType.Error: {
      let text = utf8(m.message);
      if (text.length > MAX_ERROR_TEXT_BYTES)
        text = utf8(`${m.message.slice(0, MAX_ERROR_TEXT_BYTES / 4)}…`);
      w.varint(m.id).varint(m.code).lengthPrefixed(text);
      break;
    }
    case MessageType.Bye:
      w.varint(m.reason);
      break;
    case MessageType.Ping:
    case MessageType.Pong:
      w.varint(m.nonce);
      break;
    case MessageType.Plan:
      w.varint(m.files).varint(m.bytes);
      break;
    case MessageType.DraftRequest:
      w.varint(m.id).varint(m.offset);
      break;
    case MessageType.HashesRequest:
      w.varint(m.id).varint(m.file).varint(m.from);
      break;
    case MessageType.Hashes:
      w.varint(m.id).varint(m.file).varint(m.from).u8(m.state);
      if ((m.state === HashState.Done) !== (m.fileHash !== null))
        throw new RangeError('a file hash is sent exactly when the file is hashed');
      if (m.fileHash) w.bytes(m.fileHash);
      w.bytes(m.hashes);
      break;
    case MessageType.Preparing:
      w.varint(m.id).varint(m.filesReady).varint(m.fileCount).varint(m.hashedBytes);
      w.varint(m.totalBytes);
      break;
  }
  const frame = w.finish();
  if (frame.length > MAX_FRAME_SIZE)
    throw new RangeError(`frame of ${frame.length} bytes exceeds ${MAX_FRAME_SIZE}`);
  return frame;
}
