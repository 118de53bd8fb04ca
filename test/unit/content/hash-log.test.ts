import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/core/bytes';
import { BLOCK_SIZE, HASH_SIZE } from '../../../src/core/constants';
import { HashLog } from '../../../src/core/content/hash-log';
import { HashState } from '../../../src/core/protocol/message-types';
import { pseudoRandomBytes } from '../../helpers/data';

const outboard = pseudoRandomBytes(5 * HASH_SIZE, 3);
const part = (from: number, to: number) => ({
  from,
  hashes: outboard.slice(from * HASH_SIZE, to * HASH_SIZE),
});

describe('HashLog: one file’s block hashes as its hashing reports them', () => {
  it('grows a prefix from reports, ignoring repeats and gaps, then takes the digest', () => {
    const log = new HashLog(5 * BLOCK_SIZE - 9);
    log.add(part(0, 2));
    log.add(part(0, 1)); // a restarted hashing repeats its first blocks
    log.add(part(3, 4)); // a gap: nothing is taken past it
    expect(log.known).toBe(2);
    log.add(part(1, 3));
    expect(log.known).toBe(3);
    expect(toHex(log.hashes(0, 9))).toBe(toHex(outboard.subarray(0, 3 * HASH_SIZE)));
    expect(log.state).toBe(HashState.Hashing);
    expect(log.fileHash).toBeNull();
    const fileHash = new Uint8Array(32).fill(7);
    log.finish({ fileHash, outboard });
    expect(log.state).toBe(HashState.Done);
    expect(log.known).toBe(5);
    expect(log.fileHash).toBe(fileHash);
    expect(toHex(log.hashes(3, 5))).toBe(toHex(outboard.subarray(3 * HASH_SIZE)));
  });

  it('never takes more hashes than the file has blocks', () => {
    const log = new HashLog(2 * BLOCK_SIZE);
    log.add(part(0, 3));
    expect(log.known).toBe(0);
    expect(() =>
      log.finish({ fileHash: new Uint8Array(32), outboard: new Uint8Array(32) }),
    ).toThrow(RangeError);
  });

  it('keeps no block hashes for a file of one block, and fails only while hashing', () => {
    const small = new HashLog(BLOCK_SIZE);
    small.add(part(0, 1));
    expect(small.known).toBe(0);
    small.finish({ fileHash: new Uint8Array(32), outboard: new Uint8Array(0) });
    small.fail();
    expect(small.state).toBe(HashState.Done);
    const lost = new HashLog(3 * BLOCK_SIZE);
    lost.add(part(0, 1));
    lost.fail();
    expect(lost.state).toBe(HashState.Failed);
    lost.add(part(1, 2));
    expect(lost.known).toBe(1);
  });
});
