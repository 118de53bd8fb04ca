// SPDX-License-Identifier: MIT
// Model-based fuzzing of the receive engine against a hostile sender: random
// sequences of what a sender can do on each stream (serve pieces in order or
// not, damage them, send them twice, send what nobody asked for, refuse, go
// silent, drop a stream) with time passing and storage falling behind,
// checked after every step; then the sender turns honest and the run must end.
import fc from 'fast-check';
import { BLOCK_SIZE } from '../../src/core/constants';
import { blockLength } from '../../src/core/content/outboard';
import { BLOCK_PIECE_SIZE } from '../../src/core/protocol/constants';
import { type Message, MessageType } from '../../src/core/protocol/message-types';
import { ProtocolStream } from '../../src/core/session/protocol-stream';
import {
  type BlockSink,
  ReceiveEngine,
  type ReceiveOutcome,
} from '../../src/core/transfer/receive-engine';
import { MAX_REQUEST_TIMEOUT_MS } from '../../src/core/transfer/request-timeout';
import { fullPlan } from '../../src/core/transfer/scheduler';
import { pseudoRandomBytes } from '../helpers/data';
import { type DirectChannel, directPair } from '../helpers/direct-channel';
import { manualTimers } from '../helpers/transfer-harness';

/** Bytes a file's data is cut from (each file takes its own slice of it). */
const SOURCE = pseudoRandomBytes(4 * BLOCK_SIZE, 99);
const WINDOW = 2 * BLOCK_SIZE;
const MAX_PROCESSING = 3 * BLOCK_SIZE;

type Request = Extract<Message, { type: MessageType.BlockRequest }>;

/** What the hostile sender knows: the requests it has seen on each stream, and what it sent for them. */
interface SenderSide {
  stream: ProtocolStream;
  channel: DirectChannel;
  open: Request[];
  /** Pieces already sent, per "id:block:offset". */
  sent: Set<string>;
}

interface Real {
  files: Uint8Array[];
  senders: SenderSide[];
  timers: ReturnType<typeof manualTimers>;
  stored: Map<string, Uint8Array>;
  storeCalls: Map<string, number>;
  /** Stores not yet committed: released by StorageCatchesUp. */
  heldStores: (() => void)[];
  /** Bytes handed to the sink and not yet stored. */
  processing: { bytes: number; peak: number };
  outcome: { value?: ReceiveOutcome };
  verifiedEvents: string[];
  steps: { count: number };
}

const pieceOffsets = (size: number, block: number) => {
  const len = blockLength(size, block);
  const out: number[] = [];
  for (let o = 0; o < len || o === 0; o += BLOCK_PIECE_SIZE) {
    out.push(o);
    if (len === 0) break;
  }
  return out;
};

const blocksOf = (r: Request) =>
  r.ranges.flatMap((x) => Array.from({ length: x.count }, (_, i) => x.start + i));

function sendPiece(
  s: SenderSide,
  real: Real,
  r: Request,
  block: number,
  offset: number,
  damage = false,
) {
  const file = real.files[r.file]!;
  const start = block * BLOCK_SIZE + offset;
  const end = Math.min(start + BLOCK_PIECE_SIZE, (block + 1) * BLOCK_SIZE, file.length);
  const data = file.slice(start, end);
  if (damage && data.length > 0) data[0]! ^= 0xff;
  s.sent.add(`${r.id}:${block}:${offset}`);
  void s.stream
    .send({ type: MessageType.BlockData, id: r.id, file: r.file, block, offset, data })
    .catch(() => {});
}

/** The next piece of `r` not yet sent, in order, or null. */
function nextPiece(s: SenderSide, real: Real, r: Request): [number, number] | null {
  const size = real.files[r.file]!.length;
  for (const block of blocksOf(r))
    for (const offset of pieceOffsets(size, block))
      if (!s.sent.has(`${r.id}:${block}:${offset}`)) return [block, offset];
  return null;
}

/** Lets queued messages, verifications and stores run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The checks after every step. */
function check(real: Real): void {
  real.steps.count++;
  for (const [k, data] of real.stored) {
    const [file, block] = k.split(':').map(Number) as [number, number];
    const genuine = real.files[file]!.subarray(
      block * BLOCK_SIZE,
      block * BLOCK_SIZE + data.length,
    );
    if (
      data.length !== blockLength(real.files[file]!.length, block) ||
      Buffer.compare(Buffer.from(data), Buffer.from(genuine)) !== 0
    )
      throw new Error(`block ${k} was stored with bytes that are not the file's`);
  }
  for (const [k, n] of real.storeCalls)
    if (n > 1) throw new Error(`block ${k} was stored ${n} times`);
  for (const k of real.verifiedEvents)
    if (!real.stored.has(k)) throw new Error(`block ${k} reported verified but not stored`);
  // Arrived and not yet stored: at most the cap, plus what was already on the way when it was reached.
  const bound = MAX_PROCESSING + real.senders.length * WINDOW + BLOCK_SIZE;
  if (real.processing.bytes > bound)
    throw new Error(`${real.processing.bytes} bytes wait for checking or storing (bound ${bound})`);
}

