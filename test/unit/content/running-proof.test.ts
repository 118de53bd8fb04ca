import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/core/bytes';
import {
  MAX_HELD_BYTES,
  MAX_RUNNING_PROOFS,
  RunningProofs,
} from '../../../src/core/content/running-proof';
import { nobleBlake3, oracleHash, pseudoRandomBytes } from '../../helpers/data';

const KiB = 1024;
/** Blocks of `size` bytes (the last one short), as a file is cut. */
function blocksOf(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += size) out.push(data.subarray(at, at + size));
  return out;
}
/** A seeded shuffle, so an order that fails can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
const proofs = () => new RunningProofs(async () => nobleBlake3());

describe('RunningProofs: whole-file hashes from verified blocks as they arrive', () => {
  it('gives the file BLAKE3 for blocks fed in order and out of order (seeded)', async () => {
    const data = pseudoRandomBytes(37 * KiB + 5, 9);
    const blocks = blocksOf(data, 4 * KiB);
    for (const seed of [1, 2, 3]) {
      const p = proofs();
      for (const [i, b] of shuffled([...blocks.entries()], seed)) await p.add('f', i, b);
      expect(toHex(p.finish('f', blocks.length)!)).toBe(toHex(oracleHash(data)));
    }
  });

  it('holds blocks ahead of their turn as copies: the caller may reuse its buffer', async () => {
    const data = pseudoRandomBytes(12 * KiB, 4);
    const [a, b, c] = blocksOf(data, 4 * KiB).map((x) => x.slice());
    const p = proofs();
    await p.add('f', 2, c!);
    c!.fill(0);
    await p.add('f', 1, b!);
    await p.add('f', 0, a!);
    expect(toHex(p.finish('f', 3)!)).toBe(toHex(oracleHash(data)));
  });

  it('says null, never a wrong hash, for a file missing blocks, fed from the middle, or too far ahead', async () => {
    const data = pseudoRandomBytes(40 * KiB, 5);
    const blocks = blocksOf(data, 4 * KiB);
    const p = proofs();
    // Block 3 never comes (stored by an earlier run): the file cannot be hashed here.
    for (const [i, b] of blocks.entries()) if (i !== 3) await p.add('gap', i, b);
    expect(p.finish('gap', blocks.length)).toBeNull();
    // Finished before its last block: null, and forgotten.
    await p.add('short', 0, blocks[0]!);
    expect(p.finish('short', 2)).toBeNull();
    expect(p.finish('short', 1)).toBeNull();
    // Never seen at all.
    expect(p.finish('unknown', 1)).toBeNull();
    // More held than allowed: given up for good, even once block 0 comes.
    const big = new Uint8Array(MAX_HELD_BYTES / 2);
    await p.add('far', 1, big);
    await p.add('far', 2, big);
    await p.add('far', 3, big);
    await p.add('far', 0, big);
    expect(p.finish('far', 4)).toBeNull();
  });

  it('ignores a block fed twice (the same content listed twice)', async () => {
    const data = pseudoRandomBytes(8 * KiB, 6);
    const [a, b] = blocksOf(data, 4 * KiB);
    const p = proofs();
    await p.add('f', 0, a!);
    await p.add('f', 0, a!);
    await p.add('f', 1, b!);
    await p.add('f', 1, b!);
    expect(toHex(p.finish('f', 2)!)).toBe(toHex(oracleHash(data)));
  });

  it('goes on under a new key after a rename (a draft adopted), and never merges two files', async () => {
    const data = pseudoRandomBytes(12 * KiB, 8);
    const [a, b, c] = blocksOf(data, 4 * KiB);
    const p = proofs();
    await p.add('draft', 0, a!);
    await p.add('draft', 2, c!);
    p.rename('draft', 'final');
    await p.add('final', 1, b!);
    expect(p.finish('draft', 3)).toBeNull();
    expect(toHex(p.finish('final', 3)!)).toBe(toHex(oracleHash(data)));
    // Renamed onto a key already followed: neither is trusted.
    await p.add('x', 0, a!);
    await p.add('y', 0, a!);
    p.rename('x', 'y');
    await p.add('y', 1, b!);
    await p.add('y', 2, c!);
    expect(p.finish('y', 3)).toBeNull();
  });

  it(`follows at most ${MAX_RUNNING_PROOFS} files: the oldest is dropped for a new one`, async () => {
    const data = pseudoRandomBytes(8 * KiB, 7);
    const [a, b] = blocksOf(data, 4 * KiB);
    const p = proofs();
    for (let f = 0; f <= MAX_RUNNING_PROOFS; f++) await p.add(`f${f}`, 0, a!);
    for (let f = 0; f <= MAX_RUNNING_PROOFS; f++) await p.add(`f${f}`, 1, b!);
    expect(p.finish('f0', 2)).toBeNull();
    for (let f = 1; f <= MAX_RUNNING_PROOFS; f++)
      expect(toHex(p.finish(`f${f}`, 2)!)).toBe(toHex(oracleHash(data)));
  });
});
