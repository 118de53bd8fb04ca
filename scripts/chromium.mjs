// SPDX-License-Identifier: MIT
// Where Chromium is and how to start it, shared by tests, benchmarks and tools.
import { existsSync } from 'node:fs';

/** Path of the Chromium binary: $CHROMIUM_PATH, else /usr/bin/chromium. */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** True when the Chromium binary exists. */
export function chromiumExists() {
  return existsSync(chromiumPath());
}

/**
 * Flags for headless Chromium on this kind of machine: no sandbox (root), no
 * GPU, and nothing that phones home (the network is closed; background
 * traffic only fails). mDNS candidates are off so WebRTC inside the private
 * test namespace uses plain host candidates.
 */
export function chromiumArgs() {
  return [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
  ];
}
