// SPDX-License-Identifier: MIT
// The real programs tests and benchmarks run (Chromium, Firefox, Redis,
// coturn, WebKitGTK): found, or installed from Debian's packages as root, or
// the exact command to run printed. Uses only Node built-ins.
import { existsSync } from 'node:fs';
import { chromiumPath } from './chromium.mjs';
import { run } from './ensure-deps.mjs';

/** Debian packages apt-get has already installed in this process, so each is tried once. */
const tried = new Set();

/**
 * Makes sure each `{ path, pkg }` exists: as root on Debian, missing ones are
 * installed with one apt-get; anywhere else (or when that fails) it stops the
 * process with the exact command to run. `what` names them in the message.
 */
export function ensurePackages(what, programs) {
  const missing = () => programs.filter((p) => !existsSync(p.path));
  if (missing().length === 0) return;
  const pkgs = [...new Set(missing().map((p) => p.pkg))];
  const isRoot = process.getuid?.() === 0;
  const fresh = pkgs.filter((p) => !tried.has(p));
  if (isRoot && existsSync('/etc/debian_version') && fresh.length > 0) {
    for (const p of fresh) tried.add(p);
    console.log(`${what} not found: installing ${pkgs.join(', ')} with apt-get…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update'], { env }) === 0)
      run('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env });
    if (missing().length === 0) return;
  }
  console.error(
    `${what} was not found (${missing()
      .map((p) => p.path)
      .join(', ')}).\n` +
      `Install it (Debian/Ubuntu: sudo apt-get install -y ${pkgs.join(' ')}), then run the command again.`,
  );
  process.exit(1);
}

/** Makes sure Chromium is there (the `chromium` package, or $CHROMIUM_PATH). */
export function ensureChromium() {
  if (process.env.CHROMIUM_PATH && !existsSync(chromiumPath())) {
    console.error(`CHROMIUM_PATH points at ${chromiumPath()}, which does not exist.`);
    process.exit(1);
  }
  ensurePackages('Chromium', [{ path: chromiumPath(), pkg: 'chromium' }]);
}
