// SPDX-License-Identifier: MIT
import { batch } from 'solid-js';
import type { SendSessionEvent } from '../../adapters/send-session';
import { RateMeter } from '../../core/progress/rate-meter';
import type { PathSummary } from '../../core/session/connection-path';
import { frameFlush } from './frame-flush';

/** One receiver connected to this share. */
export interface SendReceiver {
  id: string;
  /** Bytes of blocks sent to this receiver. */
  sentBytes: number;
  /** Bytes per second sent to it, smoothed. */
  rate: number;
  /** Bytes it said it is about to fetch (its PLAN), or null before it said. */
  planBytes: number | null;
  /** `sentBytes` when that plan arrived: progress is what was sent since. */
  planFrom: number;
  streamsUp: number;
  streams: number;
  status: 'connecting' | 'connected' | 'failed' | 'gone';
  /** Direct or relayed, and the round trip, once connected. */
  path: PathSummary | null;
  /** Why it could not connect, as a sentence (status 'failed'). */
  problem: string | null;
}

/** Where the rows live: a list in the send store, added to and changed by receiver id. */
export interface ReceiverRowsTarget {
  add(row: SendReceiver): void;
  change(id: string, change: Partial<SendReceiver>): void;
}

/**
 * Keeps one row per receiver on the Send screen, fed by its send-session's
 * events: its streams, the bytes sent to it and their rate (written at most
 * once per frame, however many blocks go out), and what it said it is about
 * to fetch.
 */
export function receiverRows(target: ReceiverRowsTarget) {
  /** Bytes sent per receiver since the last frame, and each one's rate. */
  const sent = new Map<string, { bytes: number; total: number; meter: RateMeter }>();
  /** Receivers no path was found to. */
  const failed = new Set<string>();
  const writer = frameFlush(() => {
    const now = performance.now();
    batch(() => {
      for (const [id, s] of sent) {
        if (s.bytes === 0 && s.meter.rate(now) === 0) continue;
        s.total += s.bytes;
        s.bytes = 0;
        s.meter.sample(now, s.total);
        target.change(id, { sentBytes: s.total, rate: s.meter.rate(now) });
      }
    });
  });

  return {
    /** Shows a receiver that just connected; returns where its session's events go. */
    track(id: string, streams: number): (event: SendSessionEvent) => void {
      target.add({
        id,
        sentBytes: 0,
        rate: 0,
        planBytes: null,
        planFrom: 0,
        streamsUp: 0,
        streams,
        status: 'connecting',
        path: null,
        problem: null,
      });
      const counter = { bytes: 0, total: 0, meter: new RateMeter() };
      sent.set(id, counter);
      return (event) => {
        switch (event.type) {
          case 'streams':
            target.change(id, {
              streamsUp: event.up,
              status: event.up === event.of ? 'connected' : 'connecting',
            });
            return;
          case 'plan':
            writer.sync();
            target.change(id, { planBytes: event.bytes, planFrom: counter.total });
            return;
          case 'served':
            counter.bytes += event.bytes;
            writer.request();
            return;
          case 'end':
            writer.sync();
            sent.delete(id);
            // A receiver that never got through keeps saying why.
            target.change(
              id,
              failed.has(id) ? { streamsUp: 0 } : { status: 'gone', streamsUp: 0, rate: 0 },
            );
            failed.delete(id);
        }
      };
    },
    /** Shows how a receiver is connected (direct or relayed, round trip). */
    path(id: string, path: PathSummary): void {
      if (sent.has(id)) target.change(id, { path });
    },
    /** Shows that no network path to a receiver was found, and what to do. */
    noPath(id: string, problem: string): void {
      if (!sent.has(id)) return;
      failed.add(id);
      target.change(id, { status: 'failed', problem });
    },
  };
}
