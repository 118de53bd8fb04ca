// SPDX-License-Identifier: MIT
// `npm run bench:signal`: load on the signaling server, not part of `npm test`.
//   (a) idle sockets held in rooms on one node: none may drop; RSS per socket
//       and event-loop delay inside the server;
//   (b) complete handshakes per second (receiver joins, sealed offer relayed,
//       answer relayed, receiver leaves and the sender hears it), p50/p99,
//       on one node and on two nodes over Redis (sender on one, receivers on the other).
// The server runs on core 0 (taskset -c 0), the load client on core 1, each in
// its own process. Options (or env): --sockets=10000 (BENCH_SOCKETS),
// --idle-seconds=120 (BENCH_IDLE_SECONDS), --handshake-seconds=20
// (BENCH_HANDSHAKE_SECONDS), --concurrency=64 (BENCH_CONCURRENCY),
// --only=idle|handshakes. Figures go to bench/results/signal.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureRedis, startRedis } from '../../scripts/redis.mjs';

const root = new URL('../..', import.meta.url).pathname;
const option = (name, env, fallback) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.split('=')[1] : (process.env[env] ?? fallback);
};
const SOCKETS = Number(option('sockets', 'BENCH_SOCKETS', 10_000));
const IDLE_SECONDS = Number(option('idle-seconds', 'BENCH_IDLE_SECONDS', 120));
const HANDSHAKE_SECONDS = Number(option('handshake-seconds', 'BENCH_HANDSHAKE_SECONDS', 20));
const CONCURRENCY = Number(option('concurrency', 'BENCH_CONCURRENCY', 64));
const ONLY = option('only', 'BENCH_ONLY', 'all');
/** Source addresses the load spreads over (127.0.x.y), so no one address runs out of ports. */
const ADDRESSES = 200;
/** The load client's warm-up, not counted (as in load.mjs), ms. */
const WARMUP_MS = 2_000;
/** Limits raised so that per-IP caps do not refuse the load (the bench measures capacity, not the caps). */
const RAISED_LIMITS = {
  SIGNAL_MAX_ROOMS: '1000000',
  SIGNAL_MAX_CONNECTIONS_PER_IP: '1000000',
  SIGNAL_CONNECTIONS_PER_SECOND: '1000000',
  SIGNAL_MESSAGES_PER_SECOND: '1000000',
  SIGNAL_NO_SENDER_MS: '600000',
  // The HTTP layer's caps count the same sockets (server/http-limits.ts).
  HTTP_MAX_CONNECTIONS: '19000',
  HTTP_MAX_CONNECTIONS_PER_IP: '1000000',
  HTTP_MAX_PENDING_CONNECTIONS: '19000',
};
const pinned = spawnSync('taskset', ['-V']).status === 0 && cpus().length >= 2;

