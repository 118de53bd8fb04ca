import { describe, expect, it } from 'vitest';
import { createBlake3 } from '../../src/adapters/blake3-wasm';
import { fromHex, toHex } from '../../src/core/bytes';
import { BLOCK_SIZE } from '../../src/core/constants';
import { FileHasher, unseenBlockHashes } from '../../src/core/content/file-hasher';
import { blockMatches, expectedBlockHash, outboardMatches } from '../../src/core/content/outboard';
import { nobleBlake3, oracleHash, pseudoRandomBytes } from '../helpers/data';

const MiB = BLOCK_SIZE;

async function hashInChunks(data: Uint8Array, chunk: number) {
  const hasher = new FileHasher(data.length, await createBlake3(), await createBlake3());
  for (let i = 0; i < data.length; i += chunk) hasher.update(data.subarray(i, i + chunk));
  return hasher.finish();
}

describe('FileHasher (hash-wasm) against @noble/hashes', () => {
  it('matches the published BLAKE3 vector for empty input', async () => {
    const d = await hashInChunks(new Uint8Array(0), 1);
    expect(toHex(d.fileHash)).toBe(
      'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
    );
    expect(d.outboard.length).toBe(0);
    expect(d.outboardHash).toBeNull();
  });

  const sizes = [0, 1, 1023, 1024, 1025, MiB - 1, MiB, MiB + 1, 2 * MiB, 3 * MiB + 12345];
  for (const size of sizes) {
    it(`file hash and block hashes for ${size} bytes, fed in odd chunks`, async () => {
      const data = pseudoRandomBytes(size, size + 7);
      for (const chunk of [65536, 333_333]) {
        const d = await hashInChunks(data, chunk);
        expect(toHex(d.fileHash)).toBe(toHex(oracleHash(data)));
        const blocks = Math.ceil(size / MiB);
        if (blocks <= 1) {
          expect(d.outboard.length).toBe(0);
          expect(d.outboardHash).toBeNull();
        } else {
          expect(d.outboard.length).toBe(blocks * 32);
          for (let i = 0; i < blocks; i++) {
            const block = data.subarray(i * MiB, (i + 1) * MiB);
            expect(toHex(d.outboard.subarray(i * 32, i * 32 + 32))).toBe(toHex(oracleHash(block)));
          }
          expect(toHex(d.outboardHash!)).toBe(toHex(oracleHash(d.outboard)));
        }
      }
    });
  }

  it('refuses more bytes than announced, and fewer', async () => {
    const h = new FileHasher(4, nobleBlake3(), nobleBlake3());
    expect(() => h.update(new Uint8Array(5))).toThrow(RangeError);
    h.update(new Uint8Array(3));
    expect(() => h.finish()).toThrow(RangeError);
  });
});

describe('FileHasher block hashes while hashing', () => {
  it('hands out each finished block hash as it is made, equal to the oracle and the final outboard', async () => {
    const size = 5 * MiB + 777;
    const data = pseudoRandomBytes(size, 77);
    const hasher = new FileHasher(size, await createBlake3(), await createBlake3());
    const streamed: Uint8Array[] = [];
    const seen: number[] = [];
    let told = 0;
    for (let i = 0; i < size; i += 700_001) {
      hasher.update(data.subarray(i, i + 700_001));
      // Only blocks fed whole are final.
      expect(hasher.blocksDone).toBe(Math.floor(hasher.hashed / MiB));
      streamed.push(hasher.blockHashes(told));
      told = hasher.blocksDone;
      seen.push(told);
    }
    // The last, partial block is final only at finish: it comes with the digest.
    expect(told).toBe(5);
    const d = hasher.finish();
    const all = new Uint8Array(streamed.reduce((n, h) => n + h.length, 0));
    let at = 0;
    for (const h of streamed) {
      all.set(h, at);
      at += h.length;
    }
    expect(toHex(all)).toBe(toHex(d.outboard.subarray(0, 5 * 32)));
    for (let i = 0; i < 5; i++)
      expect(toHex(all.subarray(i * 32, i * 32 + 32))).toBe(
        toHex(oracleHash(data.subarray(i * MiB, (i + 1) * MiB))),
      );
    expect(seen.some((n) => n > 0 && n < 5)).toBe(true);
  });

  it('hands out copies, not views of its outboard', () => {
    const h = new FileHasher(2 * MiB, nobleBlake3(), nobleBlake3());
    h.update(new Uint8Array(MiB));
    const got = h.blockHashes(0);
    expect(got.length).toBe(32);
    expect(got.buffer.byteLength).toBe(32);
  });

  it('has no block hashes for a file of one block, even fed whole', () => {
    const h = new FileHasher(MiB, nobleBlake3(), nobleBlake3());
    h.update(new Uint8Array(MiB));
    expect(h.blocksDone).toBe(0);
    expect(h.blockHashes(0).length).toBe(0);
  });

  it('passes on only block hashes not told before, and nothing across a gap', () => {
    const hashes = pseudoRandomBytes(4 * 32, 5);
    expect(unseenBlockHashes({ from: 0, hashes }, 0)).toEqual({ from: 0, hashes });
    const cut = unseenBlockHashes({ from: 1, hashes }, 3);
    expect(cut?.from).toBe(3);
    expect(toHex(cut!.hashes)).toBe(toHex(hashes.subarray(64)));
    expect(unseenBlockHashes({ from: 0, hashes }, 4)).toBeNull();
    expect(unseenBlockHashes({ from: 2, hashes }, 1)).toBeNull();
  });
});

describe('block verification', () => {
  it('accepts each true block and refuses a flipped bit, a short block and a wrong index', async () => {
    const data = pseudoRandomBytes(2 * MiB + 100, 3);
    const d = await hashInChunks(data, MiB);
    const h = nobleBlake3();
    for (let i = 0; i < 3; i++) {
      const block = data.slice(i * MiB, (i + 1) * MiB);
      expect(blockMatches(h, data.length, d.fileHash, d.outboard, i, block)).toBe(true);
    }
    const bad = data.slice(0, MiB);
    bad[500] = (bad[500] ?? 0) ^ 1;
    expect(blockMatches(h, data.length, d.fileHash, d.outboard, 0, bad)).toBe(false);
    expect(
      blockMatches(h, data.length, d.fileHash, d.outboard, 2, data.slice(2 * MiB, 2 * MiB + 99)),
    ).toBe(false);
    expect(blockMatches(h, data.length, d.fileHash, d.outboard, 1, data.slice(0, MiB))).toBe(false);
    expect(() => expectedBlockHash(data.length, d.fileHash, d.outboard, 3)).toThrow(RangeError);
    expect(outboardMatches(h, data.length, d.outboard, d.outboardHash!)).toBe(true);
    expect(outboardMatches(h, data.length, d.outboard.slice(32), d.outboardHash!)).toBe(false);
  });

  it('uses the file hash as the only block hash of a one-block file', () => {
    const data = pseudoRandomBytes(1000, 9);
    const fileHash = oracleHash(data);
    expect(blockMatches(nobleBlake3(), 1000, fileHash, new Uint8Array(0), 0, data)).toBe(true);
    expect(toHex(fromHex(toHex(fileHash)))).toBe(toHex(fileHash));
  });
});
