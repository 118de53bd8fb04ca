// SPDX-License-Identifier: MIT
// Top-level tasks per thread from a Chromium trace, with the CPU each used:
// read by `trace-threads.mjs` (CPU per thread) and by the transfer cases
// (`BENCH_TASK_CPU`: the pages' tasks over 50 ms of CPU, not of wall time).
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Task length the longtask API and issue 17's rule count: 50 ms, in trace microseconds. */
export const LONG_TASK_US = 50_000;

/**
 * The events of a trace file Chromium wrote (`{"traceEvents":[` then one
 * event a line), read line by line: a 512 MiB transfer's trace is longer
 * than the longest string Node can make. Keeps of each event only what
 * `topLevelTasks` reads. A file in another layout is parsed whole.
 */
export async function readTraceEvents(path) {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const events = [];
  let first = true;
  for await (const line of lines) {
    if (first) {
      first = false;
      if (line.trim() !== '{"traceEvents":[') {
        lines.close();
        return JSON.parse(readFileSync(path, 'utf8'));
      }
      continue;
    }
    if (!line.startsWith('{')) break; // "]" or "]}": the events have ended
    const last = !line.endsWith('},'); // what follows it is the trace's metadata
    const e = parseEventLine(line);
    if (e.ph === 'M' && (e.name === 'thread_name' || e.name === 'process_name'))
      events.push({ ph: 'M', name: e.name, pid: e.pid, tid: e.tid, args: { name: e.args.name } });
    else if (e.ph === 'X' && e.dur !== undefined)
      events.push({
        ph: 'X',
        name: e.name,
        pid: e.pid,
        tid: e.tid,
        ts: e.ts,
        dur: e.dur,
        tdur: e.tdur,
      });
    if (last) break;
  }
  lines.close();
  return events;
}

/** One event line: `{…},`, or the last, `{…}],"metadata":{…}}`. */
function parseEventLine(line) {
  if (line.endsWith('},')) return JSON.parse(line.slice(0, -1));
  for (let end = line.indexOf('}]'); end >= 0; end = line.indexOf('}]', end + 1)) {
    try {
      return JSON.parse(line.slice(0, end + 1));
    } catch {
      // That "}]" was inside the event: try the next.
    }
  }
  return JSON.parse(line);
}

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
 * ms): a test true of a task that holds such an interrupt, which is the
 * tracing's work, not the page's. The light trace of BENCH_TASK_CPU records
 * no such event and showed no such task (its longest used 9–24 ms of CPU).
 */
function tracingInterrupts(all) {
  const interrupts = all.filter(
    (e) => e.name === 'V8.InvokeApiInterruptCallbacks' && (e.tdur ?? 0) > 20_000,
  );
  return (task) => interrupts.some((e) => e.ts >= task.ts && e.ts < task.ts + task.dur);
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
    const byTracing = tracingInterrupts(all);
    const own = top.filter((e) => !byTracing(e));
    const cpuMs = (e) => (e.tdur ?? 0) / 1000;
    const overWall = own.filter((e) => e.dur > LONG_TASK_US);
    const overCpu = own.filter((e) => (e.tdur ?? 0) > LONG_TASK_US);
    pages.push({
      thread: key,
      tasks: top.length,
      byTracing: top.length - own.length,
      overWall: overWall.map((e) => ({ wallMs: e.dur / 1000, cpuMs: cpuMs(e) })),
      overCpu: overCpu.map((e) => ({ wallMs: e.dur / 1000, cpuMs: cpuMs(e), name: e.name })),
      longestCpuMs: own.reduce((most, e) => Math.max(most, cpuMs(e)), 0),
    });
  }
  return pages;
}
