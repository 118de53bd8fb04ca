// SPDX-License-Identifier: MIT
// Runs every benchmark case in real Chromium, rounds interleaved so that the
// machine's noise hits all cases alike; reports medians and ratios to each
// case's baseline from the same run. Started by scripts/bench.mjs.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { BASELINES, CEILINGS, WEBRTC_CASES } from './case-tables.mjs';
import { chromiumCpuByKind, chromiumCpuSeconds, printCpuDetail } from './cpu-time.mjs';
import { runSendWhileHashing } from './hash-cases.mjs';
import { buildLinkEmu } from './link/link.mjs';
import { LINK_CASES, runLinkCases } from './link-cases.mjs';
import { printCases, round2, summarize } from './report.mjs';
import { runPickToDisk, runSave, SAVE_CASES } from './save-cases.mjs';
import {
  CHECK_CASES,
  makeInputs,
  runCheck,
  runTransfer,
  startApp,
  TRANSFER_CASES,
} from './transfer-cases.mjs';
import { cpuPerMB, openPair, runCeiling } from './webrtc-pair.mjs';
import { saveWireTimeline, startWireTimeline, stopWireTimeline, wireStats } from './wire-stats.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const only = process.argv.slice(2);

const root = new URL('..', import.meta.url).pathname;
// No file watching and no HMR: editing the tree during a run must not reload the bench page.
const vite = await createServer({
  root,
  logLevel: 'warn',
  // Inside the private namespace the far end of a link case loads pages through the link.
  server: {
    host: process.env.FERRY_PRIVATE_NETWORK === '1' ? '0.0.0.0' : '127.0.0.1',
    port: 0,
    hmr: false,
    watch: { ignored: ['**/*'] },
  },
});
await vite.listen();
const viteUrl = `http://127.0.0.1:${vite.httpServer.address().port}/`;
const pageUrl = `${viteUrl}bench/webrtc.html`;
const profile = mkdtempSync(join(tmpdir(), 'ferry-bench-profile-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath(),
  args: chromiumArgs(),
});
const page = await context.newPage();
page.on('pageerror', (err) => console.error('page error:', err));
// What went wrong when the bench page does not come up (seen right after another run): its
// console errors and failed module requests, said before the page is loaded once more.
const startupProblems = [];
const noteProblem = (text) => startupProblems.length < 20 && startupProblems.push(text);
page.on('console', (m) => m.type() === 'error' && noteProblem(`console: ${m.text()}`));
page.on('requestfailed', (r) => noteProblem(`failed: ${r.url()} ${r.failure()?.errorText}`));
page.on('response', (r) => r.status() >= 400 && noteProblem(`HTTP ${r.status()}: ${r.url()}`));
await page.goto(`${viteUrl}bench/index.html`);
try {
  await page.waitForFunction(() => 'ferryBench' in window, null, { timeout: 30_000 });
} catch {
  console.error(
    `The bench page did not start in 30 s; loading it again. It said:\n${startupProblems.join('\n')}`,
  );
  await page.reload();
  await page.waitForFunction(() => 'ferryBench' in window, null, { timeout: 60_000 });
}
const names = (await page.evaluate(() => window.ferryBench.names())).filter(
  (n) => only.length === 0 || only.includes(n),
);
const { cores } =
  names.length > 0
    ? await page.evaluate(() => window.ferryBench.setup())
    : { cores: await page.evaluate(() => navigator.hardwareConcurrency) };

const samples = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round <= ROUNDS; round++) {
  for (const name of names) {
    const { bytes, ms } = await page.evaluate((n) => window.ferryBench.run(n), name);
    // Round 0 warms up (JIT, WASM compile, disk cache) and is not counted.
    if (round > 0) samples[name].push(bytes / ms / 1000);
  }
  if (round > 0 && names.length > 0) console.log(`round ${round}/${ROUNDS} done`);
}
await context.close();

