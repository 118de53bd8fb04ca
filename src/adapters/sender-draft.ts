// SPDX-License-Identifier: MIT
import { buildDraft } from '../core/content/draft';
import type { HashProgress } from '../core/content/hash-log';
import { HashState } from '../core/protocol/message-types';
import type { BlockSource } from '../core/transfer/block-server';
import { fileBlockSource } from './file-block-source';
import { heldDraftHashes } from './test-faults';

/** A picked file as it goes into a draft: its path in the offer, the File, and its hashing so far. */
export interface DraftEntry {
  path: string;
  mtime: number;
  file: Blob;
  hashing: HashProgress;
}

/**
 * A room's draft: the file list before its hashes, what a receiver fetches
 * blocks by while the sender is still hashing. Everything is by draft index
 * (the canonical order of `buildDraft`).
 */
export interface SenderDraft {
  /** The draft's encoding (a manifest with zero hashes), served in MANIFEST_CHUNKs. */
  readonly bytes: Uint8Array;
  /**
   * Blocks read from the picked Files. Served whether or not their hash is
   * known yet (a receiver asks only for blocks it can verify); no outboards:
   * hashes known so far are not one, and HASHES carries them instead.
   */
  readonly source: BlockSource;
  /** Each file's hashing progress, answered in HASHES. */
  readonly hashing: readonly HashProgress[];
}

/** Makes the draft of `entries` (files not failed when it is made). */
export function senderDraft(entries: readonly DraftEntry[]): SenderDraft {
  const built = buildDraft(
    entries.map((e) => ({ path: e.path, size: e.file.size, mtime: e.mtime })),
  );
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const ordered = built.files.map((f) => byPath.get(f.path)!);
  return {
    bytes: built.bytes,
    source: fileBlockSource(ordered.map((e) => ({ file: e.file, outboard: new Uint8Array(0) }))),
    hashing: ordered.map((e) =>
      __FERRY_TEST_HOOKS__ ? heldProgress(e.path, e.hashing) : e.hashing,
    ),
  };
}

/** `progress` as a test holding this path's hashes wants it seen: cut short and never Done. */
function heldProgress(path: string, progress: HashProgress): HashProgress {
  const held = () => heldDraftHashes(path);
  return {
    get size() {
      return progress.size;
    },
    get state() {
      const state = progress.state;
      return held() !== null && state === HashState.Done ? HashState.Hashing : state;
    },
    get known() {
      const blocks = held();
      return blocks === null ? progress.known : Math.min(blocks, progress.known);
    },
    get fileHash() {
      return held() === null ? progress.fileHash : null;
    },
    hashes: (from, to) => progress.hashes(from, to),
  };
}
