// SPDX-License-Identifier: MIT
// A real coturn for e2e tests, inside the private test network: TURN REST
// credentials (`use-auth-secret`) with a secret made for this run, on the
// namespace's veth address (coturn refuses loopback peers by default).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The test namespace's own address (scripts/netns.mjs): where Chromium gathers candidates. */
export const TEST_NET_IP = '10.200.0.1';

/** Relay ports each coturn may allocate, after its listening port. */
const RELAY_PORTS = 200;

/** A running coturn. */
export interface Coturn {
  /** `turn:` URLs for UDP and TCP, as TURN_URLS takes them. */
  urls: string[];
  /** Its `static-auth-secret`, random per run. */
  secret: string;
  /** Everything it logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Where `turnserver` is installed (`which turnserver`). */
export function turnserverPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' });
  return found.stdout.trim() || '/usr/bin/turnserver';
}

/** True when nothing listens on `port` over UDP or TCP at the test address. */
async function portFree(port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, TEST_NET_IP, () => server.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise<boolean>((resolve) => {
    const udp = createSocket('udp4');
    udp.once('error', () => resolve(false));
    udp.bind(port, TEST_NET_IP, () => udp.close(() => resolve(true)));
  });
}

/** Resolves once a TCP connection to `port` is accepted (coturn's TCP listener is up). */
async function listening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`turnserver exited (${child.exitCode}):\n${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, TEST_NET_IP);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50)); // polling a port that is not up yet
  }
}

/** Starts coturn on the test address with a private port and a fresh secret; logs go to its stdout, kept here. */
export async function startCoturn(): Promise<Coturn> {
  let port = 0;
  for (let tries = 0; port === 0; tries++) {
    if (tries > 50) throw new Error('No free port for coturn.');
    const candidate = 20_000 + Math.floor(Math.random() * 20_000);
    if (await portFree(candidate)) port = candidate;
  }
  const secret = randomBytes(24).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'ferry-coturn-'));
  const child = spawn(
    turnserverPath(),
    [
      '-n', // no configuration file: everything is here
      `--listening-ip=${TEST_NET_IP}`,
      `--relay-ip=${TEST_NET_IP}`,
      `--listening-port=${port}`,
      `--min-port=${port + 1}`,
      `--max-port=${port + RELAY_PORTS}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=ferry.test',
      '--fingerprint',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--no-multicast-peers',
      '--log-file=stdout',
      '--simple-log',
      '--verbose',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--db=${join(dir, 'turndb')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const log = () => output;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await listening(port, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    urls: [
      `turn:${TEST_NET_IP}:${port}?transport=udp`,
      `turn:${TEST_NET_IP}:${port}?transport=tcp`,
    ],
    secret,
    log,
    stop,
  };
}
