// SPDX-License-Identifier: MIT
import { existsSync } from 'node:fs';
import { chromiumPath } from './chromium.mjs';
import { run } from './ensure-deps.mjs';

/**
 * Makes sure Chromium is there: as root on Debian it installs the `chromium`
 * package; anywhere else it stops with the exact command to run.
 */
export function ensureChromium() {
  if (existsSync(chromiumPath())) return;
  const isRoot = process.getuid?.() === 0;
  if (!process.env.CHROMIUM_PATH && isRoot && existsSync('/etc/debian_version')) {
    console.log('Chromium not found: installing it with apt-get…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (
      run('apt-get', ['update'], { env }) === 0 &&
      run('apt-get', ['install', '-y', 'chromium'], { env }) === 0 &&
      existsSync(chromiumPath())
    )
      return;
  }
  console.error(
    `Chromium was not found at ${chromiumPath()}.\n` +
      'Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium binary, then run npm test again.',
  );
  process.exit(1);
}
