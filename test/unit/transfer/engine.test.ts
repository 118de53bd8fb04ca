import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/core/bytes';
import { decodeMessage } from '../../../src/core/protocol/decode';
import { MessageType } from '../../../src/core/protocol/message-types';
import {
  type BlockSink,
  CheckLost,
  MAX_LOST_CHECKS,
  ReceiveEngine,
  type ReceiveEvent,
} from '../../../src/core/transfer/receive-engine';
import { fullPlan } from '../../../src/core/transfer/scheduler';
import { oracleHash, pseudoRandomBytes } from '../../helpers/data';
import { connect, memorySink, memorySource, testFile } from '../../helpers/transfer-harness';

const MiB = 1024 * 1024;
const SIZES = [
  0,
  1,
  MiB,
  MiB + 1,
  3.5 * MiB,
  7 * MiB + 3,
  ...Array.from({ length: 12 }, (_, i) => 1000 * (i + 1)),
];
const files = SIZES.map((size, i) => testFile(pseudoRandomBytes(size, i + 1)));
const plans = () => files.map((f, i) => fullPlan(i, f.data.length));

function expectAllCorrect(assemble: (file: number) => Uint8Array, which = files.map((_, i) => i)) {
  for (const i of which) expect(toHex(oracleHash(assemble(i)))).toBe(toHex(files[i]!.hash));
}

