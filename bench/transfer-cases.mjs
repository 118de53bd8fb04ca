// SPDX-License-Identifier: MIT
// Transfer benchmarks through the real app: a sender context picks files on
// disk, a fresh receiver context opens the link and clicks Receive. Measured
// in the receiver page: from the click to "All … received and verified",
// the first verified byte, and the peak JS heap.
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'vite';
import { startServerProcess } from '../scripts/server-process.mjs';
import { chromiumCpuByKind, chromiumCpuSeconds, printCpuDetail } from './cpu-time.mjs';
import { pageLongTasks, readTraceEvents } from './trace-tasks.mjs';
import {
  keepPeerConnections,
  saveWireTimeline,
  startWireTimeline,
  stopWireTimeline,
  wireStats,
} from './wire-stats.mjs';

const MiB = 1024 * 1024;

/**
 * Fills a file with pseudo-random bytes, 1 MiB at a time, written as they are
 * made (deterministic, incompressible enough; any size, past a Buffer's 4 GiB).
 */
function writeRandom(path, size, seed) {
  const chunk = Buffer.alloc(MiB);
  let x = seed >>> 0 || 1;
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < size; done += MiB) {
      const length = Math.min(MiB, size - done);
      // Only as many words as this piece needs: thousands of tiny files stay quick to make.
      for (let i = 0; i < length; i += 4) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        chunk.writeUInt32LE(x >>> 0, i);
      }
      writeSync(fd, chunk, 0, length);
    }
  } finally {
    closeSync(fd);
  }
}

