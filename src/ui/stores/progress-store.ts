// SPDX-License-Identifier: MIT
import { batch } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import {
  type FileProgress,
  type ProgressEvent,
  ProgressModel,
  type TotalProgress,
} from '../../core/progress/progress-model';
import { frameFlush } from './frame-flush';

/** What components read: each file's progress by key, and the total. */
export interface ProgressView {
  files: Record<number, FileProgress>;
  total: TotalProgress | null;
}

/** How often rates are refreshed while nothing arrives. */
const TICK_MS = 1000;

/**
 * The progress store: engine events go into a `ProgressModel` at once (cheap),
 * and the Solid store is written from it at most once per animation frame, in
 * one `batch` with only the files that changed, or at once (end of the
 * current task) when a file finishes or fails. Components read `view`; they
 * never see the engine.
 */
export function createProgressStore() {
  const [view, setView] = createStore<ProgressView>({ files: {}, total: null });
  let model = new ProgressModel([]);
  let tick: ReturnType<typeof setTimeout> | undefined;

  const writer = frameFlush(() => {
    const update = model.take(performance.now());
    batch(() => {
      for (const f of update.files) setView('files', f.file, reconcile(f));
      setView('total', reconcile(update.total));
    });
    // A stalled transfer sends no events; its rate and ETA must still move. One timer a
    // second, not one cleared and set again at every write (ten a second while files finish).
    if (update.total.state === 'transferring' || update.total.state === 'hashing')
      tick ??= setTimeout(() => {
        tick = undefined;
        writer.request();
      }, TICK_MS);
  });

  return {
    view,
    /** Starts tracking these files (keys and sizes), forgetting the previous ones. */
    start(files: Iterable<{ file: number; size: number }>): void {
      model = new ProgressModel(files);
      setView({ files: {}, total: null });
      writer.request();
    },
    /** Tracks more files. */
    add(files: Iterable<{ file: number; size: number }>): void {
      for (const f of files) model.track(f.file, f.size);
      writer.request();
    },
    /** Stops tracking one file. */
    remove(file: number): void {
      model.forget(file);
      setView('files', file, undefined!);
      writer.request();
    },
    /** Feeds one event; the store shows it by the next frame (at once if a file finished). */
    push(event: ProgressEvent): void {
      model.apply(event, performance.now());
      if (model.urgent) writer.now();
      else writer.request();
    },
    /** Writes what is pending now, if anything (e.g. before showing a final message). */
    flush(): void {
      if (model.changed) writer.sync();
    },
    /** Forgets every file; the view empties. */
    clear(): void {
      clearTimeout(tick);
      tick = undefined;
      model = new ProgressModel([]);
      setView({ files: {}, total: null });
    },
  };
}

/** A progress store's type, for stores and components. */
export type ProgressStore = ReturnType<typeof createProgressStore>;
