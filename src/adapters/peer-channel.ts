// SPDX-License-Identifier: MIT
import type SimplePeer from 'simple-peer';
import { MAX_FRAME_SIZE } from '../core/protocol/constants';
import type { Channel } from '../core/session/channel';

/**
 * Low-water mark of the data channel's send buffer (64 KiB): `drained()`
 * resolves when the browser has sent down to this. Measured here, keeping
 * ~64 KiB buffered beat MiB-sized buffers on loopback.
 */
export const BUFFER_LOW_WATER = 64 * 1024;

// simple-peer keeps the RTCDataChannel and RTCPeerConnection private; we need
// both for flow control and the negotiated message size.
interface PeerInternals {
  _channel?: RTCDataChannel;
  _pc?: RTCPeerConnection;
}

/**
 * A connected simple-peer instance as a Channel. Messages go straight to the
 * data channel with `send` (simple-peer's stream `write` path crawls with
 * small chunks) and come straight from its `message` event, and flow control
 * uses `bufferedAmountLowThreshold`.
 */
export function peerChannel(peer: SimplePeer.Instance): Channel {
  const internals = peer as unknown as PeerInternals;
  const dc = internals._channel;
  if (!dc) throw new Error('peerChannel needs a connected peer');
  dc.bufferedAmountLowThreshold = BUFFER_LOW_WATER;
  const negotiated = internals._pc?.sctp?.maxMessageSize ?? MAX_FRAME_SIZE;
  let closed = false;
  const channel: Channel = {
    maxMessageSize: Math.min(MAX_FRAME_SIZE, negotiated || MAX_FRAME_SIZE),
    get bufferedAmount() {
      return dc.bufferedAmount;
    },
    send(message) {
      if (closed || dc.readyState !== 'open') throw new Error('The connection is closed.');
      dc.send(message as Uint8Array<ArrayBuffer>);
    },
    drained() {
      if (closed || dc.bufferedAmount <= BUFFER_LOW_WATER) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          dc.removeEventListener('bufferedamountlow', done);
          dc.removeEventListener('close', done);
          resolve();
        };
        dc.addEventListener('bufferedamountlow', done);
        dc.addEventListener('close', done);
      });
    },
    onMessage: null,
    onClose: null,
    close() {
      peer.destroy();
    },
  };
  const end = (reason: string) => {
    if (closed) return;
    closed = true;
    channel.onClose?.(reason);
  };
  // Messages are taken from the data channel itself: simple-peer's stream hands each one on
  // through a setTimeout-based nextTick (1 s of timers per 256 MiB in a profile here).
  // What it buffered before this point is read out first, in order.
  const early: Uint8Array[] = [];
  for (let chunk = peer.read(); chunk !== null; chunk = peer.read())
    early.push(chunk as Uint8Array);
  dc.onmessage = (event: MessageEvent<ArrayBuffer>) =>
    channel.onMessage?.(new Uint8Array(event.data));
  if (early.length > 0)
    queueMicrotask(() => {
      for (const chunk of early) channel.onMessage?.(chunk);
    });
  peer.on('close', () => end('The connection closed.'));
  peer.on('error', (err: Error) => end(`The connection failed: ${err.message}`));
  return channel;
}
