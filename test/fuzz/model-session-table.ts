// SPDX-License-Identifier: MIT
// Model-based fuzzing of the sender's session table (SenderHub): random
// sequences of receivers arriving, offering streams, connecting, going away,
// replays by the server and time passing, checked after every step against a
// small model of what the table must hold.
import fc from 'fast-check';
import { MAX_SESSIONS } from '../../src/adapters/sender-hub';
import { type FakePeer, hubUnderTest } from '../helpers/sender-hub-harness';

type Hub = Awaited<ReturnType<typeof hubUnderTest>>;

interface ModelReceiver {
  streams: number;
  first: string;
  deliver: (data: string) => void;
  seal: (value: unknown) => Promise<string>;
  /** none: refused (busy); live: in the table; ended: out of it for good. */
  state: 'live' | 'ended' | 'refused';
  offered: Set<number>;
  connected: Set<number>;
  /** Streams that came up at some point (the hub's count never goes down). */
  everUp: Set<number>;
  closed: Set<number>;
  /** Peers the hub made for it, by stream. */
  peers: Map<number, FakePeer>;
}

/** What the table must hold, in the order sessions were created. */
interface Model {
  receivers: ModelReceiver[];
  steps: { count: number };
}

interface Real {
  t: Hub;
}

const offer = (s: number, n: number) => ({ s, n, sig: { type: 'offer', sdp: `v=0 ${s}` } });
const live = (m: Model) => m.receivers.filter((r) => r.state === 'live');
/** Every stream came up once (the hub then stops its expiry timer, and closing streams later does not undo it). */
const fullyConnected = (r: ModelReceiver) => r.everUp.size === r.streams;

/** Lets the hub handle what it was sent, and promise callbacks (a stream's hello) run. */
async function settle(t: Hub): Promise<void> {
  await t.hub.settled();
  await new Promise((resolve) => setImmediate(resolve));
}

/** The peers the hub made since `before`, assigned to the receiver's streams in order of offer. */
function adoptPeers(t: Hub, before: number, r: ModelReceiver, stream: number): void {
  const made = t.peers.slice(before);
  if (made.length > 1) throw new Error(`one offer made ${made.length} peers`);
  if (made.length === 1) r.peers.set(stream, made[0]!);
}

function end(r: ModelReceiver): void {
  r.state = 'ended';
}

/** The checks after every step. */
function check(m: Model, t: Hub): void {
  m.steps.count++;
  const expected = live(m).length;
  if (t.hub.size !== expected) throw new Error(`table holds ${t.hub.size}, model ${expected}`);
  if (t.hub.size > MAX_SESSIONS) throw new Error(`table holds ${t.hub.size} > ${MAX_SESSIONS}`);
  for (const r of m.receivers) {
    if (r.state === 'live') continue;
    for (const [s, peer] of r.peers)
      if (!peer.destroyed) throw new Error(`an ended session's peer ${s} was not destroyed`);
  }
  const created = m.receivers.filter((r) => r.state !== 'refused').length;
  if (t.sessions.length !== created)
    throw new Error(`${t.sessions.length} sessions started, model ${created}`);
  const endedCount = m.receivers.filter((r) => r.state === 'ended').length;
  if (t.ended.length !== endedCount)
    throw new Error(`${t.ended.length} sessions ended, model ${endedCount}`);
}

class NewReceiver implements fc.AsyncCommand<Model, Real> {
  constructor(readonly streams: number) {}
  check = () => true;
  async run(m: Model, { t }: Real): Promise<void> {
    const r0 = t.receiver();
    const first = await r0.seal(offer(0, this.streams));
    const r: ModelReceiver = {
      streams: this.streams,
      first,
      deliver: r0.deliver,
      seal: r0.seal,
      state: 'live',
      offered: new Set([0]),
      connected: new Set(),
      everUp: new Set(),
      closed: new Set(),
      peers: new Map(),
    };
    if (live(m).length >= MAX_SESSIONS) {
      const victim = live(m).find((x) => !fullyConnected(x));
      if (victim) end(victim);
      else r.state = 'refused';
    }
    const before = t.peers.length;
    r.deliver(first);
    await settle(t);
    if (r.state === 'live') adoptPeers(t, before, r, 0);
    m.receivers.push(r);
    check(m, t);
  }
  toString = () => `new receiver (${this.streams} streams)`;
}

/** Many receivers at once (a crowd, or a flood): the table's bound and eviction get exercised. */
class Crowd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly sizes: number[]) {}
  check = () => true;
  async run(m: Model, real: Real): Promise<void> {
    for (const n of this.sizes) await new NewReceiver(n).run(m, real);
  }
  toString = () => `crowd of ${this.sizes.length}`;
}

