// SPDX-License-Identifier: MIT
// Checks that an emulated link does what its profile says, with plain
// sockets and no browser: UDP probes across it (round trip, loss) and one TCP
// stream (bandwidth). `npm run bench -- link-check` prints one row per profile.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { FAR_ADDRESS, NEAR_ADDRESS, openLink, PROFILES } from './link.mjs';

const PROBES = 400;
const TCP_BYTES = { lan: 64e6, broadband: 32e6, mobile: 8e6 };

/** The far end's part: probes (each answered by the near end) and then one TCP upload. */
const FAR_SCRIPT = `
const dgram = require('node:dgram'); const net = require('node:net');
const [host, udpPort, tcpPort, probes, tcpBytes] = process.argv.slice(1);
const sock = dgram.createSocket('udp4'); const sent = new Map(); const rtts = [];
sock.on('message', (m) => { const t = sent.get(m.readUInt32BE(0)); if (t) rtts.push(Number(process.hrtime.bigint() - t) / 1e6); });
let i = 0;
const tick = setInterval(() => {
  if (i === Number(probes)) { clearInterval(tick); setTimeout(upload, 1000); return; }
  const b = Buffer.alloc(64); b.writeUInt32BE(i); sent.set(i++, process.hrtime.bigint()); sock.send(b, Number(udpPort), host);
}, 5);
function upload() {
  sock.close();
  const c = net.connect(Number(tcpPort), host, () => {
    const chunk = Buffer.alloc(65536); let left = Number(tcpBytes); const t0 = process.hrtime.bigint();
    const pump = () => { while (left > 0) { left -= chunk.length; if (!c.write(chunk)) return c.once('drain', pump); } c.end(); };
    c.on('data', () => { const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(JSON.stringify({ rtts, probes: Number(probes), tcpMbit: (Number(tcpBytes) * 8) / s / 1e6 })); c.destroy(); });
    pump();
  });
}`;

/** Measures one profile's link; resolves with what was measured beside what was asked. */
export async function checkLink(linkemu, name) {
  const profile = PROFILES[name];
  const link = await openLink(linkemu, profile, { chromium: '/bin/false' });
  const udp = createSocket('udp4');
  udp.on('message', (m, from) => udp.send(m, from.port, from.address));
  await new Promise((r) => udp.bind(0, NEAR_ADDRESS, r));
  let received = 0;
  const tcp = createServer((c) => {
    // The far end resets the connection once it has its answer.
    c.on('error', () => {});
    c.on('data', (d) => {
      received += d.length;
      if (received >= TCP_BYTES[name] && !c.writableEnded) c.end('done');
    });
  });
  await new Promise((r) => tcp.listen(0, NEAR_ADDRESS, r));
  const far = spawn(
    'nsenter',
    [
      `--net=${link.ns}`,
      process.execPath,
      '-e',
      FAR_SCRIPT,
      NEAR_ADDRESS,
      String(udp.address().port),
      String(tcp.address().port),
      String(PROBES),
      String(TCP_BYTES[name]),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  far.stdout.on('data', (c) => {
    out += c;
  });
  await new Promise((r) => far.once('exit', r));
  udp.close();
  tcp.close();
  const counters = await link.close();
  const m = JSON.parse(out);
  const sorted = [...m.rtts].sort((a, b) => a - b);
  return {
    profile: name,
    asked: profile,
    rttMedianMs: Math.round(sorted[Math.floor(sorted.length / 2)] * 100) / 100,
    probeLossPct: Math.round(((m.probes - m.rtts.length) / m.probes) * 1000) / 10,
    tcpMbit: Math.round(m.tcpMbit * 10) / 10,
    farAddress: FAR_ADDRESS,
    counters,
  };
}
