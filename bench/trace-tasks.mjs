// SPDX-License-Identifier: MIT
// Top-level tasks per thread from a Chromium trace, with the CPU each used:
// read by `trace-threads.mjs` (CPU per thread) and by the transfer cases
// (`BENCH_TASK_CPU`: the pages' tasks over 50 ms of CPU, not of wall time).

/** Task length the longtask API and issue 17's rule count: 50 ms, in trace microseconds. */
export const LONG_TASK_US = 50_000;

/**
 * A trace's events (a saved file's object or a bare array), its thread names
 * by "pid:tid", its process names by pid, and each thread's top-level
 * complete events, in time order, nested ones left out (`tdur` is thread
 * time, the CPU the task used; `dur` its wall time).
 */
export function topLevelTasks(trace) {
  const events = trace.traceEvents ?? trace;
  const threadNames = new Map();
  const processNames = new Map();
  const byThread = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args.name);
    if (e.ph === 'M' && e.name === 'process_name') processNames.set(e.pid, e.args.name);
    if (e.ph !== 'X' || e.dur === undefined) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  const tasks = new Map();
  for (const [key, list] of byThread) {
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const top = [];
    let end = -1;
    for (const e of list)
      if (e.ts >= end) {
        end = e.ts + e.dur;
        top.push(e);
      }
    tasks.set(key, { all: list, top });
  }
  return { threadNames, processNames, tasks };
}

/**
 * Starting a full trace (BENCH_PROFILE's, with V8's sampling profiler)
 * interrupts V8 in every page (`V8.InvokeApiInterruptCallbacks`, tens of
 * ms): true when `task` holds such an interrupt, which is the tracing's work,
 * not the page's. The light trace of BENCH_TASK_CPU records no such event
 * and showed no such task (its longest tasks used 9–24 ms of CPU).
 */
function interruptedByTracing(task, all) {
  return all.some(
    (e) =>
      e.name === 'V8.InvokeApiInterruptCallbacks' &&
      e.ts >= task.ts &&
      e.ts < task.ts + task.dur &&
      (e.tdur ?? 0) > 20_000,
  );
}

/**
 * Each page's main thread (`CrRendererMain`): its top-level tasks over 50 ms
 * of wall time (what the longtask API counts), and over 50 ms of CPU (work
 * of the page's own; the rest of a long wall time is waiting for a core),
 * the tracing's own interrupts left out and counted apart.
 */
export function pageLongTasks(trace) {
  const { threadNames, tasks } = topLevelTasks(trace);
  const pages = [];
  for (const [key, { all, top }] of tasks) {
    if (threadNames.get(key) !== 'CrRendererMain') continue;
    const long = top.filter((e) => e.dur > LONG_TASK_US || (e.tdur ?? 0) > LONG_TASK_US);
    const own = long.filter((e) => !interruptedByTracing(e, all));
    const cpuMs = (e) => (e.tdur ?? 0) / 1000;
    pages.push({
      thread: key,
      tasks: top.length,
      byTracing: long.length - own.length,
      overWall: own
        .filter((e) => e.dur > LONG_TASK_US)
        .map((e) => ({ wallMs: e.dur / 1000, cpuMs: cpuMs(e) })),
      overCpu: own
        .filter((e) => (e.tdur ?? 0) > LONG_TASK_US)
        .map((e) => ({ wallMs: e.dur / 1000, cpuMs: cpuMs(e), name: e.name })),
      longestCpuMs: Math.max(0, ...top.filter((e) => !interruptedByTracing(e, all)).map(cpuMs)),
    });
  }
  return pages;
}
