import { describe, expect, it } from 'vitest';
import { HASH_SIZE } from '../../../src/core/constants';
import type { ManifestEntry } from '../../../src/core/content/manifest';
import {
  adoptionVerdict,
  draftKey,
  isDraftKey,
  keptBits,
  matchFinal,
  mergedHashes,
} from '../../../src/core/transfer/draft-adoption';
import { oracleHash } from '../../helpers/data';

const MiB = 1024 * 1024;
const h = (fill: number, count = 1) => new Uint8Array(count * HASH_SIZE).fill(fill);

function entry(
  path: string,
  size: number,
  list: Uint8Array | null,
  fileHash = h(0xee),
): ManifestEntry {
  return { path, size, mtime: 0, fileHash, outboardHash: list ? oracleHash(list) : null };
}

describe('draft keys', () => {
  it('are the same for the same link, path and size, and never a record key', () => {
    expect(draftKey('ab12', 'a/b.txt', 100)).toBe(draftKey('ab12', 'a/b.txt', 100));
    expect(draftKey('ab12', 'a/b.txt', 100)).not.toBe(draftKey('ab12', 'a/b.txt', 101));
    expect(draftKey('ab12', 'a/b.txt', 100)).not.toBe(draftKey('ab13', 'a/b.txt', 100));
    expect(draftKey('ab12', 'a/b.txt', 100)).not.toBe(draftKey('ab12', 'a/c.txt', 100));
    expect(isDraftKey(draftKey('ab12', 'a/b.txt', 100))).toBe(true);
    expect(isDraftKey('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262')).toBe(
      false,
    );
  });
});

describe('matching the final manifest to the draft', () => {
  const draft = [
    { path: 'a.bin', size: 3 * MiB, mtime: 0 },
    { path: 'b.txt', size: 10, mtime: 0 },
    { path: 'c.txt', size: 20, mtime: 0 },
  ];
  it('maps each selected draft file to its entry, whatever failed before it', () => {
    // a.bin failed hashing: the manifest lists b and c at 0 and 1.
    const m = matchFinal(draft, [1, 2], [entry('b.txt', 10, null), entry('c.txt', 20, null)]);
    expect([...m.entryOf]).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(m.failed.size).toBe(0);
  });
  it('fails a selected file missing from the manifest, or whose size changed, with a sentence', () => {
    const m = matchFinal(draft, [0, 1, 2], [entry('b.txt', 11, null), entry('c.txt', 20, null)]);
    expect([...m.entryOf]).toEqual([[2, 1]]);
    expect(m.failed.get(0)).toMatch(/could not read this file/);
    expect(m.failed.get(1)).toMatch(/changed size/);
  });
  it('leaves out files not selected', () => {
    const m = matchFinal(draft, [2], [entry('b.txt', 10, null), entry('c.txt', 20, null)]);
    expect([...m.entryOf]).toEqual([[2, 1]]);
  });
});

describe('adopting draft blocks', () => {
  const list = h(0x11, 3);
  const big = entry('a', 3 * MiB, list);
  it('adopts a multi-block draft whose hash list hashes to the outboard hash', () => {
    expect(adoptionVerdict(big, { size: 3 * MiB, hashes: list }, oracleHash(list), false)).toBe(
      'adopt',
    );
  });
  it('drops it when the final outboard is not what the streamed hashes hash to', () => {
    const other = h(0x12, 3);
    expect(adoptionVerdict(big, { size: 3 * MiB, hashes: other }, oracleHash(other), false)).toBe(
      'drop',
    );
    // A partial list, or none, is never adopted.
    expect(
      adoptionVerdict(big, { size: 3 * MiB, hashes: list.slice(0, 64) }, oracleHash(list), false),
    ).toBe('drop');
    expect(adoptionVerdict(big, { size: 3 * MiB, hashes: null }, null, false)).toBe('drop');
  });
  it('adopts a one-block draft when its hash is the file hash', () => {
    const one = entry('b', 10, null, h(0x33));
    expect(adoptionVerdict(one, { size: 10, hashes: h(0x33) }, null, false)).toBe('adopt');
    expect(adoptionVerdict(one, { size: 10, hashes: h(0x34) }, null, false)).toBe('drop');
  });
  it('drops the draft when the final record exists already, or the size differs', () => {
    expect(adoptionVerdict(big, { size: 3 * MiB, hashes: list }, oracleHash(list), true)).toBe(
      'drop',
    );
    expect(adoptionVerdict(big, { size: 3 * MiB - 1, hashes: list }, oracleHash(list), false)).toBe(
      'drop',
    );
  });
});

describe('resuming draft blocks', () => {
  it('counts a stored block only if the hash it was stored under is the one reported now', () => {
    const recorded = new Uint8Array([...h(1), ...h(2), ...h(3), ...h(4)]);
    const now = new Uint8Array([...h(1), ...h(9)]);
    // Blocks 0, 1 and 3 stored; 1's hash changed; 3 is past what is reported now: kept, unconfirmed.
    expect(keptBits(4 * MiB, new Uint8Array([0b1011]), recorded, now)).toEqual(
      new Uint8Array([0b1001]),
    );
    // A block stored under no recorded hash is not trusted.
    expect(keptBits(4 * MiB, new Uint8Array([0b1]), null, now)).toEqual(new Uint8Array([0]));
    expect(mergedHashes(recorded, now)).toEqual(
      new Uint8Array([...h(1), ...h(9), ...h(3), ...h(4)]),
    );
    expect(mergedHashes(now, recorded)).toBe(recorded);
  });
});
