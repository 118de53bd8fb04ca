import { afterEach, describe, expect, it } from 'vitest';
import type { BlockStore } from '../../src/adapters/block-store';
import { type HashEvent, HashPool } from '../../src/adapters/hash-pool';
import { storeSink } from '../../src/adapters/store-sink';
import { toHex } from '../../src/core/bytes';
import { ReceiveEngine, type ReceiveEvent } from '../../src/core/transfer/receive-engine';
import { fullPlan } from '../../src/core/transfer/scheduler';
import { oracleHash, pseudoRandomBytes } from '../helpers/data';
import { connect, memorySource, testFile } from '../helpers/transfer-harness';

const MiB = 1024 * 1024;
let pool: HashPool;
afterEach(() => pool?.close());

/** Makes `pool` with real hash workers, at most `maxWorkers`; returns every worker it made, to kill. */
function trackedPool(maxWorkers: number, filesInFlightPerWorker?: number): Worker[] {
  const workers: Worker[] = [];
  pool = new HashPool({
    maxWorkers,
    ...(filesInFlightPerWorker ? { filesInFlightPerWorker } : {}),
    createWorker: () => {
      const worker = new Worker(new URL('../../workers/hash.worker.ts', import.meta.url), {
        type: 'module',
      });
      workers.push(worker);
      return worker;
    },
  });
  return workers;
}

function checkEventOrder(events: HashEvent[], size: number) {
  expect(events[0]).toEqual({ type: 'size', size });
  expect(events.at(-1)?.type).toBe('done');
  // Every file's bar reaches its end before it is done, whether or not the worker reported along the way
  // (that last report may carry the block hashes finished since the one before).
  if (size > 0) expect(events.at(-2)).toMatchObject({ type: 'progress', hashed: size });
  let last = 0;
  for (const e of events.slice(1, -1)) {
    expect(e.type).toBe('progress');
    if (e.type === 'progress') {
      expect(e.hashed).toBeGreaterThan(last);
      expect(e.hashed).toBeLessThanOrEqual(size);
      last = e.hashed;
    }
  }
}

