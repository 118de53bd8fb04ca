import { describe, expect, it, vi } from 'vitest';
import { toHex } from '../../../src/core/bytes';
import { BLOCK_PIECE_SIZE } from '../../../src/core/protocol/constants';
import { type Message, MessageType } from '../../../src/core/protocol/message-types';
import type { ProtocolStream } from '../../../src/core/session/protocol-stream';
import {
  ReceiveEngine,
  type ReceiveEvent,
  type ReceiveOutcome,
} from '../../../src/core/transfer/receive-engine';
import { MAX_REQUEST_TIMEOUT_MS } from '../../../src/core/transfer/request-timeout';
import { fullPlan } from '../../../src/core/transfer/scheduler';
import { oracleHash, pseudoRandomBytes } from '../../helpers/data';
import {
  connect,
  manualTimers,
  memorySink,
  memorySource,
  type SenderScript,
  testFile,
} from '../../helpers/transfer-harness';

const MiB = 1024 * 1024;
/** How long a condition may take to come true: the pure-JS hash oracle is slow on a busy machine. */
const WAIT = { timeout: 30_000, interval: 20 };
// A file of four blocks first (the first requests are for it), then small ones.
const files = [4 * MiB + 5, ...Array.from({ length: 40 }, (_, i) => 100_000 + i)].map((size, i) =>
  testFile(pseudoRandomBytes(size, 100 + i)),
);
const plans = () => files.map((f, i) => fullPlan(i, f.data.length));
const allBlocks = () => plans().flatMap((p) => p.missing.map((b) => `${p.file}:${b}`));

type BlockRequest = Extract<Message, { type: MessageType.BlockRequest }>;

/** Block `block` of file `file` as pieces the way a sender cuts it. */
function pieces(file: number, block: number) {
  const data = files[file]!.data.slice(block * MiB, (block + 1) * MiB);
  const out: { offset: number; data: Uint8Array }[] = [];
  for (let offset = 0; offset < data.length; offset += BLOCK_PIECE_SIZE)
    out.push({ offset, data: data.subarray(offset, offset + BLOCK_PIECE_SIZE) });
  return out;
}

function sendPiece(
  stream: ProtocolStream,
  m: BlockRequest,
  block: number,
  piece: { offset: number; data: Uint8Array },
) {
  void stream.send({ type: MessageType.BlockData, id: m.id, file: m.file, block, ...piece });
}

/** Runs the engine with hand-moved timers; `outcome` fills in when the run ends. */
function start(streams: ProtocolStream[], windowBytes: number, order = plans()) {
  const timers = manualTimers();
  const { sink, stored, assemble } = memorySink(files);
  const verified = new Map<string, number>();
  const counting = {
    ...sink,
    verify: (file: number, block: number, data: Uint8Array) => {
      verified.set(`${file}:${block}`, (verified.get(`${file}:${block}`) ?? 0) + 1);
      return sink.verify(file, block, data);
    },
  };
  const events: ReceiveEvent[] = [];
  const run: { outcome?: ReceiveOutcome } = {};
  void new ReceiveEngine(streams, order, counting, {
    windowBytes,
    timers,
    onEvent: (e) => events.push(e),
  })
    .run()
    .then((o) => {
      run.outcome = o;
    });
  return { timers, stored, assemble, verified, events, run };
}

function expectAllCorrect(assemble: (file: number) => Uint8Array) {
  for (const [i, f] of files.entries()) expect(toHex(oracleHash(assemble(i)))).toBe(toHex(f.hash));
}

