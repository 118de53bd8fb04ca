// SPDX-License-Identifier: MIT
// One end of a WebRTC benchmark. bench/run.mjs opens this page in two
// browser contexts (two renderers, as two devices would be) and relays
// their signaling through Node with `benchSignal`/`benchDeliver`.
import type SimplePeer from 'simple-peer';
import { peerChannel } from '../src/adapters/peer-channel';
import { createPeer } from '../src/adapters/peer-factory';
import { BLOCK_SIZE } from '../src/core/constants';
import { BLOCK_PIECE_SIZE } from '../src/core/protocol/constants';
import { MessageType } from '../src/core/protocol/message-types';
import { ProtocolStream } from '../src/core/session/protocol-stream';
import { BlockServer } from '../src/core/transfer/block-server';
import { ReceiveEngine } from '../src/core/transfer/receive-engine';
import { fullPlan } from '../src/core/transfer/scheduler';
import { ceilingListen, ceilingProgress, ceilingSend } from './ceiling';

declare global {
  interface Window {
    benchSignal(message: unknown): Promise<void>;
    ferryWebrtc: typeof api;
    /** The raw channel's connection, read by bench/wire-stats.mjs for its bytes on the wire. */
    __pcs: RTCPeerConnection[];
  }
}

/** What a receiving end measured. */
export interface TransferSample {
  bytes: number;
  /** From the sender's start to the last byte, ms. */
  ms: number;
  /** From the sender's start to the first byte, ms. */
  ttfbMs: number;
}

const MESSAGE = 256 * 1024;
const LOW_WATER = 64 * 1024;
let onSignal: (m: unknown) => void = () => {};

/** Raw RTCDataChannel: one channel, 256 KiB messages, paused above 64 KiB buffered (bufferedamountlow). */
async function rawConnect(initiator: boolean): Promise<RTCDataChannel> {
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.__pcs = [pc];
  pc.onicecandidate = (e) => void window.benchSignal({ candidate: e.candidate?.toJSON() ?? null });
  onSignal = async (m) => {
    const msg = m as { sdp?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit | null };
    if (msg.sdp) {
      await pc.setRemoteDescription(msg.sdp);
      if (msg.sdp.type === 'offer') {
        await pc.setLocalDescription();
        void window.benchSignal({ sdp: pc.localDescription!.toJSON() });
      }
    } else if (msg.candidate) await pc.addIceCandidate(msg.candidate);
  };
  if (initiator) {
    const dc = pc.createDataChannel('bench', { ordered: true });
    await pc.setLocalDescription();
    void window.benchSignal({ sdp: pc.localDescription!.toJSON() });
    await new Promise((r) => dc.addEventListener('open', r, { once: true }));
    return dc;
  }
  return new Promise((resolve) => {
    pc.ondatachannel = (e) =>
      e.channel.addEventListener('open', () => resolve(e.channel), { once: true });
  });
}

/** `count` simple-peer connections wrapped as Ferry ProtocolStreams. */
async function ferryConnect(initiator: boolean, count: number): Promise<ProtocolStream[]> {
  const peers: SimplePeer.Instance[] = [];
  onSignal = (m) => {
    const { s, sig } = m as { s: number; sig: SimplePeer.SignalData };
    if (!peers[s]) peers[s] = makePeer(s);
    peers[s]!.signal(sig);
  };
  const ready: Promise<ProtocolStream>[] = [];
  const resolvers: ((s: ProtocolStream) => void)[] = [];
  for (let i = 0; i < count; i++) ready.push(new Promise((r) => resolvers.push(r)));
  function makePeer(i: number): SimplePeer.Instance {
    const peer = createPeer(initiator, { iceServers: [] });
    peer.on('signal', (sig: SimplePeer.SignalData) => void window.benchSignal({ s: i, sig }));
    peer.on('connect', () => {
      const stream = new ProtocolStream(peerChannel(peer), { stream: i, streams: count });
      void stream.ready.then(() => resolvers[i]!(stream));
    });
    return peer;
  }
  if (initiator) for (let i = 0; i < count; i++) peers[i] = makePeer(i);
  return Promise.all(ready);
}

let raw: RTCDataChannel | null = null;
let streams: ProtocolStream[] = [];
/** What the receiving side is receiving now (`listen`, `ceilingListen`). */
let receiving: Promise<{ firstAt: number; lastAt: number; bytes: number }> | null = null;

