// SPDX-License-Identifier: MIT
// The load client of `npm run bench:signal`, in its own process (and on its
// own core): plain `ws` clients spread over several 127.x source addresses, so
// neither side runs out of ports or open files. Driven over IPC by run.mjs.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

/** Sockets connecting at once while the idle population is built. */
const OPENING_AT_ONCE = 400;
/** A handshake not done in this long counts as lost, ms. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Handshakes started in this first part of a run warm up and are not counted, ms. */
const WARMUP_MS = 2_000;

const roomId = () => randomBytes(32).toString('base64url');
/** A sealed payload of the size a real offer has (about 1 KB of base64url). */
const sealed = (n) => randomBytes(n).toString('base64url');
const sourceAddress = (i, addresses) =>
  `127.0.${1 + Math.floor((i % addresses) / 250)}.${2 + ((i % addresses) % 250)}`;

/** Opens a socket and joins; resolves with it once `joined` came, or rejects. */
function joinedSocket(url, room, role, localAddress) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed ${code}`)));
    ws.once('open', () => ws.send(JSON.stringify({ t: 'join', room, role })));
    ws.once('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.t === 'joined') resolve({ ws, id: m.id });
      else reject(new Error(`first message ${m.t}`));
    });
  });
}

/** Phase (a): `sockets` idle members (1 sender and 4 receivers a room), held until told to stop. */
async function idle({ url, sockets, addresses }) {
  const held = [];
  let failed = 0;
  let dropped = 0;
  const started = Date.now();
  let next = 0;
  let room = roomId();
  const openOne = async () => {
    while (next < sockets) {
      const i = next++;
      if (i % 5 === 0) room = roomId();
      try {
        const { ws } = await joinedSocket(
          url,
          room,
          i % 5 === 0 ? 'send' : 'recv',
          sourceAddress(i, addresses),
        );
        ws.removeAllListeners('close');
        ws.on('close', () => dropped++);
        ws.on('error', () => {});
        held.push(ws);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: OPENING_AT_ONCE }, openOne));
  process.send({ idleReady: { opened: held.length, failed, msToOpen: Date.now() - started } });
  await new Promise((resolve) => process.once('message', resolve)); // { cmd: 'stop-idle' }
  const droppedWhileHeld = dropped;
  for (const ws of held) ws.terminate();
  process.send({
    idleDone: { dropped: droppedWhileHeld, stillOpen: held.length - droppedWhileHeld },
  });
}

/** Phase (b): complete handshakes for `seconds` with `concurrency` rooms in parallel. */
async function handshakes({ senderUrl, receiverUrl, seconds, concurrency, addresses }) {
  const latencies = [];
  let lost = 0;
  let counter = 0;
  let all = 0;
  const runStart = Date.now();
  const deadline = runStart + seconds * 1000;
  const offer = sealed(768);
  const answer = sealed(768);

  const worker = async (w) => {
    const room = roomId();
    const sender = await joinedSocket(senderUrl, room, 'send', sourceAddress(w, addresses));
    const gone = new Map();
    sender.ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.t === 'relay') sender.ws.send(JSON.stringify({ t: 'relay', to: m.from, data: answer }));
      else if (m.t === 'gone') gone.get(m.id)?.();
    });
    while (Date.now() < deadline) {
      const began = Date.now();
      const ok = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), HANDSHAKE_TIMEOUT_MS);
        const done = (v) => {
          clearTimeout(timer);
          resolve(v);
        };
        const ws = new WebSocket(receiverUrl, {
          localAddress: sourceAddress(counter++, addresses),
          perMessageDeflate: false,
        });
        ws.on('error', () => done(false));
        ws.once('open', () => ws.send(JSON.stringify({ t: 'join', room, role: 'recv' })));
        ws.on('message', (data) => {
          const m = JSON.parse(data.toString());
          if (m.t === 'joined') {
            gone.set(m.id, () => {
              gone.delete(m.id);
              done(true);
            });
            ws.send(JSON.stringify({ t: 'relay', data: offer }));
          } else if (m.t === 'relay' && m.data === answer) ws.close(1000);
        });
      });
      if (ok) all++;
      if (began < runStart + WARMUP_MS) continue;
      if (ok) latencies.push(Date.now() - began);
      else lost++;
    }
    sender.ws.terminate();
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  latencies.sort((a, b) => a - b);
  const at = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? null;
  const counted = (Date.now() - runStart - WARMUP_MS) / 1000;
  process.send({
    handshakesDone: {
      completed: latencies.length,
      completedWithWarmup: all,
      lost,
      perSecond: Math.round(latencies.length / counted),
      latencyMs: { p50: at(50), p99: at(99), max: latencies.at(-1) ?? null },
      concurrency,
      seconds: Math.round(counted),
    },
  });
}

process.once('message', (message) => {
  const run = message.cmd === 'idle' ? idle(message) : handshakes(message);
  run.catch((err) => {
    process.send({ error: String(err?.stack ?? err) });
  });
});
