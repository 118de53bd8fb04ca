// SPDX-License-Identifier: MIT
import { BLOCK_SIZE, blockCount } from '../constants';
import type { HashProgress } from '../content/hash-log';
import { MAX_HASHES_PER_REPLY } from '../protocol/constants';
import { ErrorCode, HashState, type Message, MessageType } from '../protocol/message-types';

/** A HASHES_REQUEST frame. */
export type HashesRequest = Extract<Message, { type: MessageType.HashesRequest }>;

/** What a HASHES_REQUEST is answered with: HASHES, or an ERROR naming the rule. */
export type HashesAnswer = Extract<Message, { type: MessageType.Hashes | MessageType.Error }>;

/**
 * The answer to `ask` from the hashing progress of the draft's files (by
 * draft index), or from null when this room served no draft. The reply
 * carries the known block hashes from `ask.from` on, at most
 * MAX_HASHES_PER_REPLY; it says Done only when it carries the file's last
 * block hash, so it satisfies the receiver's `DraftHashes`. A file of one
 * block has no block hashes: its Done reply carries only the file hash.
 */
export function answerHashesRequest(
  ask: HashesRequest,
  files: readonly HashProgress[] | null,
): HashesAnswer {
  const refuse = (code: ErrorCode, message: string): HashesAnswer => ({
    type: MessageType.Error,
    id: ask.id,
    code,
    message,
  });
  if (!files) return refuse(ErrorCode.NotReady, 'No file list was sent here yet.');
  const file = files[ask.file];
  if (!file) return refuse(ErrorCode.UnknownFile, `There is no file ${ask.file}.`);
  const reply = (state: HashState, hashes: Uint8Array): HashesAnswer => ({
    type: MessageType.Hashes,
    id: ask.id,
    file: ask.file,
    from: ask.from,
    state,
    fileHash: state === HashState.Done ? file.fileHash : null,
    hashes,
  });
  if (file.state === HashState.Failed) return reply(HashState.Failed, new Uint8Array(0));
  const total = file.size > BLOCK_SIZE ? blockCount(file.size) : 0;
  const done = file.state === HashState.Done;
  // The last block hash is held back until the file hash exists, so the
  // reply carrying it is the one that says Done (as the receiver requires).
  const known = done ? total : Math.min(file.known, Math.max(0, total - 1));
  if (ask.from > known)
    return refuse(
      ErrorCode.OutOfRange,
      `Only ${known} block hashes of file ${ask.file} are known so far.`,
    );
  const end = Math.min(known, ask.from + MAX_HASHES_PER_REPLY);
  return reply(
    done && end === total ? HashState.Done : HashState.Hashing,
    file.hashes(ask.from, end),
  );
}
