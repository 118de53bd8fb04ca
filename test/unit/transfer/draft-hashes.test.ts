import { describe, expect, it } from 'vitest';
import { HASH_SIZE } from '../../../src/core/constants';
import { HashState, MessageType } from '../../../src/core/protocol/message-types';
import { DraftHashes } from '../../../src/core/transfer/draft-hashes';

const MiB = 1024 * 1024;
const hashes = (count: number, fill = 0xaa) => new Uint8Array(count * HASH_SIZE).fill(fill);
const reply = (
  file: number,
  from: number,
  state: HashState,
  list: Uint8Array,
  fileHash: Uint8Array | null = state === HashState.Done ? new Uint8Array(32).fill(0xee) : null,
) => ({ type: MessageType.Hashes as const, id: 1, file, from, state, fileHash, hashes: list });

describe('DraftHashes', () => {
  it('learns a multi-block file in order, then its file hash with the last block', () => {
    const d = new DraftHashes(2, 3 * MiB + 1);
    expect(d.apply(reply(2, 0, HashState.Hashing, hashes(0)))).toBe('wait');
    expect(d.apply(reply(2, 0, HashState.Hashing, hashes(2, 0x01)))).toBe('more');
    expect(d.known).toBe(2);
    expect(d.blockHash(1)).toEqual(new Uint8Array(32).fill(0x01));
    expect(d.blockHash(2)).toBeNull();
    expect(d.apply(reply(2, 2, HashState.Done, hashes(2, 0x02)))).toBe('done');
    expect(d.known).toBe(4);
    expect(d.fileHash).toEqual(new Uint8Array(32).fill(0xee));
  });

  it('takes a one-block file hash as its block hash', () => {
    const d = new DraftHashes(0, 5);
    expect(d.apply(reply(0, 0, HashState.Done, hashes(0)))).toBe('done');
    expect(d.known).toBe(1);
    expect(d.blockHash(0)).toEqual(new Uint8Array(32).fill(0xee));
  });

  it('knows no block of an empty file', () => {
    const d = new DraftHashes(0, 0);
    expect(d.apply(reply(0, 0, HashState.Done, hashes(0)))).toBe('done');
    expect(d.known).toBe(0);
  });

  it('hears that the sender could not read the file', () => {
    const d = new DraftHashes(0, 3 * MiB);
    expect(d.apply(reply(0, 0, HashState.Failed, hashes(0)))).toBe('failed');
    expect(d.state).toBe(HashState.Failed);
  });

  const hostile: [string, number, ReturnType<typeof reply>[]][] = [
    ['another file', 3 * MiB, [reply(1, 0, HashState.Hashing, hashes(1))]],
    ['another start', 3 * MiB, [reply(0, 1, HashState.Hashing, hashes(1))]],
    ['past the last block', 3 * MiB, [reply(0, 0, HashState.Hashing, hashes(4))]],
    ['block hashes for a one-block file', 5, [reply(0, 0, HashState.Hashing, hashes(1))]],
    ['done before the last block', 3 * MiB, [reply(0, 0, HashState.Done, hashes(2))]],
    [
      'more after done',
      5,
      [reply(0, 0, HashState.Done, hashes(0)), reply(0, 1, HashState.Hashing, hashes(0))],
    ],
  ];
  for (const [what, size, replies] of hostile) {
    it(`refuses ${what}`, () => {
      const d = new DraftHashes(0, size);
      const last = replies.pop()!;
      for (const r of replies) d.apply(r);
      expect(() => d.apply(last)).toThrowError(
        expect.objectContaining({ name: 'Protocol/Unexpected' }),
      );
    });
  }
});