// WebRTC: two contexts (two renderers, as two devices), signaling relayed through Node.
/** The engine cases' window per stream: the app's 8 MiB unless BENCH_WINDOW_MIB says otherwise. */
const ENGINE_WINDOW_BYTES = Number(process.env.BENCH_WINDOW_MIB || 8) * 1024 * 1024;
const WEBRTC_BYTES = Number(process.env.BENCH_WEBRTC_MIB || 256) * 1024 * 1024;
const webrtcNames = Object.keys(WEBRTC_CASES).filter((n) => only.length === 0 || only.includes(n));
const transferNames = [...Object.keys(TRANSFER_CASES), ...Object.keys(CHECK_CASES)].filter(
  (n) => only.length === 0 || only.includes(n),
);
// `link` names every link case.
// Link and save cases take minutes each: they run only when named, or by group (`link`, `save`).
const linkNames = Object.keys(LINK_CASES).filter((n) => only.includes(n) || only.includes('link'));
const saveNames = Object.keys(SAVE_CASES).filter((n) => only.includes(n) || only.includes('save'));
// A gigabyte sent while hashing, beside the transfer alone: by name only.
const hashNames = ['e2e-hash-1g'].filter((n) => only.includes(n));
const e2eNames = ['e2e-big'].filter((n) => only.length === 0 || only.includes(n));
// Transfer ratios are taken against the raw channel of the same run.
if (transferNames.length + e2eNames.length > 0 && !webrtcNames.includes('raw-channel'))
  webrtcNames.unshift('raw-channel');
const extra = {};
/** Ceiling cases run again after each round's transfer cases: MB/s per round. */
const ceilingsAfter = {};
// Files on disk, made once, for the ceiling and transfer cases.
const inputs =
  transferNames.length + linkNames.length + e2eNames.length + saveNames.length + hashNames.length >
    0 || webrtcNames.some((n) => WEBRTC_CASES[n][0] === 'ceiling')
    ? makeInputs(Number(process.env.BENCH_BIG_MIB || 512))
    : null;
