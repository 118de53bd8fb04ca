// SPDX-License-Identifier: MIT
// An emulated network link for benchmarks: a second network namespace joined
// to the bench's own private one through linkemu (bench/link/linkemu.c), which
// adds delay, jitter, loss and a bandwidth cap per direction. The kernel has no
// netem, so the link is a userspace forwarder between two TUN devices.
//
//   bench namespace (10.200.0.1 on v0, default route)  ── fa0 ═ linkemu ═ fb0 ──  link namespace (10.9.0.2)
//
// Everything between the two ends crosses linkemu: WebRTC, the page loads and
// the signaling of whatever runs in the link namespace. Both namespaces belong
// to the bench: the link namespace lives only as long as its holder process,
// which exits when the bench's pipe to it closes; linkemu stops the same way.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The address of the bench's own namespace, as the far end reaches it. */
export const NEAR_ADDRESS = '10.200.0.1';
/** The far end's address. */
export const FAR_ADDRESS = '10.9.0.2';

/**
 * Link profiles: round trip (split evenly per direction), jitter per
 * direction (order kept), loss per direction, bandwidth per direction, and the
 * bottleneck's buffer as time at that rate (tail drop beyond it).
 */
export const PROFILES = {
  lan: { rttMs: 2, jitterMs: 0.1, lossPct: 0, mbit: 300, queueMs: 20 },
  broadband: { rttMs: 40, jitterMs: 2, lossPct: 0.5, mbit: 100, queueMs: 50 },
  mobile: { rttMs: 120, jitterMs: 10, lossPct: 2, mbit: 20, queueMs: 100 },
};

/** linkemu's argument for one direction of a profile: "delay_us,jitter_us,loss_ppm,rate_kbit,queue_us". */
export function directionArg(p) {
  const us = (ms) => Math.round(ms * 1000);
  return [
    us(p.rttMs / 2),
    us(p.jitterMs),
    Math.round(p.lossPct * 10_000),
    p.mbit * 1000,
    us(p.queueMs),
  ].join(',');
}

/** Compiles linkemu with the system C compiler into a temporary folder; returns its path. */
export function buildLinkEmu() {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-linkemu-'));
  const out = join(dir, 'linkemu');
  const source = new URL('./linkemu.c', import.meta.url).pathname;
  const cc = spawnSync('cc', ['-O2', '-Wall', '-o', out, source], { stdio: 'inherit' });
  if (cc.status !== 0)
    throw new Error(
      'Could not compile bench/link/linkemu.c: install a C compiler (sudo apt-get install -y gcc).',
    );
  return out;
}

/** Runs `ip …` (in the namespace at `ns`, when given) and throws with its message if it fails. */
function ip(args, ns) {
  const cmd = ns ? ['nsenter', `--net=${ns}`, 'ip', ...args] : ['ip', ...args];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr.trim()}`);
}

/** Resolves with the first line a child prints that parses as JSON. */
function firstJsonLine(child) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) if (line.startsWith('{')) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`linkemu exited (${code}) before it was ready`)));
  });
}

/**
 * Opens a link with `profile` (a PROFILES entry) between this namespace and a
 * new one. Returns the far namespace's path, a Chromium launcher that runs
 * inside it, and close() → linkemu's counters (packets, bytes, lost, dropped
 * at the full buffer, per direction). Must run inside the bench's private
 * namespace (scripts/bench.mjs), as root.
 */
export async function openLink(linkemu, profile, { seed = 1, maxSeconds = 3600, chromium }) {
  if (process.env.FERRY_PRIVATE_NETWORK !== '1')
    throw new Error(
      'Link cases run only inside the private network namespace made by npm run bench.',
    );
  // The far namespace: held by a process that exits when our pipe to it closes.
  const holder = spawn(
    'unshare',
    ['-n', 'sh', '-c', 'ip link set lo up && echo up && exec cat >/dev/null'],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  await new Promise((resolve, reject) => {
    holder.stdout.once('data', resolve);
    holder.once('exit', (code) => reject(new Error(`could not make the link namespace (${code})`)));
  });
  const ns = `/proc/${holder.pid}/ns/net`;
  const emu = spawn(
    linkemu,
    [
      '-',
      'fa0',
      ns,
      'fb0',
      directionArg(profile),
      directionArg(profile),
      String(seed),
      String(maxSeconds),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await firstJsonLine(emu);
  const counters = new Promise((resolve) => {
    let out = '';
    emu.stdout.on('data', (c) => {
      out += c;
    });
    emu.once('exit', () => resolve(JSON.parse(out.trim().split('\n').pop() || '{}')));
  });
  ip(['link', 'set', 'fa0', 'up']);
  ip(['route', 'add', `${FAR_ADDRESS}/32`, 'dev', 'fa0']);
  ip(['addr', 'add', `${FAR_ADDRESS}/32`, 'dev', 'fb0'], ns);
  ip(['link', 'set', 'fb0', 'up'], ns);
  ip(['route', 'add', 'default', 'dev', 'fb0'], ns);
  // Chromium inside the far namespace: a launcher script that enters it first
  // (Playwright talks to the browser over a pipe, which crosses namespaces).
  const dir = mkdtempSync(join(tmpdir(), 'ferry-link-'));
  const launcher = join(dir, 'chromium-far');
  writeFileSync(launcher, `#!/bin/sh\nexec nsenter --net=${ns} ${chromium} "$@"\n`);
  chmodSync(launcher, 0o755);
  return {
    ns,
    launcher,
    async close() {
      emu.stdin.end();
      const result = await counters;
      holder.stdin.end();
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}
