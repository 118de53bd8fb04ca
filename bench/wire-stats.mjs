// SPDX-License-Identifier: MIT
// What a page's peer connections put on the wire, read from WebRTC stats in the page.
// Each function here runs inside a page (`page.evaluate` or `addInitScript`), so each is
// self-contained: pages keep their connections in `window.__pcs`.
import { appendFileSync } from 'node:fs';

/** In a page before its scripts: every RTCPeerConnection it makes is kept in `window.__pcs`. */
export function keepPeerConnections() {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
}

/**
 * In a page: over the selected candidate pairs of `window.__pcs`, the bytes sent (UDP
 * payloads, data sent again included) and the packets the browser dropped before the wire
 * (`packetsDiscardedOnSend`: Chromium drops a packet when more than 64 KB wait between the
 * page and its network process; SCTP then sends it, and whatever it cannot tell apart, again).
 */
export async function wireStats() {
  let bytesSent = 0;
  let dropped = 0;
  for (const pc of window.__pcs ?? [])
    for (const r of (await pc.getStats()).values())
      if (r.type === 'candidate-pair' && r.nominated) {
        bytesSent += r.bytesSent ?? 0;
        dropped += r.packetsDiscardedOnSend ?? 0;
      }
  return { bytesSent, dropped };
}

/**
 * In a page (BENCH_WIRE_TIMELINE=file): every 200 ms, for each of `window.__pcs`, the bytes
 * its data channels carried, the bytes its selected pair sent and received, and the packets
 * dropped before the wire: when, and on which connection, data went out twice.
 */
export function startWireTimeline() {
  window.__wireTimeline = [];
  const sample = async () => {
    const at = Math.round(performance.now());
    const row = [];
    for (const pc of window.__pcs ?? []) {
      const c = { app: 0, sent: 0, dropped: 0, received: 0 };
      for (const r of (await pc.getStats()).values()) {
        if (r.type === 'data-channel') c.app += r.bytesSent ?? 0;
        if (r.type === 'candidate-pair' && r.nominated) {
          c.sent += r.bytesSent ?? 0;
          c.dropped += r.packetsDiscardedOnSend ?? 0;
          c.received += r.bytesReceived ?? 0;
        }
      }
      row.push(c);
    }
    window.__wireTimeline.push({ at, row });
  };
  window.__wireTimer = setInterval(() => void sample(), 200);
}

/** In a page: stops `startWireTimeline` and returns its samples. */
export function stopWireTimeline() {
  clearInterval(window.__wireTimer);
  return window.__wireTimeline ?? [];
}

/** Appends one round's timelines (sender and receiver) to the BENCH_WIRE_TIMELINE file, one JSON line. */
export function saveWireTimeline(name, bytes, sender, receiver) {
  appendFileSync(
    process.env.BENCH_WIRE_TIMELINE,
    `${JSON.stringify({ name, bytes, sender, receiver })}\n`,
  );
}
