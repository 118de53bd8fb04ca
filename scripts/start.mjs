// SPDX-License-Identifier: MIT
// `npm start`: install what is missing, build the app when its sources changed, serve it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDeps, run } from './ensure-deps.mjs';

const root = new URL('..', import.meta.url).pathname;
ensureDeps();

/** Newest modification time (ms) of a file, or of any file under a folder. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = ['src', 'workers', 'public', 'index.html', 'vite.config.ts', 'package-lock.json'];
const built = join(root, 'dist', 'index.html');
if (
  !existsSync(built) ||
  Math.max(...sources.map((s) => newest(join(root, s)))) > statSync(built).mtimeMs
) {
  console.log('Building the app (vite build)…');
  if (run('npx', ['vite', 'build']) !== 0) process.exit(1);
}

const server = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
