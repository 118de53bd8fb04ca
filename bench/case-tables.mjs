// SPDX-License-Identifier: MIT
// The WebRTC cases, and what every case is measured against: its baseline
// (for its ratio) and, for a transfer case, its ceiling (item 0 of the speed
// issue). Transfer, link and save cases are defined in their own modules.
import { LINK_CASES, linkBaseline } from './link-cases.mjs';

/** The WebRTC cases: [kind, streams, size or what to pick]. */
export const WEBRTC_CASES = {
  'raw-channel': ['raw', 1],
  // The same channel with 64 KiB messages: what a thousand 64 KiB files cost the transport alone.
  'raw-channel-64k': ['raw', 1, 64 * 1024],
  'streams-1': ['ferry', 1],
  'streams-2': ['ferry', 2],
  'streams-4': ['ferry', 4],
  'streams-6': ['ferry', 6],
  // The receive engine and block servers over Ferry streams, blocks from memory, no checking or
  // storing: what the request/response protocol costs, apart from files, hashing, IndexedDB and UI.
  'engine-big-6': ['engine', 6, { files: 1 }],
  'engine-small-1': ['engine', 1, { files: 1000, size: 64 * 1024 }],
  'engine-small-6': ['engine', 6, { files: 1000, size: 64 * 1024 }],
  // The least work of any verified, stored transfer (bench/ceiling.ts): the transfer cases' own files
  // read, sent over the raw channel, hashed and stored, with no protocol. Bounds every transfer ratio.
  'ceiling-big': ['ceiling', 1, { pick: 'big' }],
  'ceiling-small': ['ceiling', 1, { pick: 'small' }],
};
/** Each case's baseline: the figure its ratio is taken against. */
export const BASELINES = {
  'hash-raw': null,
  'hash-raw-blocks': 'hash-raw',
  'file-read-many': 'hash-raw',
  'file-read-big': 'hash-raw',
  'hash-1worker-many-serial': 'hash-raw',
  'hash-1worker-many': 'hash-raw',
  'hash-pool-many': 'hash-1worker-many',
  'hash-1worker-big': 'hash-raw-blocks',
  'hash-pool-big': 'hash-1worker-big',
  'idb-raw-write': null,
  'store-write': 'idb-raw-write',
  'store-read': null,
  'raw-channel': null,
  'raw-channel-64k': 'raw-channel',
  'streams-1': 'raw-channel',
  'streams-2': 'raw-channel',
  'streams-4': 'raw-channel',
  'streams-6': 'raw-channel',
  'engine-big-6': 'raw-channel',
  'engine-small-1': 'raw-channel',
  'engine-small-6': 'raw-channel',
  'ceiling-big': 'raw-channel',
  'ceiling-small': 'raw-channel',
  'transfer-mixed-6': 'raw-channel',
  'transfer-small-6': 'raw-channel',
  'transfer-small-1': 'raw-channel',
  'transfer-big-1': 'raw-channel',
  'transfer-big-6': 'raw-channel',
  'send-check-small': null,
  'manifest-decode-worst': null,
  ...Object.fromEntries(Object.keys(LINK_CASES).map((n) => [n, linkBaseline(n)])),
  'e2e-big': 'raw-channel',
  'save-zip-2g': 'save-zip-2g-blob',
  'save-zip-2g-blob': null,
  'huge-4g5': null,
  // Reports its own ratio: pick-to-verified over the transfer alone, same run.
  'e2e-hash-1g': null,
};
/** The ceiling case each transfer case is held to (item 0 of the speed issue), round by round. */
export const CEILINGS = {
  'transfer-big-6': 'ceiling-big',
  'transfer-big-1': 'ceiling-big',
  'transfer-small-6': 'ceiling-small',
  'transfer-small-1': 'ceiling-small',
  ...Object.fromEntries(
    Object.entries(LINK_CASES)
      .filter(([, spec]) => spec.streams)
      .map(([name, spec]) => [name, `link-${spec.profile}-ceiling-${spec.pick}`]),
  ),
};
