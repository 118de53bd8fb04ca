// SPDX-License-Identifier: MIT
import { onPageReturn } from '../../adapters/page-return';
import type { SenderSearch } from '../../adapters/receiver-connect';

/** Errors that mean the connection was lost, not that anything was refused. */
const CONNECTION_LOST: readonly string[] = [
  'Signal/Unreachable',
  'Signal/NoSender',
  'Protocol/Closed',
  'Protocol/TimedOut',
];

/** What the page-return wiring needs of the receive store. */
export interface ReceiveReturnInit {
  search: SenderSearch;
  /** True when nothing runs now and the last run ended stopped: a resume may start. */
  idleAndStopped(): boolean;
  /** Starts the run again on a fresh connection. */
  resume(): void;
}

/**
 * Resumes a run the connection lost when the page (or its network) comes
 * back, and looks for an absent sender at once. Only a run stopped by a
 * lost connection resumes: a refusal or a bad sender does not.
 */
export function resumeOnReturn(init: ReceiveReturnInit) {
  let stoppedByLoss = false;
  onPageReturn(() => {
    init.search.lookNow();
    if (!stoppedByLoss || !init.idleAndStopped()) return;
    init.resume();
  });
  return {
    /** A run starts, or the screen is emptied: nothing to resume. */
    clear(): void {
      stoppedByLoss = false;
    },
    /** The run stopped with `err`: resume on return if the connection was lost. */
    stopped(err: unknown): void {
      // The sender could not be reached, or the streams died under a request (this page was
      // asleep, or offline): coming back resumes.
      stoppedByLoss = CONNECTION_LOST.includes((err as Error)?.name);
    },
  };
}