/** Paths of the files a case picks: the big file, or a folder's files in name order. */
function pickPaths(pick) {
  if (pick === 'big') return [join(inputs.root, 'big.bin')];
  const dir = join(inputs.root, pick);
  return readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
}
let links = null;
const usesWebrtc = webrtcNames.length + linkNames.length + saveNames.length + hashNames.length > 0;
if (usesWebrtc && process.env.FERRY_PRIVATE_NETWORK !== '1') {
  console.warn(
    'Skipping WebRTC cases: they run only inside the private network namespace (npm run bench makes it when allowed).',
  );
} else if (usesWebrtc) {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      ...chromiumArgs(),
      '--enable-precise-memory-info',
      ...(process.env.BENCH_CHROMIUM_LOG
        ? ['--enable-logging=stderr', process.env.BENCH_CHROMIUM_LOG]
        : []),
    ],
  });
  /**
   * One round of one WebRTC case (round 0 warms up and is not counted).
   * `after`: a ceiling run again after the round's transfer cases, whose MB/s
   * goes to `ceilingsAfter` only.
   */
  const runWebrtcCase = async (name, round, after = false) => {
    const [kind, count, size] = WEBRTC_CASES[name];
    const { a, b, close } = await openPair(browser, browser, pageUrl, pageUrl);
    const connect = (p, initiator) =>
      kind === 'raw' || kind === 'ceiling'
        ? p.evaluate((i) => window.ferryWebrtc.connectRaw(i), initiator)
        : p.evaluate(([i, c]) => window.ferryWebrtc.connectFerry(i, c), [initiator, count]);
    await Promise.all([connect(a, true), connect(b, false)]);
    const timeline = process.env.BENCH_WIRE_TIMELINE && (kind === 'raw' || kind === 'ceiling');
    if (timeline) await Promise.all([a, b].map((p) => p.evaluate(startWireTimeline)));
    let cpuAtStart;
    let cpuByKindAtStart;
    let run; // { startedAt, firstAt, lastAt, bytes }, epoch ms
    if (kind === 'ceiling') {
      await a.locator('#pick').setInputFiles(pickPaths(size.pick));
      const sizes = await a.evaluate(() => window.ferryWebrtc.pickedSizes());
      // BENCH_PROFILE: a trace of every thread, to set beside the transfer cases' (per-thread CPU).
      const tracePath =
        process.env.BENCH_PROFILE &&
        round > 0 &&
        join(process.env.BENCH_PROFILE, `${name}-${round}${after ? '-after' : ''}.trace.json`);
      if (tracePath) await browser.startTracing(b, { path: tracePath, screenshots: false });
      cpuAtStart = chromiumCpuSeconds();
      cpuByKindAtStart = chromiumCpuByKind();
      const { startedAt, received } = await runCeiling({ a, b }, sizes);
      run = { startedAt, ...received };
      if (tracePath) await browser.stopTracing();
    } else if (kind === 'engine') {
      const fileSize = size.size ?? WEBRTC_BYTES;
      await a.evaluate(([f, z]) => window.ferryWebrtc.serveEngine(f, z), [size.files, fileSize]);
      cpuAtStart = chromiumCpuSeconds();
      cpuByKindAtStart = chromiumCpuByKind();
      run = await b.evaluate(
        ([f, z, w]) => window.ferryWebrtc.receiveEngine(f, z, w),
        [size.files, fileSize, ENGINE_WINDOW_BYTES],
      );
    } else {
      cpuAtStart = chromiumCpuSeconds();
      cpuByKindAtStart = chromiumCpuByKind();
      await b.evaluate(([t, k]) => window.ferryWebrtc.listen(t, k), [WEBRTC_BYTES, kind]);
      const received = b.evaluate(() => window.ferryWebrtc.received());
      const startedAt = await a.evaluate(
        ([t, k, z]) => window.ferryWebrtc.send(t, k, z),
        [WEBRTC_BYTES, kind, size],
      );
      run = { startedAt, ...(await received) };
    }
    printCpuDetail(name, cpuByKindAtStart, run.bytes);
    if (timeline)
      saveWireTimeline(
        name,
        run.bytes,
        ...(await Promise.all([a, b].map((p) => p.evaluate(stopWireTimeline)))),
      );
    // The raw channel's bytes on the wire, as the transfer cases' `wirePerByte`.
    const wire = kind === 'raw' || kind === 'ceiling' ? await a.evaluate(wireStats) : null;
    if (process.env.BENCH_CPU_DETAIL && wire)
      console.error(
        `wire ${(wire.bytesSent / run.bytes).toFixed(3)}× the bytes, ${wire.dropped} dropped`,
      );
    if (round > 0 && after) {
      ceilingsAfter[name].push(run.bytes / (run.lastAt - run.startedAt) / 1000);
    } else if (round > 0) {
      samples[name].push(run.bytes / (run.lastAt - run.startedAt) / 1000);
      extra[name] ??= {
        ttfbMs: [],
        cpuMsPerMB: [],
        ...(wire ? { wirePerByte: [], droppedPackets: [] } : {}),
      };
      extra[name].ttfbMs.push(run.firstAt - run.startedAt);
      extra[name].cpuMsPerMB.push(cpuPerMB(cpuAtStart, run.bytes));
      extra[name].wirePerByte?.push(wire.bytesSent / run.bytes);
      extra[name].droppedPackets?.push(wire.dropped);
    }
    await close();
  };
  /** One round of one app transfer or check case (round 0 warms up and is not counted). */
  const runAppCase = async (app, name, round) => {
    const r = CHECK_CASES[name]
      ? await runCheck(browser, app.url, inputs, CHECK_CASES[name])
      : await runTransfer(browser, app.url, inputs, TRANSFER_CASES[name]);
    if (round === 0) return;
    samples[name].push(r.bytes / r.ms / 1000);
    // Every figure the case gave besides bytes and time: a list per figure, one entry per round.
    const figures = Object.keys(r).filter((key) => key !== 'bytes' && key !== 'ms');
    extra[name] ??= Object.fromEntries(figures.map((key) => [key, []]));
    for (const key of Object.keys(extra[name])) extra[name][key].push(r[key]);
  };
  for (const name of webrtcNames) samples[name] = [];
  for (const name of transferNames) samples[name] = [];
  const app = transferNames.length > 0 ? await startApp(root) : null;
  // Every round runs each ceiling and its transfer case within minutes of each other: this
  // host's speed drifts by 2x over an hour, and ratios to a ceiling taken a quarter of an
  // hour earlier measured the drift as much as the code. Per-round ratios: `ofCeiling`.
  // And each ceiling that a transfer case of the run is held to runs again after them: the
  // transfer case is then held to the mean of the ceiling before and after it, so a host that
  // speeds up or slows down steadily through the round weighs on both sides alike.
  const ceilingsAgain = webrtcNames.filter((n) => transferNames.some((t) => CEILINGS[t] === n));
  for (const name of ceilingsAgain) ceilingsAfter[name] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    for (const name of webrtcNames) await runWebrtcCase(name, round);
    for (const name of transferNames) await runAppCase(app, name, round);
    if (round > 0) for (const name of ceilingsAgain) await runWebrtcCase(name, round, true);
    if (round > 0) console.log(`round ${round}/${ROUNDS} done (webrtc and transfer cases)`);
  }
  app?.stop();
  names.push(...webrtcNames, ...transferNames);
  if (e2eNames.length + saveNames.length + hashNames.length > 0) {
    const app = await startApp(root);
    for (const name of e2eNames) samples[name] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      for (const name of e2eNames) {
        const r = await runPickToDisk(browser, app.url, inputs.root);
        if (round === 0) continue;
        samples[name].push(r.bytes / r.ms / 1000);
        extra[name] ??= {};
        for (const key of ['checkMs', 'transferMs', 'saveMs']) {
          extra[name][key] ??= [];
          extra[name][key].push(r[key]);
        }
      }
    }
    // Gigabytes each: one round, no warm-up.
    for (const name of saveNames) {
      const r = await runSave(browser, app.url, inputs.root, SAVE_CASES[name]);
      samples[name] = [r.bytes / r.ms / 1000];
      extra[name] = { save: [r] };
      console.log(`${name}: ${JSON.stringify(r)}`);
    }
    for (const name of hashNames) {
      const r = await runSendWhileHashing(browser, app.url, inputs.root, Math.max(1, ROUNDS));
      samples[name] = [r.bytes / r.ms / 1000];
      extra[name] = { save: [r] };
      console.log(`${name}: ${JSON.stringify(r)}`);
    }
    app.stop();
    names.push(...e2eNames, ...saveNames, ...hashNames);
  }
  if (linkNames.length > 0) {
    // Every address of the namespace: the far end reaches the app through the link.
    const app = await startApp(root, { HOST: '0.0.0.0' });
    const run = await runLinkCases(linkNames, {
      near: browser,
      viteUrl,
      app,
      inputs,
      rounds: ROUNDS,
      linkemu: buildLinkEmu(),
      chromium: chromiumPath(),
    });
    app.stop();
    Object.assign(samples, run.samples);
    Object.assign(extra, run.extra);
    links = run.links;
    names.push(...linkNames);
  }
  await browser.close();
}
inputs?.cleanup();
await vite.close();
rmSync(profile, { recursive: true, force: true });

const cases = summarize({
  names,
  samples,
  extra,
  baselines: BASELINES,
  ceilings: CEILINGS,
  ceilingsAfter,
});
const result = {
  date: new Date().toISOString(),
  machine: { cores, chromium: context.browser()?.version() ?? null },
  unit: 'MB/s (10^6 bytes per second), median of rounds',
  rounds: ROUNDS,
  // Each link profile as measured with plain sockets before its cases, and linkemu's counters after.
  ...(links ? { links } : {}),
  cases: cases.map((c) => ({
    ...c,
    mbps: round2(c.mbps),
    ratio: round2(c.ratio),
    samples: c.samples.map(round2),
  })),
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'latest.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
printCases(result.cases);
console.log('\nwritten to bench/results/latest.json');
