// A server process out of file descriptors: the one read that cannot open its
// file fails alone; the process, /healthz and the WebSocket go on.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServerProcess } from '../../scripts/server-process.mjs';

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** A raw kept-alive connection: send a request, read what comes back, see it close. */
function keptAlive(port: number) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, closed, received: () => received };
}

/** Lowering a running process's descriptor limit needs Linux's /proc and util-linux's prlimit. */
const canLimit = spawnSync('prlimit', ['--version']).status === 0;

describe('out of file descriptors', () => {
  it.skipIf(!canLimit)(
    'fails the static read that hits EMFILE, and nothing else',
    { timeout: 30_000 },
    async () => {
      const dist = mkdtempSync(join(tmpdir(), 'ferry-emfile-'));
      writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Ferry</title>');
      const { url, process: child } = await startServerProcess({ STATIC_DIR: dist });
      stops.push(() => child.kill('SIGKILL'));
      let logs = '';
      child.stdout!.on('data', (d) => (logs += d));
      let exited: number | null = null;
      child.once('exit', (code) => (exited = code ?? -1));
      const port = Number(new URL(url).port);
      const pid = String(child.pid);

      // One connection, proven served, holds its descriptor in the server.
      const held = keptAlive(port);
      held.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await expect.poll(() => held.received()).toContain('"ok":true');

      // The limit bounds descriptor numbers: set it to the lowest free one, and the next open() is EMFILE.
      const taken = new Set(readdirSync(`/proc/${pid}/fd`).map(Number));
      let lowestFree = 0;
      while (taken.has(lowestFree)) lowestFree++;
      execFileSync('prlimit', ['--pid', pid, `--nofile=${lowestFree}:20000`]);
      held.socket.write('GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n');
      await held.closed; // headers went out before the open failed: the response is cut
      await expect.poll(() => logs).toMatch(/"msg":"static file failed".*"error":"EMFILE"/);

      execFileSync('prlimit', ['--pid', pid, '--nofile=20000:20000']);
      expect(exited).toBeNull();
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      const ws = new WebSocket(`${url.replace('http', 'ws')}/signal`);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      ws.close();
      expect((await fetch(`${url}/`)).status).toBe(200);
    },
  );
});
