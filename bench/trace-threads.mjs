// SPDX-License-Identifier: MIT
// CPU per thread from a Chromium trace (`BENCH_PROFILE=dir npm run bench -- …`
// writes them): `node bench/trace-threads.mjs dir/ceiling-small.trace.json`.
// Sums each thread's top-level tasks' thread time (`tdur`), not wall time: on
// this 2-core host a task's wall time is mostly waiting for a core when both
// are busy, so only thread time says where the CPU went. Prints the threads
// by CPU, then the top-level task names by CPU, then each page's main-thread
// tasks over 50 ms (what the longtask API counts) with the CPU they used:
// one that used a few ms waited for a core, it did not work for 50 ms.
import { readFileSync } from 'node:fs';

const t = JSON.parse(readFileSync(process.argv[2]));
const ev = t.traceEvents ?? t;
const names = new Map(),
  pnames = new Map();
for (const e of ev) {
  if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  if (e.ph === 'M' && e.name === 'process_name') pnames.set(e.pid, e.args.name);
}
// top-level X events per thread: sum tdur (CPU) where nested excluded by stack
const perThread = new Map();
const perName = new Map();
const byThread = new Map();
for (const e of ev)
  if (e.ph === 'X' && e.dur !== undefined) {
    const k = `${e.pid}:${e.tid}`;
    if (!byThread.has(k)) byThread.set(k, []);
    byThread.get(k).push(e);
  }
for (const [k, list] of byThread) {
  list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  let end = -1;
  let sum = 0,
    cpu = 0;
  for (const e of list) {
    if (e.ts >= end) {
      end = e.ts + e.dur;
      sum += e.dur;
      cpu += e.tdur ?? 0;
      const nk = `${names.get(k) ?? k} :: ${e.name}`;
      perName.set(nk, (perName.get(nk) ?? 0) + (e.tdur ?? e.dur));
    }
  }
  perThread.set(k, { sum, cpu });
}
const rows = [...perThread]
  .map(([k, v]) => [
    `${pnames.get(Number(k.split(':')[0])) ?? k.split(':')[0]} / ${names.get(k) ?? k}`,
    v,
  ])
  .sort((a, b) => b[1].cpu - a[1].cpu)
  .slice(0, 25);
for (const [n, v] of rows)
  console.log(
    `${(v.cpu / 1000).toFixed(0).padStart(7)} cpu ms ${(v.sum / 1000).toFixed(0).padStart(7)} wall ms  ${n}`,
  );
console.log('--');
for (const [n, v] of [...perName].sort((a, b) => b[1] - a[1]).slice(0, 30))
  console.log(`${(v / 1000).toFixed(0).padStart(7)} ms  ${n}`);
console.log('--');
for (const [k, list] of byThread) {
  if (names.get(k) !== 'CrRendererMain') continue;
  let end = -1;
  let long = [];
  for (const e of list) {
    if (e.ts < end) continue;
    end = e.ts + e.dur;
    if (e.dur > 50_000) long.push(e);
  }
  // Starting a trace interrupts V8 in every page (InvokeApiInterruptCallbacks): not the page's work.
  const traced = (task) =>
    list.some(
      (e) =>
        e.name === 'V8.InvokeApiInterruptCallbacks' &&
        e.ts >= task.ts &&
        e.ts < task.ts + task.dur &&
        (e.tdur ?? 0) > 20_000,
    );
  const byTracing = long.filter(traced).length;
  long = long.filter((task) => !traced(task));
  if (byTracing > 0)
    console.log(`main thread ${k}: ${byTracing} long task(s) of the tracing itself left out`);
  if (long.length === 0) continue;
  const cpu = long.map((e) => (e.tdur ?? 0) / 1000);
  console.log(
    `main thread ${k}: ${long.length} tasks over 50 ms wall, longest ${(Math.max(...long.map((e) => e.dur)) / 1000).toFixed(0)} ms; their CPU: max ${Math.max(...cpu).toFixed(0)} ms, median ${[...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)].toFixed(0)} ms`,
  );
}
