import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../../src/core/bytes';
import { MIN_PIECE_SIZE } from '../../../src/core/protocol/constants';
import { MessageType } from '../../../src/core/protocol/message-types';
import { BlockRequest } from '../../../src/core/transfer/block-request';
import { pseudoRandomBytes } from '../../helpers/data';

const MiB = 1024 * 1024;
/** bytesEqual, not toEqual: a deep compare of 1 MiB takes seconds here. */
const same = (a: Uint8Array | null, b: Uint8Array) => a !== null && bytesEqual(a, b);
const file = pseudoRandomBytes(3 * MiB + 10, 3);
const piece = (block: number, offset: number, length: number) => ({
  type: MessageType.BlockData as const,
  id: 1,
  file: 0,
  block,
  offset,
  data: file.subarray(block * MiB + offset, block * MiB + offset + length),
});

describe('BlockRequest: a run of blocks from pieces in any order', () => {
  it('completes each block whatever the order of its pieces and of the blocks', () => {
    const r = new BlockRequest(0, 0, file.length, 1, 4, 0);
    expect(same(r.add(piece(3, 0, 10)), file.subarray(3 * MiB))).toBe(true);
    expect(r.add(piece(1, MiB / 2, MiB / 2))).toBeNull();
    expect(same(r.add(piece(2, 0, MiB)), file.subarray(2 * MiB, 3 * MiB))).toBe(true);
    expect(r.complete).toBe(false);
    expect(r.missing()).toEqual([1]);
    expect(same(r.add(piece(1, 0, MiB / 2)), file.subarray(MiB, 2 * MiB))).toBe(true);
    expect(r.complete).toBe(true);
  });

  it('hands on a block that came in one piece as that piece, with no copy', () => {
    const r = new BlockRequest(0, 0, file.length, 2, 4, 0);
    const whole = piece(2, 0, MiB);
    expect(r.add(whole)).toBe(whole.data);
    const last = piece(3, 0, 10);
    expect(r.add(last)).toBe(last.data);
  });

  it('refuses a block twice, a piece twice, a tiny piece mid-block, and blocks not asked for', () => {
    const r = new BlockRequest(0, 0, file.length, 1, 3, 0);
    r.add(piece(2, 0, MiB));
    expect(() => r.add(piece(2, 0, MiB))).toThrow(/twice/);
    r.add(piece(1, 0, MiB / 2));
    expect(() => r.add(piece(1, MiB / 4, MiB / 2))).toThrow(/twice/);
    expect(() => r.add(piece(1, MiB / 2, MIN_PIECE_SIZE - 1))).toThrow(/smaller/);
    expect(() => r.add(piece(0, 0, MiB))).toThrow(/did not ask for/);
    expect(() => r.add({ ...piece(1, MiB / 2, MiB / 2), file: 1 })).toThrow(/did not ask for/);
  });
});
