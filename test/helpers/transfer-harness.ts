// SPDX-License-Identifier: MIT
// A sender and a receiver wired over in-memory streams, for engine tests.
import { FileHasher } from '../../src/core/content/file-hasher';
import { blockMatches } from '../../src/core/content/outboard';
import type { Message } from '../../src/core/protocol/message-types';
import { ProtocolStream } from '../../src/core/session/protocol-stream';
import { BlockServer, type BlockSource } from '../../src/core/transfer/block-server';
import type { BlockSink } from '../../src/core/transfer/receive-engine';
import { nobleBlake3 } from './data';
import { type MemoryLinkInit, memoryChannelPair } from './memory-channel';

const MiB = 1024 * 1024;

/** A file the test sender offers, with its digest. */
export interface TestFile {
  data: Uint8Array;
  hash: Uint8Array;
  outboard: Uint8Array;
}

/** Hashes test data the way the app does. */
export function testFile(data: Uint8Array): TestFile {
  const hasher = new FileHasher(data.length, nobleBlake3(), nobleBlake3());
  hasher.update(data);
  const d = hasher.finish();
  return { data, hash: d.fileHash, outboard: d.outboard };
}

/** Counts what the sender served, per "file:block". */
export type ServedLog = Map<string, number>;

/** An in-memory BlockSource over test files, with a hook to damage reads. */
export function memorySource(
  files: TestFile[],
  corrupt?: (file: number, block: number, attempt: number) => boolean,
): BlockSource {
  const attempts = new Map<string, number>();
  return {
    size: (file) => files[file]?.data.length ?? null,
    outboard: (file) => files[file]!.outboard,
    read: async (file, block) => {
      const data = files[file]!.data.slice(block * MiB, (block + 1) * MiB);
      const k = `${file}:${block}`;
      const n = (attempts.get(k) ?? 0) + 1;
      attempts.set(k, n);
      if (corrupt?.(file, block, n) && data.length > 0) data[0]! ^= 0xff;
      return data;
    },
  };
}

/** A sink that verifies with the oracle hash and keeps blocks in a Map; `failAfter` simulates a full disk. */
export function memorySink(files: TestFile[], failAfter = Number.POSITIVE_INFINITY) {
  const stored = new Map<string, Uint8Array>();
  const sink: BlockSink = {
    verify: async (file, block, data) => {
      const f = files[file]!;
      return blockMatches(nobleBlake3(), f.data.length, f.hash, f.outboard, block, data)
        ? data
        : null;
    },
    store: async (file, block, data) => {
      if (stored.size >= failAfter)
        throw Object.assign(new Error('disk full'), { name: 'Store/QuotaExceeded' });
      stored.set(`${file}:${block}`, data.slice());
    },
  };
  /** File `file` reassembled from the stored blocks. */
  const assemble = (file: number) => {
    const size = files[file]!.data.length;
    const out = new Uint8Array(size);
    for (let b = 0; b * MiB < size; b++) out.set(stored.get(`${file}:${b}`)!, b * MiB);
    return out;
  };
  return { sink, stored, assemble };
}

/**
 * A hostile sender's script for one stream: sees each message first and
 * returns true when it answered it itself (else the honest BlockServer does).
 */
export type SenderScript = (message: Message, stream: ProtocolStream) => boolean;

/**
 * `count` stream pairs: receiver-side ProtocolStreams, with a BlockServer on
 * each sender side (behind `scripts[i]` when given).
 */
export async function connect(
  count: number,
  source: BlockSource,
  link: MemoryLinkInit | ((stream: number) => MemoryLinkInit) = {},
  scripts: (SenderScript | undefined)[] = [],
) {
  const served: ServedLog = new Map();
  /** Blocks served, per stream. */
  const servedOn: string[][] = Array.from({ length: count }, () => []);
  const receiverStreams: ProtocolStream[] = [];
  const senderStreams: ProtocolStream[] = [];
  const channels = [];
  for (let i = 0; i < count; i++) {
    const [r, s] = memoryChannelPair(typeof link === 'function' ? link(i) : link);
    channels.push(r);
    const rs = new ProtocolStream(r, { stream: i, streams: count });
    const ss = new ProtocolStream(s, { stream: i, streams: count });
    const server = new BlockServer(ss, source);
    server.onServed = (file, block) => {
      served.set(`${file}:${block}`, (served.get(`${file}:${block}`) ?? 0) + 1);
      servedOn[i]!.push(`${file}:${block}`);
    };
    const script = scripts[i];
    ss.onMessage = (m) => script?.(m, ss) || server.handle(m);
    receiverStreams.push(rs);
    senderStreams.push(ss);
  }
  await Promise.all(receiverStreams.map((s) => s.ready));
  return { streams: receiverStreams, senderStreams, channels, served, servedOn };
}

/** A clock and timers moved by hand: `advance` runs whatever falls due. */
export function manualTimers() {
  let now = 0;
  const due = new Set<{ at: number; fn: () => void }>();
  return {
    now: () => now,
    after(ms: number, fn: () => void) {
      const entry = { at: now + ms, fn };
      due.add(entry);
      return () => due.delete(entry);
    },
    /** Moves the clock on by `ms` and runs every timer that fell due, in order. */
    advance(ms: number) {
      now += ms;
      for (const entry of [...due].sort((a, b) => a.at - b.at)) {
        if (entry.at > now || !due.has(entry)) continue;
        due.delete(entry);
        entry.fn();
      }
    },
    /** Timers not yet run. */
    get pending() {
      return due.size;
    },
  };
}