describe('HashPool in real Chromium workers', () => {
  it('hashes a 64 MiB file, many small files and an empty one, with monotonic progress', async () => {
    pool = new HashPool();
    const big = pseudoRandomBytes(64 * MiB, 42);
    const smalls = Array.from({ length: 40 }, (_, i) =>
      pseudoRandomBytes((i * 7919) % 300_000, i + 1),
    );
    const datas = [big, new Uint8Array(0), ...smalls];
    const files = datas.map((d, i) => new File([d], `f${i}.bin`));
    const events: HashEvent[][] = files.map(() => []);
    let peakWorkers = 0;
    const outcomes = await pool.hashFiles(files, {
      onEvent: (i, e) => {
        events[i]!.push(e);
        peakWorkers = Math.max(peakWorkers, pool.workerCount);
      },
    });
    outcomes.forEach((o, i) => {
      expect(o.ok).toBe(true);
      if (!o.ok) return;
      expect(toHex(o.digest.fileHash)).toBe(toHex(oracleHash(datas[i]!)));
      checkEventOrder(events[i]!, datas[i]!.length);
    });
    const bigDigest = outcomes[0]!.ok ? outcomes[0]!.digest : null;
    expect(bigDigest?.outboard.length).toBe(64 * 32);
    expect(toHex(bigDigest!.outboard.subarray(32 * 63))).toBe(
      toHex(oracleHash(big.subarray(63 * MiB))),
    );
    // The big file reports progress along the way, not only at the end.
    expect(events[0]!.filter((e) => e.type === 'progress').length).toBeGreaterThan(1);
    expect(peakWorkers).toBeGreaterThanOrEqual(1);
    expect(peakWorkers).toBeLessThanOrEqual(navigator.hardwareConcurrency);
  });

  it('lets go of the progress channel of each file it reported on once the file is done', async () => {
    pool = new HashPool();
    // Comlink closes the page's end of a callback's MessagePort when the worker releases it.
    const close = MessagePort.prototype.close;
    let closed = 0;
    MessagePort.prototype.close = function (this: MessagePort) {
      closed++;
      close.call(this);
    };
    try {
      // Over 8 MiB: read in several slices, so these get a progress callback.
      const data = new Blob([pseudoRandomBytes(9 * MiB, 91)]);
      const files = [1, 2, 3].map((i) => new File([data], `${i}`));
      const outcomes = await pool.hashFiles(files);
      expect(outcomes.every((o) => o.ok)).toBe(true);
      await expect.poll(() => closed).toBeGreaterThanOrEqual(3);
    } finally {
      MessagePort.prototype.close = close;
    }
  });

  it('never starts more workers than there are files', async () => {
    pool = new HashPool({ maxWorkers: 8 });
    await pool.hashFile(new File([pseudoRandomBytes(1000)], 'one'));
    expect(pool.workerCount).toBe(1);
  });

  it('stops a file when aborted mid-way, and keeps working afterwards', async () => {
    pool = new HashPool({ maxWorkers: 1 });
    const chunk = pseudoRandomBytes(MiB, 5);
    // One 1 MiB part listed 256 times: the browser keeps 1 MiB, not 256 (its memory for Blobs is
    // limited, and a test file's Blobs live until garbage collection; reading fails past it).
    const part = new Blob([chunk]);
    const huge = new Blob(Array.from({ length: 256 }, () => part));
    const controller = new AbortController();
    const events: HashEvent[] = [];
    const run = pool.hashFile(huge, {
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'progress') controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const countAtAbort = events.length;
    const lastProgress = events.filter((e) => e.type === 'progress').at(-1);
    expect(lastProgress && lastProgress.type === 'progress' && lastProgress.hashed).toBeLessThan(
      huge.size,
    );
    expect(pool.workerCount).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.length).toBe(countAtAbort);
    const after = await pool.hashFile(new File([chunk], 'after'));
    expect(toHex(after.fileHash)).toBe(toHex(oracleHash(chunk)));
  });

  it('rejects at once when the signal is already aborted, and drops queued files on abort', async () => {
    pool = new HashPool({ maxWorkers: 1 });
    await expect(
      pool.hashFile(new Blob(['x']), { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    const controller = new AbortController();
    const first = pool.hashFile(new Blob([pseudoRandomBytes(8 * MiB)]));
    const queued = pool.hashFile(new Blob(['queued']), { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    await expect(first).resolves.toBeTruthy();
  });

  it('restarts the other file a worker had when one of them is aborted', async () => {
    pool = new HashPool({ maxWorkers: 1, filesInFlightPerWorker: 2 });
    const part = new Blob([pseudoRandomBytes(MiB, 6)]);
    const victim = new Blob(Array.from({ length: 128 }, () => part));
    const survivor = pseudoRandomBytes(40 * MiB, 7);
    const controller = new AbortController();
    const events: HashEvent[] = [];
    const a = pool.hashFile(victim, { signal: controller.signal });
    const b = pool.hashFile(new File([survivor], 'survivor'), { onEvent: (e) => events.push(e) });
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await expect(a).rejects.toMatchObject({ name: 'AbortError' });
    const digest = await b;
    expect(toHex(digest.fileHash)).toBe(toHex(oracleHash(survivor)));
    checkEventOrder(events, survivor.length);
  });

  it('reports a file that cannot be read and finishes the others', async () => {
    pool = new HashPool({ maxWorkers: 2 });
    // A File snapshot from the origin private file system becomes unreadable
    // once the file changes on disk: the same thing happens when a user edits
    // or deletes a picked file while it is being shared.
    const root = await navigator.storage.getDirectory();
    const handle = await root.getFileHandle('changing.bin', { create: true });
    let writable = await handle.createWritable();
    await writable.write(pseudoRandomBytes(3 * MiB, 8) as Uint8Array<ArrayBuffer>);
    await writable.close();
    const snapshot = await handle.getFile();
    await new Promise((r) => setTimeout(r, 20));
    writable = await handle.createWritable();
    await writable.write(new Uint8Array(10));
    await writable.close();

    const a = pseudoRandomBytes(2 * MiB, 1);
    const b = pseudoRandomBytes(5000, 2);
    const outcomes = await pool.hashFiles([new File([a], 'a'), snapshot, new File([b], 'b')]);
    expect(outcomes[0]).toMatchObject({ ok: true });
    expect(outcomes[1]).toMatchObject({ ok: false, error: { name: 'Hash/ReadFailed' } });
    expect((outcomes[1] as { error: { message: string } }).error.message).toContain('changing.bin');
    expect(outcomes[2]).toMatchObject({ ok: true });
    if (outcomes[2]!.ok) expect(toHex(outcomes[2]!.digest.fileHash)).toBe(toHex(oracleHash(b)));
    await root.removeEntry('changing.bin');
  });

  it('verifies blocks: a small one comes back as its bytes, a full one as a Blob, a bad one as null', async () => {
    pool = new HashPool({ maxWorkers: 1 });
    const small = pseudoRandomBytes(64 * 1024, 3);
    const full = pseudoRandomBytes(MiB, 4);
    const posted = small.slice();
    const kept = await pool.verifyBlock(posted, oracleHash(small));
    // Transferred, not copied: the page's bytes went to the worker.
    expect(posted.byteLength).toBe(0);
    expect(kept).toBeInstanceOf(Uint8Array);
    expect(toHex(oracleHash(kept as Uint8Array))).toBe(toHex(oracleHash(small)));
    const blob = await pool.verifyBlock(full.slice(), oracleHash(full));
    expect(blob).toBeInstanceOf(Blob);
    const back = new Uint8Array(await (blob as Blob).arrayBuffer());
    expect(toHex(oracleHash(back))).toBe(toHex(oracleHash(full)));
    const damaged = small.slice();
    damaged[100]! ^= 1;
    expect(await pool.verifyBlock(damaged, oracleHash(small))).toBeNull();

    // Many at once, some damaged: each gets its own answer.
    const many = Array.from({ length: 50 }, (_, i) => pseudoRandomBytes(1000 + i, 100 + i));
    const answers = await Promise.all(
      many.map((b, i) => {
        const sent = b.slice();
        if (i % 7 === 3) sent[0]! ^= 1;
        return pool.verifyBlock(sent, oracleHash(b));
      }),
    );
    for (const [i, answer] of answers.entries()) {
      if (i % 7 === 3) expect(answer).toBeNull();
      else expect(toHex(oracleHash(answer as Uint8Array))).toBe(toHex(oracleHash(many[i]!)));
    }
  });
});

describe('HashPool: block hashes while hashing (a draft’s source)', () => {
  it('streams a big file’s block hashes in its progress events, in order, before done; they equal the outboard', async () => {
    pool = new HashPool();
    // 256 MiB and 12,345 bytes, built from one 16 MiB part: long enough to report many times.
    const part = pseudoRandomBytes(16 * MiB, 71);
    const tail = pseudoRandomBytes(12_345, 72);
    const file = new File([...Array.from({ length: 16 }, () => part), tail], 'big.bin');
    const expected = (block: number) =>
      toHex(
        block === 256
          ? oracleHash(tail)
          : oracleHash(part.subarray((block % 16) * MiB, ((block % 16) + 1) * MiB)),
      );
    const streamed: string[] = [];
    let doneAfter = -1;
    const digest = await pool.hashFile(file, {
      onEvent: (e) => {
        if (e.type === 'done') doneAfter = streamed.length;
        if (e.type !== 'progress' || !e.blocks) return;
        // Each event continues where the last stopped, and its blocks are hashed bytes.
        expect(e.blocks.from).toBe(streamed.length);
        for (let i = 0; i < e.blocks.hashes.length; i += 32)
          streamed.push(toHex(e.blocks.hashes.subarray(i, i + 32)));
        expect(streamed.length * MiB).toBeLessThanOrEqual(e.hashed);
      },
    });
    expect(doneAfter).toBe(streamed.length);
    // Most of the file's block hashes came before it was done, not all at the end.
    expect(streamed.length).toBeGreaterThan(16);
    expect(digest.outboard.length).toBe(257 * 32);
    streamed.forEach((hash, block) => {
      expect(hash).toBe(toHex(digest.outboard.subarray(block * 32, block * 32 + 32)));
    });
    for (const block of [0, 1, 15, 16, 17, streamed.length - 1, 255, 256])
      expect(toHex(digest.outboard.subarray(block * 32, block * 32 + 32))).toBe(expected(block));
  });
});

describe('HashPool: a fault of this device is never a bad block', () => {
  it('fails a block’s check, not as a bad block, when its worker is stopped for another call', async () => {
    pool = new HashPool({ maxWorkers: 1, filesInFlightPerWorker: 2 });
    const part = new Blob([pseudoRandomBytes(MiB, 31)]);
    const huge = new Blob(Array.from({ length: 128 }, () => part));
    const block = pseudoRandomBytes(MiB, 32);
    const controller = new AbortController();
    const hashing = pool.hashFile(huge, { signal: controller.signal });
    // Posted to the same (only) worker, which the abort below terminates before it can answer.
    const check = pool.verifyBlock(block.slice(), oracleHash(block));
    controller.abort();
    await expect(hashing).rejects.toMatchObject({ name: 'AbortError' });
    // Its bytes went with the worker: the caller asks the sender again.
    await expect(check).rejects.toMatchObject({ name: 'Hash/WorkerFailed' });
    // And the pool works on, on a new worker.
    const kept = await pool.verifyBlock(block.slice(), oracleHash(block));
    expect(kept).toBeInstanceOf(Blob);
    expect(toHex(oracleHash(new Uint8Array(await (kept as Blob).arrayBuffer())))).toBe(
      toHex(oracleHash(block)),
    );
  });

  it('fails the checks a worker dies with, never as bad blocks, and checks the queued ones on a new worker', async () => {
    // One check at a time on the one worker.
    const workers = trackedPool(1, 1);
    const blocks = Array.from({ length: 6 }, (_, i) =>
      pseudoRandomBytes(i % 2 ? MiB : 5000 + i, 40 + i),
    );
    const damaged = blocks[1]!.slice();
    damaged[7]! ^= 1;
    const checks = [
      pool.verifyBlock(damaged, oracleHash(blocks[1]!)),
      ...blocks.map((b) => pool.verifyBlock(b.slice(), oracleHash(b))),
    ];
    const settled = checks.map((c) =>
      c.then(
        (v) => ({ v }),
        (e: unknown) => ({ e }),
      ),
    );
    // The worker dies with the first check posted to it (the others wait their turn),
    // unanswered: as a crash looks to the page.
    workers[0]!.terminate();
    workers[0]!.dispatchEvent(new ErrorEvent('error', { message: 'killed by the test' }));
    const answers = await Promise.all(settled);
    expect(workers.length).toBe(2);
    // The damaged block was never judged: its check was lost, which is not a verdict.
    expect(answers[0]).toMatchObject({ e: { name: 'Hash/WorkerFailed' } });
    for (const [i, b] of blocks.entries()) {
      const answer = answers[i + 1]!;
      expect('v' in answer).toBe(true);
      const kept = 'v' in answer ? answer.v : null;
      const bytes = kept instanceof Blob ? new Uint8Array(await kept.arrayBuffer()) : kept;
      expect(bytes && toHex(oracleHash(bytes))).toBe(toHex(oracleHash(b)));
    }
  });

  it('builds a file hash from its checked blocks in one worker, and gives none once that worker died', async () => {
    const workers = trackedPool(2);
    const file = pseudoRandomBytes(3 * MiB + 77, 60);
    const blocks = [0, 1, 2, 3].map((i) => file.subarray(i * MiB, (i + 1) * MiB));
    // Out of order, as six streams deliver them.
    for (const i of [1, 0, 3, 2])
      await pool.verifyBlock(blocks[i]!.slice(), oracleHash(blocks[i]!), { key: 'a', block: i });
    expect(toHex((await pool.finishProof('a', 4))!)).toBe(toHex(oracleHash(file)));
    // Handed over once: asked again, there is nothing.
    expect(await pool.finishProof('a', 4)).toBeNull();

    // The worker following file b dies after its first block: b's hash would miss it.
    await pool.verifyBlock(blocks[0]!.slice(), oracleHash(blocks[0]!), { key: 'b', block: 0 });
    for (const w of [...workers]) {
      w.terminate();
      w.dispatchEvent(new ErrorEvent('error', { message: 'killed by the test' }));
    }
    for (const i of [1, 2, 3])
      await pool.verifyBlock(blocks[i]!.slice(), oracleHash(blocks[i]!), { key: 'b', block: i });
    expect(await pool.finishProof('b', 4)).toBeNull();
  });

  it('finishes a receive whose worker dies with a block: the block is asked for again', async () => {
    const workers = trackedPool(1);
    const file = testFile(pseudoRandomBytes(3 * MiB + 10, 51));
    const { streams, served } = await connect(2, memorySource([file]));
    const kept = new Map<number, Uint8Array>();
    const store = {
      putBatch: async (writes: { index: number; data: Blob | Uint8Array }[]) => {
        for (const w of writes)
          kept.set(
            w.index,
            w.data instanceof Blob ? new Uint8Array(await w.data.arrayBuffer()) : w.data,
          );
        return new Map();
      },
    } as unknown as BlockStore;
    const sink = storeSink(store, pool, [
      { key: 'k', fileHash: file.hash, size: file.data.length, outboard: file.outboard },
    ]);
    const events: ReceiveEvent[] = [];
    let killed = false;
    const engine = new ReceiveEngine(streams, [fullPlan(0, file.data.length)], sink, {
      onEvent: (e) => {
        events.push(e);
        if (e.type !== 'received' || killed) return;
        killed = true;
        // Right after the engine posted this block's check, before any answer can come.
        queueMicrotask(() => {
          workers[0]!.terminate();
          workers[0]!.dispatchEvent(new ErrorEvent('error', { message: 'killed by the test' }));
        });
      },
    });
    const outcome = await engine.run();
    for (const s of streams) s.close();
    expect(outcome).toEqual({ kind: 'finished', failedFiles: [] });
    const lost = events.find((e) => e.type === 'rejected');
    expect(lost).toBeDefined();
    expect(served.get(`0:${lost?.type === 'rejected' ? lost.block : -1}`)).toBe(2);
    const whole = new Uint8Array(file.data.length);
    for (const [index, data] of kept) whole.set(data, index * MiB);
    expect(kept.size).toBe(4);
    expect(toHex(oracleHash(whole))).toBe(toHex(file.hash));
  });

  it('stops a receive when its workers keep dying, without counting a bad copy against the sender', async () => {
    // Every worker throws on its first message: an uncaught error, as a crashing worker reports.
    const dying = URL.createObjectURL(
      new Blob(['onmessage = () => { throw new Error("this worker always dies"); };']),
    );
    let made = 0;
    pool = new HashPool({
      maxWorkers: 1,
      createWorker: () => {
        made++;
        return new Worker(dying);
      },
    });
    const file = testFile(pseudoRandomBytes(2 * MiB + 10, 50));
    const { streams } = await connect(1, memorySource([file]));
    const kept: string[] = [];
    const store = {
      putBatch: async (writes: { key: string; index: number }[]) => {
        for (const w of writes) kept.push(`${w.key}:${w.index}`);
        return new Map();
      },
    } as unknown as BlockStore;
    const sink = storeSink(store, pool, [
      { key: 'k', fileHash: file.hash, size: file.data.length, outboard: file.outboard },
    ]);
    const events: ReceiveEvent[] = [];
    const engine = new ReceiveEngine(streams, [fullPlan(0, file.data.length)], sink, {
      onEvent: (e) => events.push(e),
    });
    const outcome = await engine.run();
    for (const s of streams) s.close();
    URL.revokeObjectURL(dying);
    expect(outcome.kind).toBe('stopped');
    if (outcome.kind === 'stopped')
      expect(outcome.error).toMatchObject({ name: 'Hash/WorkerFailed' });
    // Each lost check was asked for again, never counted as a bad copy: the file did not fail.
    expect(events.filter((e) => e.type === 'file-failed')).toEqual([]);
    expect(kept).toEqual([]);
    // A block's check lost three times, each on a fresh worker.
    expect(made).toBeGreaterThanOrEqual(3);
  });
});
