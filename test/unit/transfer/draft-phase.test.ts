import { describe, expect, it } from 'vitest';
import { HASH_SIZE } from '../../../src/core/constants';
import { blockMatches } from '../../../src/core/content/outboard';
import { HashState, MessageType } from '../../../src/core/protocol/message-types';
import type { DraftHashes } from '../../../src/core/transfer/draft-hashes';
import {
  DRAFT_POLL_MS,
  type DraftPhaseInit,
  draftExpectation,
  draftPlan,
  runDraftPhase,
  SENDER_COULD_NOT_READ,
} from '../../../src/core/transfer/draft-phase';
import { ReceiveEngine } from '../../../src/core/transfer/receive-engine';
import type { FilePlan } from '../../../src/core/transfer/scheduler';
import { nobleBlake3, pseudoRandomBytes } from '../../helpers/data';
import { connect, memorySource, type TestFile, testFile } from '../../helpers/transfer-harness';

const MiB = 1024 * 1024;

/**
 * A sender still hashing: `revealed(file)` says how many block hashes it
 * tells now (Infinity: all, Done), or 'failed'. Answers like the real one,
 * at most what was asked from `from` on.
 */
function hashingSender(files: TestFile[], revealed: (file: number) => number | 'failed') {
  const asked: { file: number; from: number }[] = [];
  const ask: DraftPhaseInit['askHashes'] = async (_lane, file, from) => {
    asked.push({ file, from });
    const f = files[file]!;
    const blocks = Math.ceil(f.data.length / MiB);
    const told = revealed(file);
    const base = { type: MessageType.Hashes as const, id: 1, file, from };
    if (told === 'failed')
      return { ...base, state: HashState.Failed, fileHash: null, hashes: new Uint8Array(0) };
    const multi = blocks > 1;
    const end = multi ? Math.min(blocks, told) : 0;
    const done = told >= blocks;
    return {
      ...base,
      state: done ? HashState.Done : HashState.Hashing,
      fileHash: done ? f.hash : null,
      hashes: multi
        ? f.outboard.slice(from * HASH_SIZE, Math.max(from, end) * HASH_SIZE)
        : new Uint8Array(0),
    };
  };
  return { ask, asked };
}

/** The rest of a phase's init, in memory: stored bits per file, plans fetched, waits. */
function harness(files: TestFile[], sender: { ask: DraftPhaseInit['askHashes'] }) {
  const plans: FilePlan[][] = [];
  const failed: { file: number; reason: string }[] = [];
  let waits = 0;
  // What the store keeps: bits set as blocks are stored.
  const bits = files.map((f) => new Uint8Array(Math.ceil(f.data.length / MiB / 8)));
  const init: DraftPhaseInit = {
    files: files.map((f, file) => ({ file, size: f.data.length })),
    lanes: 2,
    askHashes: sender.ask,
    recordHashes: async (file) => bits[file]!.slice(),
    fetch: async (p) => {
      plans.push(p);
      for (const f of p) for (const b of f.missing) bits[f.file]![b >> 3]! |= 1 << (b & 7);
      return {
        stored: p.flatMap((f) => f.missing.map((block) => ({ file: f.file, block }))),
        failed: [],
      };
    },
    wait: async (ms) => {
      expect(ms).toBe(DRAFT_POLL_MS);
      waits++;
    },
    onFailed: (file, reason) => failed.push({ file, reason }),
    stopped: () => false,
  };
  return { init, plans, failed, waits: () => waits };
}

describe('draftPlan', () => {
  it('plans only blocks whose hash is known and that are not stored', () => {
    const verified = new Uint8Array([0b0000_0101]);
    expect(draftPlan(3, 8 * MiB, 4, verified)).toEqual({ file: 3, size: 8 * MiB, missing: [1, 3] });
    expect(draftPlan(3, 8 * MiB, 0, verified)).toBeNull();
    expect(draftPlan(3, 2 * MiB, 2, new Uint8Array([0b11]))).toBeNull();
  });
});

