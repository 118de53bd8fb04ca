// SPDX-License-Identifier: MIT
// A private redis-server for tests and benchmarks: Debian's, on a unix socket
// in a fresh temporary folder, nothing saved to disk. Uses only Node built-ins.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePackages } from './ensure-packages.mjs';

/** Where Debian's package puts the server. */
export const REDIS_SERVER = '/usr/bin/redis-server';

/** Makes sure redis-server is installed (apt-get as root on Debian, else the exact command to run). */
export function ensureRedis() {
  ensurePackages('Redis', [{ path: REDIS_SERVER, pkg: 'redis-server' }]);
}

/**
 * Starts redis-server on the unix socket `socket` (default: redis.sock in a
 * new temporary folder); resolves once it accepts connections, with its URL
 * (the socket path, as ioredis takes it) and `stop()`, which kills it and
 * removes the folder it made. Starting again on the same socket is a restart.
 */
export function startRedis(socket) {
  const dir = socket ? null : mkdtempSync(join(tmpdir(), 'ferry-redis-'));
  const path = socket ?? join(dir, 'redis.sock');
  const child = spawn(
    REDIS_SERVER,
    [
      '--port',
      '0',
      '--unixsocket',
      path,
      '--unixsocketperm',
      '700',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir ?? tmpdir(),
      '--loglevel',
      'notice',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk) => {
      output += chunk.toString();
      if (!/ready to accept connections/i.test(output)) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({
        url: path,
        process: child,
        stop: (signal = 'SIGTERM') =>
          new Promise((done) => {
            const finish = () => {
              if (dir) rmSync(dir, { recursive: true, force: true });
              done();
            };
            if (child.exitCode !== null || child.signalCode !== null) return finish();
            child.once('exit', finish);
            child.kill(signal);
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)),
    );
  });
}
