// SPDX-License-Identifier: MIT

/** Frame types on the wire (second byte of every frame). */
export enum MessageType {
  Hello = 0x01,
  ManifestRequest = 0x02,
  ManifestChunk = 0x03,
  OutboardRequest = 0x04,
  OutboardChunk = 0x05,
  BlockRequest = 0x06,
  BlockData = 0x07,
  Cancel = 0x08,
  Error = 0x09,
  Bye = 0x0a,
  Ping = 0x0b,
  Pong = 0x0c,
  Preparing = 0x0d,
  Plan = 0x0e,
  DraftRequest = 0x0f,
  HashesRequest = 0x10,
  Hashes = 0x11,
}

/** Human names for logs, by type number. */
export const MESSAGE_TYPE_NAMES: Record<number, string> = {
  1: 'HELLO',
  2: 'MANIFEST_REQUEST',
  3: 'MANIFEST_CHUNK',
  4: 'OUTBOARD_REQUEST',
  5: 'OUTBOARD_CHUNK',
  6: 'BLOCK_REQUEST',
  7: 'BLOCK_DATA',
  8: 'CANCEL',
  9: 'ERROR',
  10: 'BYE',
  11: 'PING',
  12: 'PONG',
  13: 'PREPARING',
  14: 'PLAN',
  15: 'DRAFT_REQUEST',
  16: 'HASHES_REQUEST',
  17: 'HASHES',
};

/** A run of `count` blocks starting at `start`. */
export interface BlockRange {
  start: number;
  count: number;
}

/** Why a peer says goodbye. */
export enum ByeReason {
  Done = 0,
  Cancelled = 1,
  ProtocolError = 2,
  ShuttingDown = 3,
}

/** Error codes carried by ERROR frames. */
export enum ErrorCode {
  /** The frame broke the protocol; the sender of ERROR closes next. */
  Protocol = 1,
  /** Asked for a file index the manifest does not have. */
  UnknownFile = 2,
  /** Asked for a block, offset or range outside the file. */
  OutOfRange = 3,
  /** The sender cannot read that file any more (moved, changed, deleted). */
  Unavailable = 4,
  /** The sender has no manifest yet (still hashing); current senders answer PREPARING instead. */
  NotReady = 5,
  /**
   * The request broke one of the sender's limits (overlapping or unordered
   * ranges, too many blocks or requests at once, a reply of that kind still
   * being sent); the text names the rule. Repeated refusals close the stream.
   */
  Refused = 6,
}

/** Every message, as a discriminated union on `type`. */
export type Message =
  | { type: MessageType.Hello; capabilities: number; stream: number; streams: number }
  | { type: MessageType.ManifestRequest; id: number; offset: number }
  | { type: MessageType.ManifestChunk; id: number; total: number; offset: number; data: Uint8Array }
  | { type: MessageType.OutboardRequest; id: number; file: number; offset: number }
  | {
      type: MessageType.OutboardChunk;
      id: number;
      file: number;
      total: number;
      offset: number;
      data: Uint8Array;
    }
  | { type: MessageType.BlockRequest; id: number; file: number; ranges: BlockRange[] }
  | {
      type: MessageType.BlockData;
      id: number;
      file: number;
      block: number;
      offset: number;
      data: Uint8Array;
    }
  | { type: MessageType.Cancel; id: number }
  | { type: MessageType.Error; id: number; code: number; message: string }
  | { type: MessageType.Bye; reason: number }
  | { type: MessageType.Ping; nonce: number }
  | { type: MessageType.Pong; nonce: number }
  | ({ type: MessageType.Preparing; id: number } & PreparingStatus)
  /** What the receiver is about to fetch (bytes and files still missing), so the sender can show progress. */
  | { type: MessageType.Plan; files: number; bytes: number }
  /**
   * Asks a sender that is still hashing for its draft: the file list
   * without hashes (a manifest whose hash fields are zero), answered in
   * MANIFEST_CHUNKs, or PREPARING while not every picked file is listed.
   * Sent only to a sender whose HELLO carries CAPABILITY_DRAFT.
   */
  | { type: MessageType.DraftRequest; id: number; offset: number }
  /** Asks for draft file `file`'s block hashes from block `from` on, as far as they are computed. */
  | { type: MessageType.HashesRequest; id: number; file: number; from: number }
  | {
      type: MessageType.Hashes;
      id: number;
      file: number;
      /** Index of the block whose hash comes first in `hashes`. */
      from: number;
      /** Done only in the reply that carries the file's last block hash (or, for one block, none). */
      state: HashState;
      /** The whole file's BLAKE3, exactly when `state` is Done. */
      fileHash: Uint8Array | null;
      /** Block hashes, 32 bytes each, from block `from` on (none for a file of at most one block). */
      hashes: Uint8Array;
    };

/** How far a draft file's hashing has come (in HASHES). */
export enum HashState {
  /** Still being hashed: more block hashes will come. */
  Hashing = 0,
  /** Hashed: every block hash exists and `fileHash` is given. */
  Done = 1,
  /** The sender could not read the file: it will not be in the manifest. */
  Failed = 2,
}

/** How far a sender that is still hashing has come (the answer to a MANIFEST_REQUEST until its manifest exists). */
export interface PreparingStatus {
  filesReady: number;
  fileCount: number;
  hashedBytes: number;
  totalBytes: number;
}