// The pure-JS hash oracle checks megabytes per test: seconds each on a shared, busy machine.
describe('a receiver facing a hostile or broken sender', { timeout: 60_000 }, () => {
  it('completes a range whose last piece comes first (any order of pieces and blocks)', async () => {
    let reversed = 0;
    const backwards: SenderScript = (m, stream) => {
      if (m.type !== MessageType.BlockRequest || m.ranges[0]!.count < 2) return false;
      reversed++;
      const { start, count } = m.ranges[0]!;
      for (let b = start + count - 1; b >= start; b--)
        for (const piece of pieces(m.file, b).reverse()) sendPiece(stream, m, b, piece);
      return true;
    };
    const { streams } = await connect(2, memorySource(files), {}, [backwards]);
    const { run, assemble, verified } = start(streams, 2 * MiB);
    await vi.waitFor(
      () => expect(run.outcome).toEqual({ kind: 'finished', failedFiles: [] }),
      WAIT,
    );
    expect(reversed).toBeGreaterThan(0);
    expect(streams[0]!.closed).toBe(false);
    expect([...verified.values()].every((n) => n === 1)).toBe(true);
    expectAllCorrect(assemble);
  });

  it('asks again elsewhere when a block is half sent and the next one follows', async () => {
    let withheld: string | null = null;
    const halfThenNext: SenderScript = (m, stream) => {
      if (m.type !== MessageType.BlockRequest || withheld || m.ranges[0]!.count !== 2) return false;
      const { start } = m.ranges[0]!;
      withheld = `${m.file}:${start}`;
      sendPiece(stream, m, start, pieces(m.file, start)[0]!);
      for (const piece of pieces(m.file, start + 1)) sendPiece(stream, m, start + 1, piece);
      return true;
    };
    const { streams } = await connect(2, memorySource(files), {}, [halfThenNext]);
    const { run, timers, stored, assemble, verified } = start(streams, 2 * MiB);
    // Everything but the half-sent block arrives; then the transfer would wait for ever.
    await vi.waitFor(() => expect(stored.size).toBe(allBlocks().length - 1), WAIT);
    expect(stored.has(withheld!)).toBe(false);
    timers.advance(MAX_REQUEST_TIMEOUT_MS);
    await vi.waitFor(
      () => expect(run.outcome).toEqual({ kind: 'finished', failedFiles: [] }),
      WAIT,
    );
    expect(verified.get(withheld!)).toBe(1);
    expectAllCorrect(assemble);
  });

  it('times out a silent stream, asks for its blocks on another, and closes it after repeated time-outs', async () => {
    const asked = new Set<string>();
    const silent: SenderScript = (m) => {
      if (m.type !== MessageType.BlockRequest) return false;
      const { start, count } = m.ranges[0]!;
      for (let b = start; b < start + count; b++) asked.add(`${m.file}:${b}`);
      return true;
    };
    const { streams } = await connect(2, memorySource(files), {}, [silent]);
    // Small files first: the silent stream holds several requests, each of which times out.
    const { run, timers, stored, assemble, events } = start(streams, 512 * 1024, plans().reverse());
    for (let round = 0; round < 3 && !streams[0]!.closed; round++) {
      // Once the other stream has fetched all it was given, only the silent one's requests are open.
      await vi.waitFor(
        () => expect(allBlocks().filter((k) => !stored.has(k) && !asked.has(k))).toEqual([]),
        WAIT,
      );
      asked.clear();
      timers.advance(MAX_REQUEST_TIMEOUT_MS);
    }
    expect(streams[0]!.closed).toBe(true);
    await vi.waitFor(
      () => expect(run.outcome).toEqual({ kind: 'finished', failedFiles: [] }),
      WAIT,
    );
    expect(events.find((e) => e.type === 'stream-lost')).toMatchObject({
      stream: 0,
      reason: expect.stringMatching(/stopped answering/),
    });
    expectAllCorrect(assemble);
  });

  it('ends, disconnected, when every stream stays silent', async () => {
    const silent: SenderScript = (m) => m.type === MessageType.BlockRequest;
    const { streams } = await connect(1, memorySource(files), {}, [silent]);
    const { run, timers } = start(streams, 512 * 1024);
    await vi.waitFor(() => {
      timers.advance(MAX_REQUEST_TIMEOUT_MS);
      expect(run.outcome).toEqual({ kind: 'disconnected' });
    }, WAIT);
    expect(streams[0]!.closed).toBe(true);
  });

  it('closes a stream that sends a block twice, and checks that block only once', async () => {
    let doubled: string | null = null;
    const twice: SenderScript = (m, stream) => {
      if (m.type !== MessageType.BlockRequest || doubled || m.ranges[0]!.count !== 2) return false;
      const { start } = m.ranges[0]!;
      doubled = `${m.file}:${start}`;
      for (const b of [start, start, start + 1])
        for (const piece of pieces(m.file, b)) sendPiece(stream, m, b, piece);
      return true;
    };
    const { streams } = await connect(2, memorySource(files), {}, [twice]);
    const { run, assemble, verified, events } = start(streams, 2 * MiB);
    await vi.waitFor(
      () => expect(run.outcome).toEqual({ kind: 'finished', failedFiles: [] }),
      WAIT,
    );
    expect(streams[0]!.closed).toBe(true);
    expect(events.find((e) => e.type === 'stream-lost')).toMatchObject({
      stream: 0,
      reason: expect.stringMatching(/twice/),
    });
    expect(verified.get(doubled!)).toBe(1);
    expectAllCorrect(assemble);
  });
});
