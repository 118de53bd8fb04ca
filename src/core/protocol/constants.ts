// SPDX-License-Identifier: MIT

/** Wire protocol version carried in every frame's first byte. */
export const PROTOCOL_VERSION = 1;

/**
 * Largest frame we send or accept (256 KiB): Chromium's SCTP
 * max-message-size here is 262144, and a larger message closes the channel.
 * @see https://developer.mozilla.org/docs/Web/API/RTCSctpTransport/maxMessageSize
 */
export const MAX_FRAME_SIZE = 256 * 1024;

/** Room left in a BLOCK_DATA frame for its header, in bytes (generous: the real header is under 30). */
export const BLOCK_DATA_HEADER_ROOM = 64;

/** Payload bytes in one BLOCK_DATA frame: a 1 MiB block travels as 5 pieces at most. */
export const BLOCK_PIECE_SIZE = MAX_FRAME_SIZE - BLOCK_DATA_HEADER_ROOM;

/** Most ranges in one BLOCK_REQUEST: bounds the work a single request can ask for. */
export const MAX_RANGES_PER_REQUEST = 1024;

/** Longest ERROR message text, in bytes. */
export const MAX_ERROR_TEXT_BYTES = 1024;

/** Most data channels (streams) in one session. */
export const MAX_STREAMS = 8;

/**
 * A sender with this HELLO capability answers DRAFT_REQUEST and
 * HASHES_REQUEST: its files can be fetched while it is still hashing them.
 */
export const CAPABILITY_DRAFT = 0b1;

/** Capability bits this version announces in HELLO; unknown bits are ignored. */
export const CAPABILITIES = CAPABILITY_DRAFT;

/**
 * Most block hashes in one HASHES reply (4096, 128 KiB): a 4 GiB file's
 * hashes come in one reply, and the frame stays under MAX_FRAME_SIZE.
 */
export const MAX_HASHES_PER_REPLY = 4096;

/**
 * Least payload of a BLOCK_DATA piece that does not end its block (16 KiB).
 * Pieces may come in any order, so the receiver tracks which bytes of a
 * block it has: this bounds that record to 64 pieces per 1 MiB block.
 */
export const MIN_PIECE_SIZE = 16 * 1024;

/**
 * Most BLOCK_REQUESTs open on one stream (1024): the sender refuses more, and
 * the receiver's scheduler keeps at most this many blocks on the way per
 * stream. A window of 8 MiB of tiny files stays under it.
 */
export const MAX_OPEN_REQUESTS = 1024;

/**
 * Most blocks one BLOCK_REQUEST may ask for (64, i.e. 64 MiB): a receiver's
 * window is at most 8 MiB per stream, so an honest request asks for far
 * fewer; the sender refuses more, the receiver's scheduler never asks more.
 */
export const MAX_BLOCKS_PER_REQUEST = 64;
