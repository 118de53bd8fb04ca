import { afterEach, describe, expect, it } from 'vitest';
import { senderDraft } from '../../src/adapters/sender-draft';
import { draftHashesReleased } from '../../src/adapters/test-faults';
import { BLOCK_SIZE, HASH_SIZE } from '../../src/core/constants';
import { draftFiles } from '../../src/core/content/draft';
import { HashLog } from '../../src/core/content/hash-log';
import { decodeManifest } from '../../src/core/content/manifest';
import { HashState, MessageType } from '../../src/core/protocol/message-types';
import { answerHashesRequest } from '../../src/core/transfer/hashes-answer';
import { pseudoRandomBytes } from '../helpers/data';

const faults = globalThis as { __ferryFaults?: unknown };
afterEach(() => {
  delete faults.__ferryFaults;
});

function draftOf() {
  const big = pseudoRandomBytes(3 * BLOCK_SIZE + 1, 61);
  const small = pseudoRandomBytes(100, 62);
  const logs = { big: new HashLog(big.length), small: new HashLog(small.length) };
  // Given out of canonical order: the draft sorts them.
  const draft = senderDraft([
    { path: 'z/big.bin', mtime: 1, file: new Blob([big]), hashing: logs.big },
    { path: 'a.txt', mtime: 2, file: new Blob([small]), hashing: logs.small },
  ]);
  return { big, small, logs, draft };
}

describe('senderDraft: the file list before its hashes', () => {
  it('lists the files in canonical order and serves their blocks, with no outboards, by draft index', async () => {
    const { big, small, draft } = draftOf();
    expect(draftFiles(decodeManifest(draft.bytes)).map((f) => f.path)).toEqual([
      'a.txt',
      'z/big.bin',
    ]);
    expect(draft.source.size(0)).toBe(100);
    expect(draft.source.size(2)).toBeNull();
    expect(await draft.source.read(0, 0)).toEqual(small);
    expect(await draft.source.read(1, 3)).toEqual(big.subarray(3 * BLOCK_SIZE));
    expect(draft.source.outboard(1).length).toBe(0);
  });

  it('holds a file’s hashes for a test: at most `blocks` of them, never Done, and the manifest waits', async () => {
    const { draft, logs } = draftOf();
    let release = () => {};
    const until = new Promise<void>((resolve) => {
      release = resolve;
    });
    faults.__ferryFaults = { holdDraftHashes: { path: 'z/big.bin', blocks: 1, until } };
    logs.big.finish({
      fileHash: new Uint8Array(32).fill(1),
      outboard: new Uint8Array(4 * HASH_SIZE),
    });
    const ask = { type: MessageType.HashesRequest as const, id: 1, file: 1, from: 0 };
    expect(answerHashesRequest(ask, draft.hashing)).toMatchObject({
      state: HashState.Hashing,
      fileHash: null,
      hashes: new Uint8Array(HASH_SIZE),
    });
    let released = false;
    void draftHashesReleased().then(() => {
      released = true;
    });
    await Promise.resolve();
    expect(released).toBe(false);
    release();
    await until;
    await expect.poll(() => released).toBe(true);
    const done = answerHashesRequest(ask, draft.hashing);
    expect(done).toMatchObject({ state: HashState.Done, hashes: new Uint8Array(4 * HASH_SIZE) });
  });
});