// The pure-JS hash oracle checks megabytes per test: seconds each on a shared, busy machine.
describe('ReceiveEngine over six in-memory streams', { timeout: 60_000 }, () => {
  it('fetches every file, verified, over a link with latency and jitter', async () => {
    const { streams, served } = await connect(6, memorySource(files), {
      latencyMs: 2,
      jitterMs: 3,
    });
    const { sink, assemble } = memorySink(files);
    const events: ReceiveEvent[] = [];
    const outcome = await new ReceiveEngine(streams, plans(), sink, {
      onEvent: (e) => events.push(e),
    }).run();
    expect(outcome).toEqual({ kind: 'finished', failedFiles: [] });
    expectAllCorrect(assemble);
    expect(events.filter((e) => e.type === 'file-done').length).toBe(files.length);
    // Every block was served exactly once, and work was spread over the streams.
    expect([...served.values()].every((n) => n === 1)).toBe(true);
  });

  it('drops a damaged block, fetches it again, and gets the file right', async () => {
    const source = memorySource(
      files,
      (file, block, attempt) => file === 5 && block === 2 && attempt === 1,
    );
    const { streams, served } = await connect(6, source, { latencyMs: 1 });
    const { sink, assemble, stored } = memorySink(files);
    const events: ReceiveEvent[] = [];
    const outcome = await new ReceiveEngine(streams, plans(), sink, {
      onEvent: (e) => events.push(e),
    }).run();
    expect(outcome.kind).toBe('finished');
    expect(events.filter((e) => e.type === 'rejected')).toEqual([
      { type: 'rejected', file: 5, block: 2, bytes: MiB },
    ]);
    expect(served.get('5:2')).toBe(2);
    expect(stored.size).toBe([...served.keys()].length);
    expectAllCorrect(assemble);
  });

  it('asks again for a block whose check was lost here, counting no bad copy, and stops when it keeps being lost', async () => {
    // Block 1 of file 4 has its check lost twice (as when its hash worker dies with it), then checked.
    const { streams, served } = await connect(3, memorySource(files));
    const { sink, assemble } = memorySink(files);
    let losses = 0;
    const losing: BlockSink = {
      verify: (file, block, data) =>
        file === 4 && block === 1 && losses++ < MAX_LOST_CHECKS - 1
          ? Promise.resolve(new CheckLost(new Error('worker died')))
          : sink.verify(file, block, data),
      store: sink.store,
    };
    const events: ReceiveEvent[] = [];
    const outcome = await new ReceiveEngine(streams, plans(), losing, {
      // One lost check more would give the file up, were lost checks counted as bad copies.
      maxBadCopies: 2,
      onEvent: (e) => events.push(e),
    }).run();
    expect(outcome).toEqual({ kind: 'finished', failedFiles: [] });
    expect(served.get('4:1')).toBe(MAX_LOST_CHECKS);
    expect(events.filter((e) => e.type === 'rejected').length).toBe(MAX_LOST_CHECKS - 1);
    expectAllCorrect(assemble);

    // Lost every time: a fault of this device, reported, not retried for ever.
    const again = await connect(3, memorySource(files));
    const fault = new Error('worker keeps dying');
    const stopped = await new ReceiveEngine(again.streams, plans(), {
      verify: (file, block, data) =>
        file === 4 && block === 1
          ? Promise.resolve(new CheckLost(fault))
          : memorySink(files).sink.verify(file, block, data),
      store: async () => {},
    }).run();
    expect(stopped).toEqual({ kind: 'stopped', error: fault });
    expect(again.served.get('4:1')).toBe(MAX_LOST_CHECKS);
  });

  it('gives up a file whose block keeps arriving damaged, and finishes the others', async () => {
    const source = memorySource(files, (file, block) => file === 4 && block === 1);
    const { streams } = await connect(3, source);
    const { sink, assemble } = memorySink(files);
    const events: ReceiveEvent[] = [];
    const outcome = await new ReceiveEngine(streams, plans(), sink, {
      maxBadCopies: 3,
      onEvent: (e) => events.push(e),
    }).run();
    expect(outcome).toEqual({ kind: 'finished', failedFiles: [4] });
    expect(events.filter((e) => e.type === 'rejected').length).toBe(3);
    expect(events.find((e) => e.type === 'file-failed')).toMatchObject({
      file: 4,
      reason: expect.stringMatching(/damaged/),
    });
    expectAllCorrect(
      assemble,
      files.map((_, i) => i).filter((i) => i !== 4),
    );
  });

  it('moves a lost stream’s blocks to the others and never asks again for a verified block', async () => {
    const { sink, assemble, stored } = memorySink(files);
    const source = memorySource(files);
    // Every read on the sender is a block being served: none may be one the receiver already verified and stored.
    const servedAgain: string[] = [];
    const watched = {
      ...source,
      read: (file: number, block: number) => {
        if (stored.has(`${file}:${block}`)) servedAgain.push(`${file}:${block}`);
        return source.read(file, block);
      },
    };
    // Stream 2 is slow, so whatever it was asked for is still in transit when it dies.
    const { streams, channels, servedOn } = await connect(6, watched, (i) =>
      i === 2 ? { latencyMs: 200 } : { latencyMs: 3, jitterMs: 2 },
    );
    let killed = false;
    const events: ReceiveEvent[] = [];
    const outcome = await new ReceiveEngine(streams, plans(), sink, {
      windowBytes: 2 * MiB,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'verified' && stored.size === 1 && !killed) {
          killed = true;
          channels[2]!.kill('connection lost');
        }
      },
    }).run();
    expect(outcome.kind).toBe('finished');
    expect(events.some((e) => e.type === 'stream-lost' && e.stream === 2)).toBe(true);
    expect(servedAgain).toEqual([]);
    // Stream 2 had blocks asked for when it died and served none of them: the others did.
    const askedOn2 = channels[2]!.sent
      .map((f) => decodeMessage(f))
      .filter((m) => m.type === MessageType.BlockRequest);
    expect(askedOn2.length).toBeGreaterThan(0);
    expect(servedOn[2]).toEqual([]);
    expectAllCorrect(assemble);
  });

  it('reports a disconnect when every stream is lost, and resumes with only what is missing', async () => {
    const first = await connect(2, memorySource(files), { latencyMs: 2 });
    const { sink, assemble, stored } = memorySink(files);
    const engine = new ReceiveEngine(first.streams, plans(), sink, {
      onEvent: (e) => {
        if (e.type === 'verified' && stored.size === 6)
          for (const c of first.channels) c.kill('network gone');
      },
    });
    expect(await engine.run()).toEqual({ kind: 'disconnected' });
    const kept = new Set(stored.keys());
    expect(kept.size).toBeGreaterThanOrEqual(6);

    // Reconnect: plan only the blocks not stored (as a reloaded page reads them from IndexedDB).
    const resumed = plans().map((p) => ({
      ...p,
      missing: p.missing.filter((b) => !kept.has(`${p.file}:${b}`)),
    }));
    const second = await connect(6, memorySource(files));
    expect(await new ReceiveEngine(second.streams, resumed, sink).run()).toEqual({
      kind: 'finished',
      failedFiles: [],
    });
    for (const k of kept) expect(second.served.has(k)).toBe(false);
    expectAllCorrect(assemble);
  });

  it('stops when storage fails, keeping every block stored before', async () => {
    const { streams } = await connect(6, memorySource(files));
    const { sink, stored } = memorySink(files, 5);
    const outcome = await new ReceiveEngine(streams, plans(), sink).run();
    expect(outcome).toMatchObject({ kind: 'stopped', error: { name: 'Store/QuotaExceeded' } });
    expect(stored.size).toBe(5);
    for (const [k, data] of stored) {
      const [file, block] = k.split(':').map(Number) as [number, number];
      expect(toHex(data)).toBe(toHex(files[file]!.data.slice(block * MiB, (block + 1) * MiB)));
    }
  });

  it('pauses at once (open requests cancelled), and resumes asking only for what is missing', async () => {
    const { streams, served, channels } = await connect(6, memorySource(files), {
      latencyMs: 2,
    });
    const { sink, assemble, stored } = memorySink(files);
    const sentOfType = (type: MessageType) =>
      channels.flatMap((c) => c.sent.map((f) => decodeMessage(f))).filter((m) => m.type === type)
        .length;
    let engine!: ReceiveEngine;
    let requestsAtPause = -1;
    engine = new ReceiveEngine(streams, plans(), sink, {
      onEvent: (e) => {
        if (e.type === 'verified' && requestsAtPause < 0) {
          engine.pause();
          requestsAtPause = sentOfType(MessageType.BlockRequest);
        }
      },
    });
    const run = engine.run();
    // Let whatever already arrived be checked and stored (the JS oracle is slow).
    for (let last = -1; last !== stored.size; ) {
      last = stored.size;
      await new Promise((r) => setTimeout(r, 150));
    }
    // Nothing was asked for after the pause, and what was open was cancelled.
    expect(sentOfType(MessageType.BlockRequest)).toBe(requestsAtPause);
    expect(sentOfType(MessageType.Cancel)).toBeGreaterThan(0);
    const storedWhilePaused = new Set(stored.keys());
    expect(storedWhilePaused.size).toBeLessThan(plans().reduce((n, p) => n + p.missing.length, 0));
    engine.resume();
    expect(await run).toEqual({ kind: 'finished', failedFiles: [] });
    expect(sentOfType(MessageType.BlockRequest)).toBeGreaterThan(requestsAtPause);
    // A block stored before the pause was never served again.
    for (const k of storedWhilePaused) expect(served.get(k)).toBe(1);
    expectAllCorrect(assemble);
  });

  it('after a stop, a new run on the same streams ignores late blocks and fetches only what is missing', async () => {
    const { streams, channels, served } = await connect(6, memorySource(files), {
      latencyMs: 5,
    });
    const { sink, stored, assemble } = memorySink(files, 4);
    const first = await new ReceiveEngine(streams, plans(), sink, {
      windowBytes: 4 * MiB,
    }).run();
    expect(first.kind).toBe('stopped');
    // The stop cancelled every open request.
    const cancels = channels.flatMap((c) =>
      c.sent.map((f) => decodeMessage(f)).filter((m) => m.type === MessageType.Cancel),
    );
    expect(cancels.length).toBeGreaterThan(0);
    // Space was freed: run again at once, while the first run's blocks are still arriving.
    const kept = new Set(stored.keys());
    const unlimited = memorySink(files);
    for (const [k, v] of stored) unlimited.stored.set(k, v);
    const resumed = plans().map((p) => ({
      ...p,
      missing: p.missing.filter((b) => !kept.has(`${p.file}:${b}`)),
    }));
    const second = await new ReceiveEngine(streams, resumed, unlimited.sink).run();
    expect(second).toEqual({ kind: 'finished', failedFiles: [] });
    // Late blocks did not cost a stream, and nothing stored before the stop was served again.
    expect(streams.every((s) => !s.closed)).toBe(true);
    for (const k of kept) expect(served.get(k)).toBe(1);
    expectAllCorrect(unlimited.assemble);
    void assemble;
  });

  it('fails only the file the sender cannot read', async () => {
    const source = memorySource(files);
    const unreadable = {
      ...source,
      read: (file: number, block: number) =>
        file === 3 ? Promise.reject(new Error('gone')) : source.read(file, block),
    };
    const { streams } = await connect(2, unreadable);
    const { sink } = memorySink(files);
    const events: ReceiveEvent[] = [];
    const outcome = await new ReceiveEngine(streams, plans(), sink, {
      onEvent: (e) => events.push(e),
    }).run();
    expect(outcome).toEqual({ kind: 'finished', failedFiles: [3] });
    expect(events.find((e) => e.type === 'file-failed')).toMatchObject({
      file: 3,
      reason: expect.stringMatching(/can no longer read/),
    });
  });

  it('closes a stream that sends data nobody asked for, and finishes on the others', async () => {
    const { streams, channels } = await connect(3, memorySource(files));
    const { sink, assemble } = memorySink(files);
    const engine = new ReceiveEngine(streams, plans(), sink);
    const run = engine.run();
    // The sender side of stream 1 pushes a block for a request that was never made.
    const { encodeMessage } = await import('../../../src/core/protocol/encode');
    channels[1]!.peer.send(
      encodeMessage({
        type: MessageType.BlockData,
        id: 999,
        file: 0,
        block: 0,
        offset: 0,
        data: new Uint8Array(1),
      }),
    );
    expect(await run).toEqual({ kind: 'finished', failedFiles: [] });
    expectAllCorrect(assemble);
  });
});
