import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageLongTasks, readTraceEvents, type TraceEvent } from '../../bench/trace-tasks.mjs';

const meta = (pid: number, tid: number, name: string): TraceEvent => ({
  ph: 'M',
  name: 'thread_name',
  pid,
  tid,
  args: { name },
});
const task = (
  tid: number,
  ts: number,
  dur: number,
  tdur: number,
  name = 'RunTask',
): TraceEvent => ({
  ph: 'X',
  name,
  pid: 1,
  tid,
  ts,
  dur,
  tdur,
});

// A page main thread (tid 1) and a WebRTC thread (tid 2), times in µs.
const events: TraceEvent[] = [
  meta(1, 1, 'CrRendererMain'),
  meta(1, 2, 'WebRTC_W_and_N'),
  task(1, 0, 120_000, 8_000), // long by wall time, 8 ms of CPU: it waited for a core
  task(1, 1_000, 5_000, 4_000, 'V8.GC'), // nested in the task above: not a task of its own
  task(1, 200_000, 70_000, 60_000), // worked 60 ms
  task(1, 300_000, 100_000, 30_000), // holds the tracing's start-up interrupt
  task(1, 310_000, 40_000, 25_000, 'V8.InvokeApiInterruptCallbacks'),
  task(2, 0, 500_000, 400_000), // not a page's main thread
];

describe('pageLongTasks', () => {
  it('counts main-thread tasks over 50 ms by wall time and by CPU, apart from the tracing', () => {
    const [page, ...others] = pageLongTasks(events);
    expect(others).toEqual([]);
    expect(page).toMatchObject({ thread: '1:1', tasks: 3, byTracing: 1, longestCpuMs: 60 });
    expect(page!.overWall).toEqual([
      { wallMs: 120, cpuMs: 8 },
      { wallMs: 70, cpuMs: 60 },
    ]);
    expect(page!.overCpu).toEqual([{ wallMs: 70, cpuMs: 60, name: 'RunTask' }]);
  });
});

describe('readTraceEvents', () => {
  it("reads Chromium's one-event-a-line layout up to the metadata that follows the last event", async () => {
    const lines = events.map((e) => JSON.stringify(e));
    const text = [
      '{"traceEvents":[',
      ...lines.slice(0, -1).map((l) => `${l},`),
      // The last event closes the list on its own line, and a "}]" inside an event is not the end.
      `${lines.at(-1)!.replace('"RunTask"', '"Run}]Task"')}],"metadata":`,
      '{"cpu-num-cores":2,"nested":[{"a":1}]}}',
    ].join('\n');
    const path = join(mkdtempSync(join(tmpdir(), 'ferry-trace-')), 'trace.json');
    writeFileSync(path, text);
    const read = await readTraceEvents(path);
    expect(read).toHaveLength(events.length);
    expect(read.at(-1)).toMatchObject({ name: 'Run}]Task', tid: 2, dur: 500_000, tdur: 400_000 });
    expect(pageLongTasks(read)).toEqual(pageLongTasks(events));
  });

  it('parses a trace in any other layout whole', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ferry-trace-')), 'trace.json');
    writeFileSync(path, JSON.stringify(events));
    expect(pageLongTasks(await readTraceEvents(path))).toEqual(pageLongTasks(events));
  });
});
