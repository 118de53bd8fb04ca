// SPDX-License-Identifier: MIT
// Installs node_modules when they are missing or older than the lockfile.
// Uses only Node built-ins: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const STAMP = join(root, 'node_modules', '.ferry-lock-sha256');

/** Runs a command in the project folder, inheriting the terminal; returns its exit code. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) {
    console.error(`Could not run ${command}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

/** Makes sure node_modules matches package-lock.json, running `npm ci` when it does not. */
export function ensureDeps() {
  const lock = join(root, 'package-lock.json');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  const have = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (want === have) return;
  console.log('Installing dependencies (npm ci)…');
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) {
    console.error('npm ci failed: see the messages above.');
    process.exit(1);
  }
  writeFileSync(STAMP, `${want}\n`);
}