type Cmd = fc.AsyncCommand<object, Real>;

/** Picks an open request on some stream; null when there is none. */
function pickRequest(real: Real, n: number): { s: SenderSide; r: Request } | null {
  const all = real.senders.flatMap((s) => (s.channel.closed ? [] : s.open.map((r) => ({ s, r }))));
  return all.length === 0 ? null : all[n % all.length]!;
}

function command(name: string, act: (real: Real) => void | Promise<void>): Cmd {
  return {
    check: () => true,
    async run(_m, real) {
      await act(real);
      await settle();
      check(real);
    },
    toString: () => name,
  };
}

const commands: fc.Arbitrary<Cmd>[] = [
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 6 })).map(([n, k]) =>
    command(`serve ${n}×${k}`, (real) => {
      const p = pickRequest(real, n);
      for (let i = 0; p && i < k; i++) {
        const piece = nextPiece(p.s, real, p.r);
        if (piece) sendPiece(p.s, real, p.r, ...piece);
      }
    }),
  ),
  fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([n, b, o]) =>
    command(`serve out of order ${n}`, (real) => {
      const p = pickRequest(real, n);
      if (!p) return;
      const blocks = blocksOf(p.r);
      const block = blocks[b % blocks.length]!;
      const offsets = pieceOffsets(real.files[p.r.file]!.length, block).filter(
        (x) => !p.s.sent.has(`${p.r.id}:${block}:${x}`),
      );
      if (offsets.length > 0) sendPiece(p.s, real, p.r, block, offsets[o % offsets.length]!);
    }),
  ),
  fc.nat().map((n) =>
    command(`damage ${n}`, (real) => {
      const p = pickRequest(real, n);
      const piece = p && nextPiece(p.s, real, p.r);
      if (p && piece) sendPiece(p.s, real, p.r, ...piece, true);
    }),
  ),
  fc.nat().map((n) =>
    command(`send twice ${n}`, (real) => {
      const p = pickRequest(real, n);
      if (!p) return;
      const any = [...p.s.sent].find((k) => k.startsWith(`${p.r.id}:`));
      if (!any) return;
      const [, block, offset] = any.split(':').map(Number) as [number, number, number];
      sendPiece(p.s, real, p.r, block, offset);
    }),
  ),
  fc.tuple(fc.nat({ max: 7 }), fc.nat({ max: 3 })).map(([stream, block]) =>
    command(`unasked ${stream}:${block}`, (real) => {
      const s = real.senders[stream % real.senders.length]!;
      if (s.channel.closed) return;
      const fake: Request = {
        type: MessageType.BlockRequest,
        id: 0xfff0 + block,
        file: 0,
        ranges: [{ start: block, count: 1 }],
      };
      if (real.files[0]!.length > block * BLOCK_SIZE) sendPiece(s, real, fake, block, 0);
    }),
  ),
  fc.nat().map((n) =>
    command(`refuse ${n}`, (real) => {
      const p = pickRequest(real, n);
      if (!p) return;
      p.s.open.splice(p.s.open.indexOf(p.r), 1);
      void p.s.stream
        .send({ type: MessageType.Error, id: p.r.id, code: 4, message: 'cannot read it' })
        .catch(() => {});
    }),
  ),
  fc.nat({ max: 7 }).map((n) =>
    command(`drop stream ${n}`, (real) => {
      real.senders[n % real.senders.length]!.channel.close();
    }),
  ),
  fc
    .integer({ min: 1, max: MAX_REQUEST_TIMEOUT_MS + 1000 })
    .map((ms) => command(`time passes ${ms} ms`, (real) => real.timers.advance(ms))),
  fc.constant(
    command('storage catches up', (real) => {
      for (const release of real.heldStores.splice(0)) release();
    }),
  ),
];

/** Sizes of the files a sequence receives: empty, small, one block, just over, several blocks. */
const fileSizes = fc.array(
  fc.constantFrom(0, 1, 70_000, BLOCK_SIZE, BLOCK_SIZE + 1, 2 * BLOCK_SIZE + 300_000),
  { minLength: 1, maxLength: 3 },
);

