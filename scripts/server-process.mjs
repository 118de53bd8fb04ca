// SPDX-License-Identifier: MIT
// Starts server/index.ts as its own process on a free loopback port (tests, benchmarks, screenshots).
import { spawn } from 'node:child_process';

/** Resolves with the server's URL once it logs that it listens, and the child process. */
export function startServerProcess(env = {}, cwd = new URL('..', import.meta.url).pathname) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve({ url: `http://127.0.0.1:${JSON.parse(line).port}`, process: child });
    });
    child.once('exit', (code) =>
      reject(new Error(`server exited with code ${code} before listening`)),
    );
  });
}
