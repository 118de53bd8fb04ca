// SPDX-License-Identifier: MIT
// A WebSocket client of the signaling endpoint for server tests: it records
// what the server sends and how it closed, and waits on messages, never sleeps.
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/core/signaling/messages';

/** The room id tests use unless they need two. */
export const ROOM = 'R'.repeat(43);

/** A test client that records what the server sends and how it closed. */
export class Client {
  readonly ws: WebSocket;
  readonly inbox: ServerMessage[] = [];
  closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(url: string, ip = '10.0.0.1', options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, { headers: { 'x-forwarded-for': ip }, ...options });
    this.ws.on('message', (data) => {
      this.inbox.push(JSON.parse(data.toString()));
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.ws.on('error', () => {});
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  async next(t: ServerMessage['t']): Promise<ServerMessage> {
    for (;;) {
      const at = this.inbox.findIndex((m) => m.t === t);
      if (at !== -1) return this.inbox.splice(at, 1)[0]!;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  static async joined(url: string, role: 'send' | 'recv', room = ROOM, ip?: string) {
    const c = new Client(url, ip);
    await c.opened();
    c.send({ t: 'join', room, role });
    const joined = (await c.next('joined')) as Extract<ServerMessage, { t: 'joined' }>;
    return { client: c, id: joined.id, senderPresent: joined.sender };
  }
}
