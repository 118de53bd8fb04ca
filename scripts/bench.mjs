// SPDX-License-Identifier: MIT
// `npm run bench [case…]`: installs what is missing, then runs bench/run.mjs
// inside a private network namespace (WebRTC cases must not touch real interfaces).

import { ensureDeps, run } from './ensure-deps.mjs';
import { ensureChromium } from './ensure-packages.mjs';
import { canIsolate, NETNS_SETUP } from './netns.mjs';

ensureDeps();
ensureChromium();
const args = ['bench/run.mjs', ...process.argv.slice(2)];
let code;
if (canIsolate()) {
  code = run(
    'unshare',
    ['-n', 'sh', '-c', `${NETNS_SETUP} && exec "$@"`, 'sh', process.execPath, ...args],
    {
      env: { ...process.env, FERRY_PRIVATE_NETWORK: '1' },
    },
  );
} else {
  console.warn(
    'No private network namespace here (unshare -n): cases that use WebRTC will refuse to run.',
  );
  code = run(process.execPath, args);
}
process.exit(code);