/** Picks a receiver by a random number, among those a predicate allows. */
function pick(m: Model, n: number, ok: (r: ModelReceiver) => boolean): ModelReceiver | undefined {
  const all = m.receivers.filter(ok);
  return all.length === 0 ? undefined : all[n % all.length];
}

class Offer implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: number,
    readonly stream: number,
  ) {}
  check = (m: Readonly<Model>) => m.receivers.some((r) => r.state === 'live');
  async run(m: Model, { t }: Real): Promise<void> {
    const r = pick(m, this.who, (x) => x.state === 'live');
    if (!r) return;
    const s = this.stream % r.streams;
    const before = t.peers.length;
    r.deliver(await r.seal(offer(s, r.streams)));
    await settle(t);
    if (!r.offered.has(s)) adoptPeers(t, before, r, s);
    r.offered.add(s);
    check(m, t);
  }
  toString = () => `offer ${this.who}:${this.stream}`;
}

class Connect implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: number,
    readonly stream: number,
  ) {}
  check = () => true;
  async run(m: Model, { t }: Real): Promise<void> {
    const r = pick(m, this.who, (x) => x.state === 'live' && x.peers.size > x.connected.size);
    if (!r) return;
    const candidates = [...r.peers.keys()].filter((s) => !r.connected.has(s) && !r.closed.has(s));
    if (candidates.length === 0) return;
    const s = candidates[this.stream % candidates.length]!;
    r.peers.get(s)!.connect(s, r.streams);
    r.connected.add(s);
    r.everUp.add(s);
    await settle(t);
    check(m, t);
  }
  toString = () => `connect ${this.who}:${this.stream}`;
}

class ClosePeer implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: number,
    readonly stream: number,
  ) {}
  check = () => true;
  async run(m: Model, { t }: Real): Promise<void> {
    const r = pick(m, this.who, (x) => x.state === 'live' && x.peers.size > x.closed.size);
    if (!r) return;
    const open = [...r.peers.keys()].filter((s) => !r.closed.has(s));
    const s = open[this.stream % open.length]!;
    r.peers.get(s)!.destroy();
    r.closed.add(s);
    r.connected.delete(s);
    if (r.closed.size >= r.streams) end(r);
    await settle(t);
    check(m, t);
  }
  toString = () => `close ${this.who}:${this.stream}`;
}

class Replay implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: number) {}
  check = (m: Readonly<Model>) => m.receivers.length > 0;
  async run(m: Model, { t }: Real): Promise<void> {
    const r = pick(m, this.who, () => true);
    if (!r) return;
    const before = t.peers.length;
    r.deliver(r.first);
    await settle(t);
    if (t.peers.length !== before) throw new Error('a replayed first message made a peer');
    check(m, t);
  }
  toString = () => `replay ${this.who}`;
}

class Garbage implements fc.AsyncCommand<Model, Real> {
  constructor(readonly text: string) {}
  check = () => true;
  async run(m: Model, { t }: Real): Promise<void> {
    const deliver = m.receivers[0]?.deliver ?? t.receiver().deliver;
    deliver(this.text);
    await settle(t);
    check(m, t);
  }
  toString = () => `garbage ${JSON.stringify(this.text.slice(0, 20))}`;
}

class TimePasses implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, { t }: Real): Promise<void> {
    t.fireTimers();
    for (const r of live(m)) if (!fullyConnected(r)) end(r);
    await settle(t);
    check(m, t);
  }
  toString = () => 'time passes';
}

const commands = [
  fc.integer({ min: 1, max: 6 }).map((n) => new NewReceiver(n)),
  fc
    .array(fc.integer({ min: 1, max: 3 }), { minLength: 8, maxLength: 24 })
    .map((sizes) => new Crowd(sizes)),
  fc.tuple(fc.nat(), fc.nat()).map(([w, s]) => new Offer(w, s)),
  fc.tuple(fc.nat(), fc.nat()).map(([w, s]) => new Connect(w, s)),
  fc.tuple(fc.nat(), fc.nat()).map(([w, s]) => new ClosePeer(w, s)),
  fc.nat().map((w) => new Replay(w)),
  fc.string({ maxLength: 60 }).map((text) => new Garbage(text)),
  fc.constant(new TimePasses()),
];

/** Runs `runs` random command sequences; returns how many steps were checked. */
export async function fuzzSessionTable(runs: number, seed: number, path?: string): Promise<number> {
  const steps = { count: 0 };
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 80, size: 'max' }), async (cmds) => {
      const t = await hubUnderTest();
      try {
        await fc.asyncModelRun(() => ({ model: { receivers: [], steps }, real: { t } }), cmds);
      } finally {
        t.hub.close();
      }
    }),
    { numRuns: runs, seed, ...(path ? { path } : {}) },
  );
  return steps.count;
}
