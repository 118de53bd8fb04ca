// SPDX-License-Identifier: MIT
import { batch } from 'solid-js';
import type { IncomingSession } from '../../adapters/sender-hub';
import { answerShareStream, type ShareStreamInit } from '../../adapters/share-stream';
import { RateMeter } from '../../core/progress/rate-meter';
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
  status: 'connecting' | 'connected' | 'gone';
}

/** Where the rows live: a list in the send store, added to and changed by receiver id. */
export interface ReceiverRowsTarget {
  add(row: SendReceiver): void;
  change(id: string, change: Partial<SendReceiver>): void;
}

/** What every stream of a session is answered with: the offer and how far checking has come. */
export type ShareAnswers = Pick<ShareStreamInit, 'offer' | 'preparing' | 'onManifestServed'>;

/**
 * Keeps one row per receiver on the Send screen: its streams, the bytes sent
 * to it and their rate (written at most once per frame, however many blocks
 * go out), and what it said it is about to fetch.
 */
export function receiverRows(target: ReceiverRowsTarget) {
  /** Bytes sent per receiver since the last frame, and each one's rate. */
  const sent = new Map<string, { bytes: number; total: number; meter: RateMeter }>();
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
    /** Shows a receiver that just connected and answers each of its streams. */
    attach(session: IncomingSession, answers: ShareAnswers): void {
      target.add({
        id: session.id,
        sentBytes: 0,
        rate: 0,
        planBytes: null,
        planFrom: 0,
        streamsUp: 0,
        streams: session.streamCount,
        status: 'connecting',
      });
      session.onStream = (stream) => {
        target.change(session.id, {
          streamsUp: session.streams.length,
          status: session.streams.length === session.streamCount ? 'connected' : 'connecting',
        });
        if (!sent.has(session.id))
          sent.set(session.id, { bytes: 0, total: 0, meter: new RateMeter() });
        const counter = sent.get(session.id)!;
        answerShareStream(stream, {
          ...answers,
          onPlan: (bytes) => {
            writer.sync();
            target.change(session.id, { planBytes: bytes, planFrom: counter.total });
          },
          onServed: (bytes) => {
            counter.bytes += bytes;
            writer.request();
          },
        });
      };
      session.onEnd = () => {
        writer.sync();
        sent.delete(session.id);
        target.change(session.id, { status: 'gone', streamsUp: 0, rate: 0 });
      };
    },
  };
}