describe('the draft phase', () => {
  it('fetches blocks up to the known prefix only, then the rest as hashes come', async () => {
    const files = [testFile(pseudoRandomBytes(8 * MiB + 17, 1))];
    let told = 3;
    const sender = hashingSender(files, () => told);
    const h = harness(files, sender);
    const fetch = h.init.fetch;
    h.init.fetch = async (p, hashes) => {
      const r = await fetch(p, hashes);
      told += 3;
      return r;
    };
    const result = await runDraftPhase(h.init);
    expect(h.plans.map((p) => p[0]!.missing)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ]);
    expect(result.hashes.get(0)!.state).toBe(HashState.Done);
    expect(result.failed.size).toBe(0);
    expect(h.waits()).toBe(0);
  });

  it('waits DRAFT_POLL_MS when nothing new is known, and never asks for unknown blocks', async () => {
    const files = [testFile(pseudoRandomBytes(3 * MiB, 2))];
    let rounds = 0;
    const sender = hashingSender(files, () => (rounds < 4 ? 0 : Infinity));
    const h = harness(files, sender);
    h.init.wait = async () => {
      rounds++;
    };
    await runDraftPhase(h.init);
    expect(rounds).toBe(4);
    // Nothing was fetched before the hashes came; then all three blocks at once.
    expect(h.plans).toEqual([[{ file: 0, size: 3 * MiB, missing: [0, 1, 2] }]]);
    expect(sender.asked.filter((a) => a.from !== 0)).toEqual([]);
  });

  it('shows a file the sender could not read as failed, and goes on with the others', async () => {
    const files = [testFile(pseudoRandomBytes(2 * MiB, 3)), testFile(pseudoRandomBytes(5000, 4))];
    const sender = hashingSender(files, (f) => (f === 0 ? 'failed' : Infinity));
    const h = harness(files, sender);
    const result = await runDraftPhase(h.init);
    expect(h.failed).toEqual([{ file: 0, reason: SENDER_COULD_NOT_READ }]);
    expect([...result.failed]).toEqual([0]);
    // The one-block file is fetched once its hash (the file hash) is known.
    expect(h.plans).toEqual([[{ file: 1, size: 5000, missing: [0] }]]);
    expect(sender.asked.filter((a) => a.file === 0)).toHaveLength(1);
  });

  it('does not count stored blocks the store no longer trusts (recorded under other hashes)', async () => {
    const files = [testFile(pseudoRandomBytes(4 * MiB, 5))];
    const sender = hashingSender(files, () => Infinity);
    const h = harness(files, sender);
    // Blocks 0 and 2 kept from before; the store cleared block 1 (its recorded hash differs).
    h.init.recordHashes = async () => new Uint8Array([0b101]);
    await runDraftPhase(h.init);
    expect(h.plans).toEqual([[{ file: 0, size: 4 * MiB, missing: [1, 3] }]]);
  });

  it('refuses HASHES inconsistent with the draft size', async () => {
    const files = [testFile(pseudoRandomBytes(2 * MiB, 6))];
    const h = harness(files, {
      ask: async (_l, file, from) => ({
        type: MessageType.Hashes,
        id: 1,
        file,
        from,
        state: HashState.Hashing,
        fileHash: null,
        // Three hashes for a file of two blocks.
        hashes: new Uint8Array(3 * HASH_SIZE),
      }),
    });
    await expect(runDraftPhase(h.init)).rejects.toMatchObject({ name: 'Protocol/Unexpected' });
    expect(h.plans).toEqual([]);
  });
});

describe('draft blocks against their streamed hashes', () => {
  it('never stores a block that does not match its streamed hash', async () => {
    const file = testFile(pseudoRandomBytes(4 * MiB + 5, 7));
    // The sender damages block 2 every time it reads it.
    const source = memorySource([file], (_f, block) => block === 2);
    const { streams } = await connect(2, source);
    const sender = hashingSender([file], () => Infinity);
    const stored = new Set<number>();
    const h = harness([file], sender);
    h.init.fetch = async (plans, hashes: ReadonlyMap<number, DraftHashes>) => {
      const expect = draftExpectation(hashes.get(0)!);
      const done: { file: number; block: number }[] = [];
      const failed: { file: number; reason: string }[] = [];
      const engine = new ReceiveEngine(
        streams,
        plans,
        {
          verify: async (_f, block, data) =>
            blockMatches(nobleBlake3(), expect.size, expect.fileHash, expect.outboard, block, data)
              ? data
              : null,
          store: async (f, block) => {
            stored.add(block);
            done.push({ file: f, block });
          },
        },
        { onEvent: (e) => e.type === 'file-failed' && failed.push(e) },
      );
      await engine.run();
      return { stored: done, failed };
    };
    const result = await runDraftPhase(h.init);
    expect([...stored].sort()).toEqual([0, 1, 3, 4]);
    expect([...result.failed]).toEqual([0]);
    expect(h.failed[0]!.reason).toMatch(/damaged/);
  });
});
