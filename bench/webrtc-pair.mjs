// SPDX-License-Identifier: MIT
// Two ends of a WebRTC benchmark: bench/webrtc.html open in two browser
// contexts (of one browser, or of two browsers in two network namespaces),
// their signaling relayed through Node.
import { chromiumCpuSeconds } from './cpu-time.mjs';
import { wireStats } from './wire-stats.mjs';

/** Opens the bench page at `urlA` in a new context of `browserA`, and at `urlB` in one of `browserB`, paired. */
export async function openPair(browserA, browserB, urlA, urlB) {
  const ends = [];
  for (const [browser, url] of [
    [browserA, urlA],
    [browserB, urlB],
  ]) {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    p.on('pageerror', (err) => console.error('page error:', err));
    await p.goto(url);
    await p.waitForFunction(() => 'ferryWebrtc' in window);
    ends.push(p);
  }
  const [a, b] = ends;
  await a.exposeFunction('benchSignal', (m) => b.evaluate((x) => window.ferryWebrtc.deliver(x), m));
  await b.exposeFunction('benchSignal', (m) => a.evaluate((x) => window.ferryWebrtc.deliver(x), m));
  return {
    a,
    b,
    close: async () => {
      for (const p of ends) await p.context().close();
    },
  };
}

/** CPU ms that all of Chromium used per MB since `cpuAtStart` (null off Linux). */
export function cpuPerMB(cpuAtStart, bytes) {
  const now = chromiumCpuSeconds();
  return cpuAtStart === null || now === null ? null : ((now - cpuAtStart) * 1e9) / bytes;
}

/** A run's figures from its receiver's report (epoch ms), when the sender started and what sender `a` put on the wire. */
async function figures(a, run, startedAt, cpuAtStart) {
  const cpuMsPerMB = cpuPerMB(cpuAtStart, run.bytes);
  const wire = await a.evaluate(wireStats);
  return {
    bytes: run.bytes,
    ms: run.lastAt - startedAt,
    ttfbMs: run.firstAt - startedAt,
    cpuMsPerMB,
    wirePerByte: wire.bytesSent / run.bytes,
    droppedPackets: wire.dropped,
  };
}

/** Connects the pair's ends with one raw data channel (a initiates). */
async function connectRaw({ a, b }) {
  await Promise.all([
    a.evaluate(() => window.ferryWebrtc.connectRaw(true)),
    b.evaluate(() => window.ferryWebrtc.connectRaw(false)),
  ]);
}

/**
 * One raw data channel (256 KiB messages, paused above 64 KiB buffered) from
 * end a to end b: `total` bytes. Returns bytes, ms, ttfbMs, cpuMsPerMB,
 * wirePerByte and droppedPackets.
 */
export async function rawRun(pair, total, messageSize) {
  const { a, b } = pair;
  await connectRaw(pair);
  const cpuAtStart = chromiumCpuSeconds();
  await b.evaluate(([t]) => window.ferryWebrtc.listen(t, 'raw'), [total]);
  const received = b.evaluate(() => window.ferryWebrtc.received());
  const startedAt = await a.evaluate(
    ([t, z]) => window.ferryWebrtc.send(t, 'raw', z),
    [total, messageSize],
  );
  return figures(a, await received, startedAt, cpuAtStart);
}

/**
 * The ceiling (bench/ceiling.ts) from end a to end b over one raw channel:
 * the files at `paths` read, sent, hashed and stored, no protocol. Returns
 * bytes, ms, ttfbMs and cpuMsPerMB, like `rawRun`.
 */
export async function ceilingRun(pair, paths) {
  const { a } = pair;
  await connectRaw(pair);
  await a.locator('#pick').setInputFiles(paths);
  const sizes = await a.evaluate(() => window.ferryWebrtc.pickedSizes());
  const cpuAtStart = chromiumCpuSeconds();
  const { startedAt, received } = await runCeiling(pair, sizes);
  return figures(a, received, startedAt, cpuAtStart);
}

/** Longest a ceiling run may take (10 min) before it is reported stuck. */
const CEILING_DEADLINE_MS = 10 * 60_000;

/**
 * Runs the ceiling from a to b over their connected raw channel: resolves
 * with the epoch ms it started and the receiver's figures, or throws, after
 * CEILING_DEADLINE_MS, with how far each end got (a run at 10:17 on
 * 2026-11-27 waited for ever with 999 of 1,000 blocks in: the receiver was
 * not yet listening when the first message came; one at 02:16, which could
 * not say how far it got, most likely the same).
 */
export async function runCeiling({ a, b }, sizes) {
  const run = (async () => {
    // The receiver listens before the sender starts (a message with no handler is lost).
    await b.evaluate((z) => window.ferryWebrtc.ceilingListen(z), sizes);
    const received = b.evaluate(() => window.ferryWebrtc.received());
    const startedAt = await a.evaluate(() => window.ferryWebrtc.ceilingSend());
    return { startedAt, received: await received };
  })();
  let timer;
  const stuck = new Promise((_, reject) => {
    timer = setTimeout(async () => {
      const [sent, got] = await Promise.all(
        [a, b].map((p) => p.evaluate(() => window.ferryWebrtc.ceilingProgress())),
      );
      reject(
        new Error(
          `The ceiling did not finish in ${CEILING_DEADLINE_MS / 60_000} min: sender ${JSON.stringify(sent)}, receiver ${JSON.stringify(got)}`,
        ),
      );
    }, CEILING_DEADLINE_MS);
  });
  try {
    return await Promise.race([run, stuck]);
  } finally {
    clearTimeout(timer);
  }
}
