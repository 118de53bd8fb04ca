import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { attachSignaling } from '../../server/signal';
import { OUTBOX_LIMIT, SignalingClient } from '../../src/adapters/signaling-client';

const ROOM = 'Q'.repeat(43);

/** The browser's WebSocket, played by `ws`, with every socket kept so a test can cut one. */
const sockets: WebSocket[] = [];
class TrackedWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
    sockets.push(this);
  }
}
beforeAll(() => {
  vi.stubGlobal('WebSocket', TrackedWebSocket);
});

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  sockets.length = 0;
});

async function startServer() {
  const config = readConfig(
    { SIGNAL_MESSAGES_PER_SECOND: '100000', SIGNAL_NO_SENDER_MS: '30000' },
    { staticDir: '/nonexistent' },
  );
  const server = createAppServer(config);
  const signaling = attachSignaling(server, config);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(async () => {
    signaling.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
}

/** A sender and a receiver in one room, both joined, the sender told of the receiver. */
async function pair(url: string) {
  const got: { from: string; data: string }[] = [];
  const peers: string[] = [];
  const sender = new SignalingClient(url, ROOM, 'send', {
    onRelay: (from, data) => got.push({ from, data }),
    onPeer: (id) => peers.push(id),
    onFatal: (e) => {
      throw e;
    },
  });
  stops.push(() => sender.close());
  await vi.waitFor(() => expect(sockets).toHaveLength(1));
  let joins = 0;
  const receiver = new SignalingClient(url, ROOM, 'recv', {
    onJoined: () => joins++,
    onRelay: () => {},
    onFatal: (e) => {
      throw e;
    },
  });
  stops.push(() => receiver.close());
  await vi.waitFor(() => expect(peers).toHaveLength(1));
  return { sender, receiver, got, peers, joins: () => joins, receiverSocket: sockets[1]! };
}

describe('SignalingClient while its socket is away', () => {
  it('holds what is sent while it reconnects, and sends it once joined again', async () => {
    const url = await startServer();
    const { receiver, got, peers, joins, receiverSocket } = await pair(url);
    receiverSocket.terminate(); // the network dropped
    receiver.send(null, 'c2VudC13aGlsZS1hd2F5');
    receiver.send(null, 'YW5kLWFub3RoZXI');
    await vi.waitFor(() => expect(got).toHaveLength(2), { timeout: 10_000 });
    expect(got.map((m) => m.data)).toEqual(['c2VudC13aGlsZS1hd2F5', 'YW5kLWFub3RoZXI']);
    expect(got[0]!.from).toBe(peers[1]); // from the receiver's new connection
    expect(joins()).toBe(2);
  });

  it('holds at most OUTBOX_LIMIT.messages, dropping the oldest', async () => {
    const url = await startServer();
    const { receiver, got, receiverSocket } = await pair(url);
    receiverSocket.terminate();
    const extra = 20;
    for (let i = 0; i < OUTBOX_LIMIT.messages + extra; i++) receiver.send(null, `m${i}`);
    await vi.waitFor(() => expect(got).toHaveLength(OUTBOX_LIMIT.messages), { timeout: 10_000 });
    expect(got[0]!.data).toBe(`m${extra}`);
    expect(got.at(-1)!.data).toBe(`m${OUTBOX_LIMIT.messages + extra - 1}`);
  });
});
