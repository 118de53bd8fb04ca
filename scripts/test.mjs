// SPDX-License-Identifier: MIT
// `npm test`: install what is missing, find Chromium, start a private Redis,
// then typecheck, lint, unit tests, and browser tests. Browser tests run inside a private network
// namespace made here, so no packet of a test leaves the machine.
//   --only browser   run just the browser and e2e tests
//   -- <filters>     run only test files matching these (vitest filters)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDeps, run } from './ensure-deps.mjs';
import { ensureChromium, ensurePackages } from './ensure-packages.mjs';
import { canIsolate, NETNS_SETUP } from './netns.mjs';
import { ensureRedis, startRedis } from './redis.mjs';

// Anything after `--` narrows the test files (vitest filters), e.g. `-- transfer-controls`.
const filters = process.argv.includes('--')
  ? process.argv.slice(process.argv.indexOf('--') + 1)
  : [];
const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : null;
ensureDeps();

// One private redis-server for the whole run (unit and browser steps): tests of
// the Redis room bus read its address from FERRY_TEST_REDIS_URL. A unix socket,
// so it is reachable from inside the private network namespace too.
ensureRedis();
const redis = await startRedis();
process.env.FERRY_TEST_REDIS_URL = redis.url;
process.on('exit', () => redis.process.kill());

const tally = { passed: 0, failed: 0 };
const failedSteps = [];

/** Runs vitest with a JSON report, adding its counts to the tally. */
function vitest(step, projects, wrap = (cmd) => cmd, env = {}) {
  const report = join(mkdtempSync(join(tmpdir(), 'ferry-report-')), 'report.json');
  const cmd = [
    'npx',
    'vitest',
    'run',
    ...projects.flatMap((p) => ['--project', p]),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...filters,
  ];
  const [bin, ...args] = wrap(cmd);
  const code = run(bin, args, { env: { ...process.env, ...env } });
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    tally.passed += json.numPassedTests;
    tally.failed += json.numFailedTests;
    rmSync(report, { force: true });
  }
  if (code !== 0) failedSteps.push(step);
}

function step(name, command, args) {
  console.log(`\n▶ ${name}`);
  if (run(command, args) !== 0) failedSteps.push(name);
}

function browserTests() {
  console.log('\n▶ browser and end-to-end tests (real Chromium, Firefox ESR, WebKitGTK)');
  ensureChromium();
  // Firefox ESR (driven over WebDriver BiDi) and WebKitGTK's driver under Xvfb: the other engines.
  ensurePackages('Firefox, WebKitGTK and Xvfb', [
    { path: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr', pkg: 'firefox-esr' },
    { path: '/usr/bin/WebKitWebDriver', pkg: 'webkit2gtk-driver' },
    // MiniBrowser comes with libwebkit2gtk-4.1-0, which the driver package depends on.
    { path: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', pkg: 'webkit2gtk-driver' },
    { path: '/usr/bin/xvfb-run', pkg: 'xvfb' },
  ]);
  // A real TURN relay for the relay tests (test/helpers/coturn.ts).
  ensurePackages('coturn', [{ path: '/usr/bin/turnserver', pkg: 'coturn' }]);
  const smallDisk = mkdtempSync(join(tmpdir(), 'ferry-small-disk-'));
  if (canIsolate()) {
    // Inside: a private network (WebRTC can only reach this namespace) and a
    // private mount of a small tmpfs (a real full disk for quota tests).
    const inner = `${NETNS_SETUP} && mount -t tmpfs -o size=160m tmpfs "$FERRY_SMALL_DISK_DIR" && exec "$@"`;
    vitest(
      'browser tests',
      ['browser', 'e2e'],
      (cmd) => ['unshare', '-n', '-m', 'sh', '-c', inner, 'sh', ...cmd],
      {
        FERRY_PRIVATE_NETWORK: '1',
        FERRY_SMALL_DISK_DIR: smallDisk,
      },
    );
  } else {
    console.warn(
      'This machine does not allow private network namespaces (unshare -n -m; needs root or user namespaces, and iproute2).\n' +
        'Tests that use WebRTC will stop with an error instead of using your real network interfaces; the full-disk test is skipped.',
    );
    vitest('browser tests', ['browser', 'e2e']);
  }
  rmSync(smallDisk, { recursive: true, force: true });
}

if (only !== 'browser') {
  step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
  step('lint', 'npm', ['run', '--silent', 'lint']);
  console.log('\n▶ unit tests');
  vitest('unit tests', ['unit']);
}
browserTests();
await redis.stop();

console.log(`\ntests: ${tally.passed} passed, ${tally.failed} failed`);
if (failedSteps.length > 0) {
  console.error(`Failed: ${failedSteps.join(', ')}`);
  process.exit(1);
}