/** Starts a child on `core` with IPC; resolves with it and a function awaiting its next message with `key`. */
function child(core, args, env = {}) {
  const cmd = pinned
    ? ['taskset', '-c', String(core), process.execPath, ...args]
    : [process.execPath, ...args];
  const proc = spawn(cmd[0], cmd.slice(1), {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiting = [];
  proc.on('message', (m) => {
    if (m.error) console.error(m.error);
    const at = waiting.findIndex((w) => w.key in m);
    if (at === -1) return;
    const [w] = waiting.splice(at, 1);
    w.resolve(m[w.key]);
  });
  const next = (key) =>
    new Promise((resolve, reject) => {
      waiting.push({ key, resolve: (v) => resolve(v) });
      proc.once('exit', (code) =>
        reject(new Error(`${args.join(' ')} exited (${code}) waiting for ${key}`)),
      );
    });
  return { proc, next };
}

async function server(env) {
  // BENCH_CPU_PROF=<folder> writes a V8 CPU profile of each server there (to see where time goes).
  const dir = process.env.BENCH_CPU_PROF;
  const profile = dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
  const s = child(0, [...profile, '--expose-gc', '--import', 'tsx', 'bench/signal/server.ts'], {
    ...RAISED_LIMITS,
    ...env,
  });
  const url = await s.next('listening');
  const ask = (what, key) => {
    s.proc.send({ ask: what });
    return s.next(key);
  };
  return {
    url,
    stats: () => ask('stats', 'stats'),
    resetDelay: () => ask('reset-delay', 'reset'),
    stop: () => {
      s.proc.send({ ask: 'stop' });
      return new Promise((r) => s.proc.once('exit', r));
    },
  };
}

const load = () => child(1, ['bench/signal/load.mjs']);

async function idlePhase() {
  const node = await server({});
  const before = await node.stats();
  const client = load();
  client.proc.send({ cmd: 'idle', url: node.url, sockets: SOCKETS, addresses: ADDRESSES });
  const opened = await client.next('idleReady');
  const settled = await node.stats();
  await node.resetDelay();
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const held = await node.stats();
  client.proc.send({ cmd: 'stop-idle' });
  const done = await client.next('idleDone');
  await node.stop();
  return {
    sockets: SOCKETS,
    heldSeconds: IDLE_SECONDS,
    opened: opened.opened,
    failedToOpen: opened.failed,
    secondsToOpen: opened.msToOpen / 1000,
    droppedWhileHeld: done.dropped,
    serverSocketsAtEnd: held.sockets,
    rssBytesBefore: before.rssBytes,
    rssBytesHeld: held.rssBytes,
    rssBytesPerSocket: Math.round(
      (settled.rssBytes - before.rssBytes) / Math.max(1, opened.opened),
    ),
    eventLoopDelayWhileHeldMs: held.eventLoopDelayMs,
  };
}

async function handshakePhase(twoNodes) {
  const redis = twoNodes ? await startRedis() : null;
  const env = redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'bench:' } : {};
  const a = await server(env);
  const b = twoNodes ? await server(env) : a;
  const client = load();
  client.proc.send({
    cmd: 'handshakes',
    senderUrl: a.url,
    receiverUrl: b.url,
    seconds: HANDSHAKE_SECONDS,
    concurrency: CONCURRENCY,
    addresses: ADDRESSES,
  });
  const finished = client.next('handshakesDone');
  // CPU is counted from the end of the load's warm-up (JIT, first connections), like the handshakes.
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const cpuBefore = [(await a.stats()).cpuMs, (await b.stats()).cpuMs];
  const result = await finished;
  const serverStats = await a.stats();
  // CPU each node spent per handshake: a figure a busy machine distorts far less than the rate.
  const cpuPerHandshake = async (node, before) =>
    Math.round((((await node.stats()).cpuMs - before) / result.completed) * 1000) / 1000;
  const serverCpuMsPerHandshake = [await cpuPerHandshake(a, cpuBefore[0])];
  if (b !== a) serverCpuMsPerHandshake.push(await cpuPerHandshake(b, cpuBefore[1]));
  await a.stop();
  if (b !== a) await b.stop();
  await redis?.stop();
  return {
    ...result,
    senderNodeEventLoopDelayMs: serverStats.eventLoopDelayMs,
    serverCpuMsPerHandshake,
  };
}

const results = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, pinned, loadAverageAtStart: loadavg() },
  command: `npm run bench:signal -- ${process.argv.slice(2).join(' ')}`.trim(),
};
if (ONLY === 'all' || ONLY === 'idle') {
  console.log(`(a) ${SOCKETS} idle sockets, held ${IDLE_SECONDS} s…`);
  results.idle = await idlePhase();
  console.log(results.idle);
}
if (ONLY === 'all' || ONLY === 'handshakes') {
  ensureRedis();
  console.log(`(b) handshakes for ${HANDSHAKE_SECONDS} s, one node…`);
  results.handshakesOneNode = await handshakePhase(false);
  console.log(results.handshakesOneNode);
  console.log(`(b) handshakes for ${HANDSHAKE_SECONDS} s, two nodes over Redis…`);
  results.handshakesTwoNodes = await handshakePhase(true);
  console.log(results.handshakesTwoNodes);
}
results.machine.loadAverageAtEnd = loadavg();
const out = join(root, 'bench', 'results', 'signal.json');
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
let previous = {};
try {
  previous = JSON.parse(readFileSync(out, 'utf8'));
} catch {}
writeFileSync(out, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
console.log(`written to ${out}`);
process.exit(0);
