import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, HASH_SIZE } from '../../../src/core/constants';
import { HashLog } from '../../../src/core/content/hash-log';
import { MAX_HASHES_PER_REPLY } from '../../../src/core/protocol/constants';
import { decodeMessage } from '../../../src/core/protocol/decode';
import { encodeMessage } from '../../../src/core/protocol/encode';
import { ErrorCode, HashState, MessageType } from '../../../src/core/protocol/message-types';
import { DraftHashes } from '../../../src/core/transfer/draft-hashes';
import { answerHashesRequest, type HashesAnswer } from '../../../src/core/transfer/hashes-answer';
import { pseudoRandomBytes } from '../../helpers/data';

const ask = (file: number, from: number) => ({
  type: MessageType.HashesRequest as const,
  id: 7,
  file,
  from,
});
const fileHash = new Uint8Array(32).fill(0xee);

/** The answer as the receiver gets it: through the codec. */
function wire(answer: HashesAnswer) {
  const m = decodeMessage(encodeMessage(answer));
  if (m.type !== MessageType.Hashes && m.type !== MessageType.Error)
    throw new Error('not an answer');
  return m;
}

function hashes(m: HashesAnswer) {
  if (m.type !== MessageType.Hashes) throw new Error(`refused: ${m.message}`);
  return m;
}

function logOf(blocks: number, size = blocks * BLOCK_SIZE) {
  const outboard = pseudoRandomBytes(blocks * HASH_SIZE, blocks);
  const log = new HashLog(size);
  return {
    log,
    outboard,
    report: (to: number) => log.add({ from: 0, hashes: outboard.slice(0, to * HASH_SIZE) }),
    finish: () => log.finish({ fileHash, outboard }),
  };
}

describe('answerHashesRequest: the sender’s HASHES replies', () => {
  it('refuses without a draft, for a file not in it, and from past what is known', () => {
    const { log, report } = logOf(4);
    report(2);
    const refused = (m: HashesAnswer) => (m.type === MessageType.Error ? m.code : null);
    expect(refused(answerHashesRequest(ask(0, 0), null))).toBe(ErrorCode.NotReady);
    expect(refused(answerHashesRequest(ask(1, 0), [log]))).toBe(ErrorCode.UnknownFile);
    expect(refused(answerHashesRequest(ask(0, 3), [log]))).toBe(ErrorCode.OutOfRange);
    expect(answerHashesRequest(ask(0, 2), [log])).toMatchObject({
      type: MessageType.Hashes,
      id: 7,
      from: 2,
      state: HashState.Hashing,
    });
    expect(refused(answerHashesRequest(ask(1, 99), [log, new HashLog(5)]))).toBe(
      ErrorCode.OutOfRange,
    );
  });

  it('gives the known hashes from `from`, holding back the last one until the file hash exists', () => {
    const { log, outboard, report, finish } = logOf(3, 3 * BLOCK_SIZE - 1);
    report(3);
    const early = hashes(answerHashesRequest(ask(0, 1), [log]));
    expect(early.state).toBe(HashState.Hashing);
    expect(early.hashes).toEqual(outboard.subarray(HASH_SIZE, 2 * HASH_SIZE));
    expect(early.fileHash).toBeNull();
    finish();
    const last = hashes(answerHashesRequest(ask(0, 2), [log]));
    expect(last.state).toBe(HashState.Done);
    expect(last.hashes).toEqual(outboard.subarray(2 * HASH_SIZE));
    expect(last.fileHash).toEqual(fileHash);
  });

  it(`cuts a long list at ${MAX_HASHES_PER_REPLY} hashes and says Hashing, Done only with the last`, () => {
    const blocks = MAX_HASHES_PER_REPLY + 3;
    const { log, outboard, finish } = logOf(blocks);
    finish();
    const first = hashes(wire(answerHashesRequest(ask(0, 0), [log])));
    expect(first.state).toBe(HashState.Hashing);
    expect(first.hashes.length).toBe(MAX_HASHES_PER_REPLY * HASH_SIZE);
    const rest = hashes(wire(answerHashesRequest(ask(0, MAX_HASHES_PER_REPLY), [log])));
    expect(rest.state).toBe(HashState.Done);
    expect(rest.hashes).toEqual(outboard.subarray(MAX_HASHES_PER_REPLY * HASH_SIZE));
  });

  it('answers a file of one block, and an empty one, with no block hashes and Done with the file hash', () => {
    for (const size of [BLOCK_SIZE, 1, 0]) {
      const log = new HashLog(size);
      const waiting = hashes(answerHashesRequest(ask(0, 0), [log]));
      expect([waiting.state, waiting.hashes.length]).toEqual([HashState.Hashing, 0]);
      log.finish({ fileHash, outboard: new Uint8Array(0) });
      const done = hashes(wire(answerHashesRequest(ask(0, 0), [log])));
      expect([done.state, done.hashes.length, done.fileHash]).toEqual([
        HashState.Done,
        0,
        fileHash,
      ]);
      expect(answerHashesRequest(ask(0, 1), [log]).type).toBe(MessageType.Error);
    }
  });

  it('says Failed for a file that could not be read', () => {
    const { log, report } = logOf(4);
    report(2);
    log.fail();
    const m = hashes(wire(answerHashesRequest(ask(0, 0), [log])));
    expect([m.state, m.hashes.length, m.fileHash]).toEqual([HashState.Failed, 0, null]);
  });

  it('satisfies the receiver’s checker as hashing runs, for every file shape', () => {
    for (const size of [0, 5, BLOCK_SIZE, BLOCK_SIZE + 1, 7 * BLOCK_SIZE, 9 * BLOCK_SIZE - 3]) {
      const blocks = Math.ceil(size / BLOCK_SIZE);
      const multi = size > BLOCK_SIZE;
      const outboard = pseudoRandomBytes(multi ? blocks * HASH_SIZE : 0, size);
      const log = new HashLog(size);
      const receiver = new DraftHashes(0, size);
      let reported = 0;
      for (let step = 0; receiver.state === HashState.Hashing; step++) {
        expect(step).toBeLessThan(100);
        // The sender's hashing moves on by one or two blocks between asks, then ends.
        if (multi && reported < blocks) {
          reported = Math.min(blocks, reported + 1 + (step % 2));
          log.add({ from: 0, hashes: outboard.slice(0, reported * HASH_SIZE) });
        } else log.finish({ fileHash, outboard });
        const m = wire(answerHashesRequest(ask(0, receiver.known), [log]));
        if (m.type !== MessageType.Hashes) throw new Error(m.message);
        receiver.apply(m);
      }
      expect(receiver.state).toBe(HashState.Done);
      expect(receiver.fileHash).toEqual(fileHash);
      if (multi) expect(receiver.hashes).toEqual(outboard);
    }
  });
});