/** Makes the input sets on disk: what each case picks. */
export function makeInputs(bigMiB) {
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-files-'));
  writeRandom(join(root, 'big.bin'), bigMiB * MiB, 1);
  const small = join(root, 'small');
  mkdirSync(small);
  for (let i = 0; i < 1000; i++)
    writeRandom(join(small, `f${String(i).padStart(4, '0')}.bin`), 64 * 1024, i + 2);
  const many = join(root, 'many');
  mkdirSync(many);
  for (let i = 0; i < 5000; i++)
    writeRandom(join(many, `n${String(i).padStart(4, '0')}.txt`), 500 + (i % 25), 9000 + i);
  const mixed = join(root, 'mixed');
  mkdirSync(join(mixed, 'docs'), { recursive: true });
  writeRandom(join(mixed, 'video.mp4'), 96 * MiB, 5000);
  for (let i = 0; i < 20; i++)
    writeRandom(join(mixed, `photo-${i}.jpg`), (1 + (i % 4)) * MiB + 1234 * i, 6000 + i);
  for (let i = 0; i < 200; i++)
    writeRandom(join(mixed, 'docs', `note-${i}.txt`), 1000 + 97 * i, 7000 + i);
  const sizeOf = (dir) =>
    readdirSync(dir, { recursive: true })
      .map((f) => statSync(join(dir, f)))
      .filter((st) => st.isFile())
      .reduce((sum, st) => sum + st.size, 0);
  const bytes = {
    big: bigMiB * MiB,
    small: sizeOf(small),
    many: sizeOf(many),
    mixed: sizeOf(mixed),
  };
  return { root, bytes, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The cases: what the sender picks, and how many streams the receiver opens. */
export const TRANSFER_CASES = {
  'transfer-big-6': { pick: 'big', streams: 6 },
  'transfer-big-1': { pick: 'big', streams: 1 },
  'transfer-small-6': { pick: 'small', streams: 6 },
  'transfer-small-1': { pick: 'small', streams: 1 },
  'transfer-mixed-6': { pick: 'mixed', streams: 6 },
};

/**
 * Sender-only cases: from picking the files to the final link (every file
 * checked, the collection hashed). What a person waits for before they can
 * share; reported as MB/s checked and CPU per MB.
 */
export const CHECK_CASES = {
  'send-check-small': { pick: 'small' },
  'send-check-many': { pick: 'many' },
};

/**
 * Runs one check case once; returns bytes, ms, the CPU all of Chromium spent
 * per MB checked, and the sending page's main-thread tasks over 50 ms (count,
 * longest): how long the page stops answering while it takes the files in.
 */
export async function runCheck(browser, appUrl, inputs, spec) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(appUrl);
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  const cpuAtStart = chromiumCpuSeconds();
  const startedAt = Date.now();
  await page.getByLabel('Add folder').setInputFiles(join(inputs.root, spec.pick));
  await page.locator('.share-panel .code').waitFor({ timeout: 300_000 });
  const ms = Date.now() - startedAt;
  const cpuAtEnd = chromiumCpuSeconds();
  const longTasks = await page.evaluate(() => window.__longTasks);
  await context.close();
  const bytes = inputs.bytes[spec.pick];
  return {
    bytes,
    ms,
    cpuMsPerMB: cpuAtStart === null ? null : ((cpuAtEnd - cpuAtStart) * 1e9) / bytes,
    longTasks: longTasks.length,
    longestTaskMs: Math.max(0, ...longTasks),
  };
}

/** Makes `big-<mib>.bin` in the inputs folder (once) and returns its path. */
export function makeBigFile(root, mib) {
  const path = join(root, `big-${mib}.bin`);
  if (!existsSync(path)) writeRandom(path, mib * MiB, mib);
  return path;
}

/** Builds the app and starts the real server on a free loopback port (or as `env` says). */
export async function startApp(root, env = {}) {
  const dist = mkdtempSync(join(tmpdir(), 'ferry-bench-dist-'));
  // The bench's Vite dev server set NODE_ENV=development in this process; a build
  // under it is a development bundle (Solid's dev build, import.meta.env.DEV, no
  // service worker). Build what `npm run build` ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root,
      logLevel: 'warn',
      mode: 'production',
      // The bench reads the progress counters (window.ferryStats), which only test builds have.
      define: { __FERRY_TEST_HOOKS__: 'true' },
      // Profiles need readable function names.
      build: { outDir: dist, emptyOutDir: true, minify: !process.env.BENCH_PROFILE },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const { url, process: server } = await startServerProcess({ STATIC_DIR: dist, ...env }, root);
  return {
    url,
    stop: () => {
      server.kill('SIGTERM');
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

/** Traces taken so far: each round's gets its own file. */
let traceCount = 0;

/**
 * Starts the V8 CPU profiler in a page (BENCH_PROFILE=dir BENCH_PROFILE_JS=1); the returned
 * function stops it and writes a .cpuprofile that Chrome DevTools opens.
 */
async function startProfiler(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  // BENCH_PROFILE_INTERVAL_US: a longer interval (2000) costs the page less, for figures nearer a run without it.
  const interval = Number(process.env.BENCH_PROFILE_INTERVAL_US) || 200;
  await cdp.send('Profiler.setSamplingInterval', { interval });
  await cdp.send('Profiler.start');
  return async (path) => {
    const { profile } = await cdp.send('Profiler.stop');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(profile));
  };
}

/**
 * Runs one transfer case once; returns bytes, ms, ttfbMs, heapPeakMB, the
 * CPU all of Chromium spent per MB moved (cpuMsPerMB, both ends together), and
 * smoothness: progress store writes per animation frame, and each page's
 * main-thread tasks over 50 ms (count, longest; `sender…` for the sender's). `spec.file` picks
 * that file instead of big.bin. With `far`, the receiver runs in `far.browser`
 * and opens the link as `far.rewrite(link)` (another network, see link-cases).
 */
export async function runTransfer(browser, appUrl, inputs, spec, far = null) {
  const senderContext = await browser.newContext();
  // The sender's peer connections are kept, to count the bytes it put on the wire (`wirePerByte`).
  await senderContext.addInitScript(keepPeerConnections);
  const sender = await senderContext.newPage();
  await sender.goto(appUrl);
  const target = spec.file ?? join(inputs.root, spec.pick === 'big' ? 'big.bin' : spec.pick);
  const bytes = spec.file ? statSync(spec.file).size : inputs.bytes[spec.pick];
  if (spec.pick === 'big') await sender.getByLabel('Add files').setInputFiles(target);
  else await sender.getByLabel('Add folder').setInputFiles(target);
  const linkEl = sender.getByRole('link', { name: 'Receive link' });
  // Wait for the final link (files checked): time to first byte must not include hashing.
  await sender.locator('.share-panel .code').waitFor({ timeout: 300_000 });
  const link = await linkEl.getAttribute('href');

  const receiverContext = await (far?.browser ?? browser).newContext();
  if (process.env.BENCH_WIRE_TIMELINE) await receiverContext.addInitScript(keepPeerConnections);
  await receiverContext.addInitScript(
    (n) => localStorage.setItem('ferry:streams', String(n)),
    spec.streams,
  );
  const receiver = await receiverContext.newPage();
  await receiver.goto(far ? far.rewrite(link) : link);
  await receiver.getByRole('button', { name: 'Receive' }).waitFor({ timeout: 60_000 });
  // The V8 sampling profiler costs the pages' JavaScript much CPU (the ceiling cases run
  // without it), so per-thread CPU from the trace is only fair without it: opt in.
  const profilers =
    process.env.BENCH_PROFILE && process.env.BENCH_PROFILE_JS
      ? await Promise.all([sender, receiver].map(startProfiler))
      : [];
  const tracePath =
    process.env.BENCH_PROFILE &&
    join(
      process.env.BENCH_PROFILE,
      `${spec.pick}-${spec.streams}-receiver-${++traceCount}.trace.json`,
    );
  // BENCH_TASK_CPU: a light trace (top-level tasks only) for the CPU each task of the pages used.
  const tracing = (tracePath || process.env.BENCH_TASK_CPU) && !far;
  const tracedTo = tracePath || join(tmpdir(), `ferry-bench-tasks-${process.pid}.trace.json`);
  if (tracing)
    await browser.startTracing(receiver, {
      path: tracedTo,
      screenshots: false,
      ...(tracePath ? {} : { categories: ['-*', 'toplevel'] }),
    });
  // The sending page's long tasks too: the rule is no task over 50 ms on either page.
  await sender.evaluate(() => {
    window.__longTasks = [];
    window.__longTaskObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    });
    window.__longTaskObserver.observe({ type: 'longtask' });
  });
  if (process.env.BENCH_WIRE_TIMELINE)
    await Promise.all([sender, receiver].map((p) => p.evaluate(startWireTimeline)));
  const cpuAtStart = chromiumCpuSeconds();
  const cpuByKindAtStart = chromiumCpuByKind();
  const result = await receiver.evaluate(
    () =>
      new Promise((resolve) => {
        const heap = () => performance.memory?.usedJSHeapSize ?? 0;
        let peak = heap();
        let first = 0;
        // Watched by observers, not polled, and no frame loop of its own: the ceiling
        // cases it is compared with run no observer, so this one must cost next to nothing.
        const writesAtStart = window.ferryStats?.writes ?? 0;
        const extraAtStart = window.ferryStats?.extraInFrame ?? 0;
        const longTasks = [];
        const observer = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) longTasks.push(e.duration);
        });
        observer.observe({ type: 'longtask' });
        const sampler = setInterval(() => {
          peak = Math.max(peak, heap());
        }, 250);
        const watch = new MutationObserver(() => {
          peak = Math.max(peak, heap());
          const bar = document.querySelector('[aria-label="Received in total"]');
          if (!first && bar && Number(bar.getAttribute('aria-valuenow')) > 0)
            first = performance.now();
          const status = document.querySelector('.transfer-status')?.textContent ?? '';
          // A pause (storage refused a batch) waits for a person: end the case with its sentence.
          if (/received and verified|failed|Stopped|Paused/.test(status)) {
            const end = performance.now();
            clearInterval(sampler);
            watch.disconnect();
            observer.disconnect();
            resolve({
              end,
              first,
              peak,
              status,
              // Frames the run had room for (60 a second): the rule is at most one write in each.
              frames: ((end - window.__benchStart) * 60) / 1000,
              writes: (window.ferryStats?.writes ?? 0) - writesAtStart,
              extraInFrame: (window.ferryStats?.extraInFrame ?? 0) - extraAtStart,
              longTasks: longTasks.length,
              longestTaskMs: Math.max(0, ...longTasks),
            });
          }
        });
        watch.observe(document.body, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
          attributeFilter: ['aria-valuenow'],
        });
        window.__benchStart = performance.now();
        document.querySelector('.receive-button').click();
      }),
  );
  const cpuAtEnd = chromiumCpuSeconds();
  printCpuDetail(`transfer-${spec.pick}-${spec.streams}`, cpuByKindAtStart, bytes);
  const wire = await sender.evaluate(wireStats);
  if (process.env.BENCH_CPU_DETAIL)
    console.error(
      `wire ${(wire.bytesSent / bytes).toFixed(3)}× the bytes, ${wire.dropped} dropped`,
    );
  if (process.env.BENCH_WIRE_TIMELINE)
    saveWireTimeline(
      `transfer-${spec.pick}-${spec.streams}`,
      bytes,
      ...(await Promise.all([sender, receiver].map((p) => p.evaluate(stopWireTimeline)))),
    );
  const start = await receiver.evaluate(() => window.__benchStart);
  const senderLongTasks = await sender.evaluate(() => {
    window.__longTaskObserver.disconnect();
    return window.__longTasks;
  });
  let pages = null;
  if (tracing) {
    await browser.stopTracing();
    pages = pageLongTasks(await readTraceEvents(tracedTo));
    if (!tracePath) rmSync(tracedTo, { force: true });
  }
  for (const [i, stop] of profilers.entries())
    await stop(
      join(
        process.env.BENCH_PROFILE,
        `${spec.pick}-${spec.streams}-${i ? 'receiver' : 'sender'}.cpuprofile`,
      ),
    );
  if (!/received and verified/.test(result.status) || /failed/.test(result.status))
    throw new Error(`transfer did not finish: ${result.status}`);
  await senderContext.close();
  await receiverContext.close();
  return {
    bytes: bytes,
    ms: result.end - start,
    ttfbMs: (result.first || result.end) - start,
    cpuMsPerMB: cpuAtStart === null ? null : ((cpuAtEnd - cpuAtStart) * 1e9) / bytes,
    heapPeakMB: result.peak / 1e6,
    writesPerFrame: result.writes / Math.max(1, result.frames),
    extraWritesInFrame: result.extraInFrame,
    longTasks: result.longTasks,
    longestTaskMs: result.longestTaskMs,
    // Bytes the sender put on the wire per byte of files: 1.04 is DTLS and SCTP framing; more
    // is SCTP sending again: packets the sender's browser dropped (`droppedPackets`) or a link lost.
    wirePerByte: wire.bytesSent / bytes,
    droppedPackets: wire.dropped,
    senderLongTasks: senderLongTasks.length,
    senderLongestTaskMs: Math.max(0, ...senderLongTasks),
    // From the trace (BENCH_TASK_CPU, BENCH_PROFILE): both pages' tasks over 50 ms of CPU, not
    // wall time, and the most CPU one task used (the tracing's own start-up interrupt left out).
    ...(pages && {
      cpuLongTasks: pages.reduce((n, p) => n + p.overCpu.length, 0),
      longestTaskCpuMs: Math.max(0, ...pages.map((p) => p.longestCpuMs)),
    }),
  };
}
