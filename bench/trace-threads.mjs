// SPDX-License-Identifier: MIT
// CPU per thread from a Chromium trace (`BENCH_PROFILE=dir npm run bench -- …`
// writes them): `node bench/trace-threads.mjs dir/ceiling-small.trace.json`.
// Sums each thread's top-level tasks' thread time (`tdur`), not wall time: on
// this 2-core host a task's wall time is mostly waiting for a core when both
// are busy, so only thread time says where the CPU went. Prints the threads
// by CPU, then the top-level task names by CPU, then each page's main-thread
// tasks over 50 ms (what the longtask API counts) with the CPU they used:
// one that used a few ms waited for a core, it did not work for 50 ms.
import { pageLongTasks, readTraceEvents, topLevelTasks } from './trace-tasks.mjs';

const trace = await readTraceEvents(process.argv[2]);
const { threadNames, processNames, tasks } = topLevelTasks(trace);
const perThread = new Map();
const perName = new Map();
for (const [key, { top }] of tasks) {
  let wall = 0;
  let cpu = 0;
  for (const e of top) {
    wall += e.dur;
    cpu += e.tdur ?? 0;
    const name = `${threadNames.get(key) ?? key} :: ${e.name}`;
    perName.set(name, (perName.get(name) ?? 0) + (e.tdur ?? e.dur));
  }
  perThread.set(key, { wall, cpu });
}
const pid = (key) => Number(key.split(':')[0]);
const rows = [...perThread]
  .map(([key, v]) => [
    `${processNames.get(pid(key)) ?? pid(key)} / ${threadNames.get(key) ?? key}`,
    v,
  ])
  .sort((a, b) => b[1].cpu - a[1].cpu)
  .slice(0, 25);
for (const [name, v] of rows)
  console.log(
    `${(v.cpu / 1000).toFixed(0).padStart(7)} cpu ms ${(v.wall / 1000).toFixed(0).padStart(7)} wall ms  ${name}`,
  );
console.log('--');
for (const [name, us] of [...perName].sort((a, b) => b[1] - a[1]).slice(0, 30))
  console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
console.log('--');
for (const page of pageLongTasks(trace)) {
  if (page.byTracing > 0)
    console.log(
      `main thread ${page.thread}: ${page.byTracing} long task(s) of the tracing itself left out`,
    );
  const long = page.overWall;
  if (long.length > 0) {
    const cpu = long.map((t) => t.cpuMs).sort((a, b) => a - b);
    console.log(
      `main thread ${page.thread}: ${long.length} tasks over 50 ms wall, longest ${Math.max(...long.map((t) => t.wallMs)).toFixed(0)} ms; their CPU: max ${cpu.at(-1).toFixed(0)} ms, median ${cpu[Math.floor(cpu.length / 2)].toFixed(0)} ms`,
    );
  }
  console.log(
    `main thread ${page.thread}: ${page.overCpu.length} tasks over 50 ms of CPU; the most CPU one task used: ${page.longestCpuMs.toFixed(0)} ms`,
  );
}
