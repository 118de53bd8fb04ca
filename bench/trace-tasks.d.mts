/** Task length the longtask API and issue 17's rule count: 50 ms, in trace microseconds. */
export const LONG_TASK_US: number;
/** One Chromium trace event, as far as the task readers look at it. */
export interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}
/** The events of a trace file Chromium wrote, read line by line. */
export function readTraceEvents(path: string): Promise<TraceEvent[]>;
/** A thread's top-level tasks (nested ones left out) and all its complete events. */
export interface ThreadTasks {
  all: TraceEvent[];
  top: TraceEvent[];
}
/** Thread and process names, and each thread's top-level tasks, keyed "pid:tid". */
export function topLevelTasks(trace: TraceEvent[] | { traceEvents: TraceEvent[] }): {
  threadNames: Map<string, string>;
  processNames: Map<number, string>;
  tasks: Map<string, ThreadTasks>;
};
/** A page main thread's long tasks, by wall time and by CPU. */
export interface PageLongTasks {
  thread: string;
  tasks: number;
  byTracing: number;
  overWall: { wallMs: number; cpuMs: number }[];
  overCpu: { wallMs: number; cpuMs: number; name: string }[];
  longestCpuMs: number;
}
/** Each page's main thread: tasks over 50 ms of wall time and over 50 ms of CPU. */
export function pageLongTasks(trace: TraceEvent[] | { traceEvents: TraceEvent[] }): PageLongTasks[];