/** Sets up the engine, the hostile sender's streams and a sink that checks bytes against the genuine ones. */
async function setUp(
  sizes: number[],
  streamCount: number,
  steps: { count: number },
): Promise<{ real: Real; run: Promise<ReceiveOutcome> }> {
  let offset = 0;
  const files = sizes.map((size) => {
    const data = SOURCE.subarray(offset % BLOCK_SIZE, (offset % BLOCK_SIZE) + size);
    offset += 4099;
    return data;
  });
  const timers = manualTimers();
  const real: Real = {
    files,
    senders: [],
    timers,
    stored: new Map(),
    storeCalls: new Map(),
    heldStores: [],
    processing: { bytes: 0, peak: 0 },
    outcome: {},
    verifiedEvents: [],
    steps,
  };
  const receiverStreams: ProtocolStream[] = [];
  for (let i = 0; i < streamCount; i++) {
    const [r, s] = directPair();
    const rs = new ProtocolStream(r, { stream: i, streams: streamCount });
    const ss = new ProtocolStream(s, { stream: i, streams: streamCount });
    const side: SenderSide = { stream: ss, channel: s, open: [], sent: new Set() };
    ss.onMessage = (m) => {
      if (m.type === MessageType.BlockRequest) side.open.push(m);
      if (m.type === MessageType.Cancel) side.open = side.open.filter((r) => r.id !== m.id);
    };
    real.senders.push(side);
    receiverStreams.push(rs);
  }
  await Promise.all(receiverStreams.map((s) => s.ready));
  const sink: BlockSink = {
    // "Verified" means byte for byte the genuine block: the engine must store nothing else.
    async verify(file, block, data) {
      real.processing.bytes += data.length;
      const f = files[file]!;
      const genuine = f.subarray(
        block * BLOCK_SIZE,
        block * BLOCK_SIZE + blockLength(f.length, block),
      );
      const good =
        data.length === genuine.length &&
        Buffer.compare(Buffer.from(data), Buffer.from(genuine)) === 0;
      if (!good) real.processing.bytes -= data.length;
      return good ? data.slice() : null;
    },
    store(file, block, data) {
      const k = `${file}:${block}`;
      real.storeCalls.set(k, (real.storeCalls.get(k) ?? 0) + 1);
      return new Promise<void>((resolve) => {
        real.heldStores.push(() => {
          real.stored.set(k, data);
          real.processing.bytes -= data.length;
          resolve();
        });
      });
    },
  };
  const engine = new ReceiveEngine(
    receiverStreams,
    files.map((f, i) => fullPlan(i, f.length)),
    sink,
    {
      windowBytes: WINDOW,
      maxProcessingBytes: MAX_PROCESSING,
      timers,
      rttMs: 10,
      onEvent: (e) => {
        if (e.type === 'verified') real.verifiedEvents.push(`${e.file}:${e.block}`);
      },
    },
  );
  const run = engine.run().then((o) => {
    real.outcome.value = o;
    return o;
  });
  await settle();
  return { real, run };
}

/** The sender turns honest and storage keeps up: the run must end, with every finished file whole. */
async function mustEnd(real: Real): Promise<void> {
  for (let round = 0; round < 400 && !real.outcome.value; round++) {
    for (const s of real.senders) {
      if (s.channel.closed) continue;
      for (const r of [...s.open])
        for (let p = nextPiece(s, real, r); p; p = nextPiece(s, real, r))
          sendPiece(s, real, r, ...p);
    }
    await settle();
    for (const release of real.heldStores.splice(0)) release();
    await settle();
    if (round % 4 === 3) real.timers.advance(MAX_REQUEST_TIMEOUT_MS);
    await settle();
    check(real);
  }
  const outcome = real.outcome.value;
  if (!outcome) throw new Error('the run did not end once the sender turned honest');
  if (outcome.kind !== 'finished') return;
  for (const [file, data] of real.files.entries()) {
    if (outcome.failedFiles.includes(file)) continue;
    for (let b = 0; b * BLOCK_SIZE < data.length; b++)
      if (!real.stored.has(`${file}:${b}`))
        throw new Error(`finished, but block ${file}:${b} was never stored`);
  }
}

/** Runs `runs` random sequences; returns how many steps were checked. */
export async function fuzzReceiveEngine(
  runs: number,
  seed: number,
  path?: string,
): Promise<number> {
  const steps = { count: 0 };
  await fc.assert(
    fc.asyncProperty(
      fileSizes,
      fc.integer({ min: 1, max: 3 }),
      fc.commands(commands, { maxCommands: 60, size: 'max' }),
      async (sizes, streamCount, cmds) => {
        const { real, run } = await setUp(sizes, streamCount, steps);
        await fc.asyncModelRun(() => ({ model: {}, real }), cmds);
        await mustEnd(real);
        await Promise.race([run, Promise.resolve()]);
      },
    ),
    { numRuns: runs, seed, ...(path ? { path } : {}) },
  );
  return steps.count;
}