const api = {
  /** Delivers a signaling message relayed by the runner. */
  deliver: (m: unknown) => onSignal(m),
  /** Connects a raw channel (initiator on one side only). */
  async connectRaw(initiator: boolean) {
    raw = await rawConnect(initiator);
    raw.binaryType = 'arraybuffer';
    raw.bufferedAmountLowThreshold = LOW_WATER;
  },
  /** Connects `count` Ferry streams. */
  async connectFerry(initiator: boolean, count: number) {
    streams = await ferryConnect(initiator, count);
  },
  /**
   * Receiving side: listens for `total` bytes; `received()` then resolves
   * when they arrived (epoch ms). Call before the sender starts: a message
   * that arrives with no handler is lost.
   */
  listen(total: number, kind: 'raw' | 'ferry'): void {
    receiving = new Promise((resolve) => {
      let bytes = 0;
      let firstAt = 0;
      const add = (n: number) => {
        if (bytes === 0) firstAt = Date.now();
        bytes += n;
        if (bytes >= total) resolve({ firstAt, lastAt: Date.now(), bytes });
      };
      if (kind === 'raw') raw!.onmessage = (e) => add((e.data as ArrayBuffer).byteLength);
      else
        for (const s of streams)
          s.onMessage = (m) => m.type === MessageType.BlockData && add(m.data.length);
    });
  },
  /** What `listen` received: bytes, and when the first and the last came (epoch ms). */
  received: () => receiving!,
  /** Sending side: pushes `total` bytes (raw: in messages of `size`) and returns the epoch ms it started. */
  async send(total: number, kind: 'raw' | 'ferry', size = MESSAGE): Promise<number> {
    const startedAt = Date.now();
    if (kind === 'raw') {
      const dc = raw!;
      const message = new Uint8Array(size);
      for (let sent = 0; sent < total; sent += size) {
        if (dc.bufferedAmount > LOW_WATER)
          await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
        dc.send(message);
      }
      return startedAt;
    }
    // Ferry: BLOCK_DATA frames, each stream sending its share of blocks, as the engine will.
    const piece = new Uint8Array(BLOCK_PIECE_SIZE);
    const pieces = Math.ceil(total / BLOCK_PIECE_SIZE);
    await Promise.all(
      streams.map(async (stream, k) => {
        for (let i = k; i < pieces; i += streams.length) {
          await stream.send({
            type: MessageType.BlockData,
            id: 1,
            file: 0,
            block: i >> 2,
            offset: (i & 3) * BLOCK_PIECE_SIZE,
            data: piece,
          });
        }
      }),
    );
    return startedAt;
  },
  /**
   * Sending side of the engine cases: every stream answers requests for
   * `files` files of `size` bytes from memory (no file reads), as the app's
   * block servers do.
   */
  serveEngine(files: number, size: number) {
    const data = new Uint8Array(Math.min(size, BLOCK_SIZE)).fill(7);
    const source = {
      size: (file: number) => (file < files ? size : null),
      outboard: () => new Uint8Array(0),
      read: async (_file: number, block: number) =>
        data.subarray(0, Math.min(data.length, size - block * data.length)),
    };
    for (const stream of streams) {
      const server = new BlockServer(stream, source);
      stream.onMessage = (m) => void server.handle(m);
    }
  },
  /**
   * Receiving side of the engine cases: the real scheduler and engine over
   * the streams, with a sink that neither verifies nor stores, so the figure
   * is what the protocol itself costs. Times are epoch ms.
   */
  async receiveEngine(files: number, size: number, windowBytes: number) {
    let bytes = 0;
    let firstAt = 0;
    const plans = Array.from({ length: files }, (_, i) => fullPlan(i, size));
    const engine = new ReceiveEngine(
      streams,
      plans,
      { verify: async (_f, _b, d) => d, store: async () => {} },
      {
        windowBytes,
        onEvent: (e) => {
          if (e.type !== 'verified') return;
          if (bytes === 0) firstAt = Date.now();
          bytes += e.bytes;
        },
      },
    );
    const startedAt = Date.now();
    await engine.run();
    return { startedAt, firstAt, lastAt: Date.now(), bytes };
  },
  /** Sizes of the files picked in this page's `#pick` input (ceiling cases). */
  pickedSizes: () =>
    [...(document.querySelector<HTMLInputElement>('#pick')!.files ?? [])].map((f) => f.size),
  /** Sending side of the ceiling cases: the picked files over the raw channel; returns the epoch ms it started. */
  ceilingSend: () =>
    ceilingSend(raw!, [...(document.querySelector<HTMLInputElement>('#pick')!.files ?? [])]),
  /** Receiving side of the ceiling cases, ready once this resolves: every block hashed and stored (see ceiling.ts). */
  async ceilingListen(sizes: number[]) {
    receiving = (await ceilingListen(raw!, sizes)).finished;
  },
  /** How far the ceiling got on this page, and the raw channel's state. */
  ceilingProgress: () => ({
    ...ceilingProgress,
    channel: raw?.readyState,
    buffered: raw?.bufferedAmount,
  }),
  /** Closes everything. */
  close() {
    raw?.close();
    for (const s of streams) s.close();
  },
};

window.ferryWebrtc = api;
