// SPDX-License-Identifier: MIT
// CPU time used by every Chromium process, read from /proc (Linux). On a
// machine whose cores are all busy, throughput swings with whatever else
// runs; the CPU a transfer costs per byte is the steadier figure to compare.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * Seconds of CPU used so far by running Chromium processes, by kind:
 * `browser`, `renderer`, `gpu-process`, `utility:<service>` (network,
 * storage…). Empty off Linux.
 */
export function chromiumCpuByKind() {
  const out = {};
  for (const { cmdline, seconds } of chromiumProcesses()) {
    const type = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
    const service = /--utility-sub-type=([\w.]+)/.exec(cmdline)?.[1];
    // network.mojom.NetworkService → utility:network
    const kind = service ? `utility:${service.split('.')[0]}` : type;
    out[kind] = (out[kind] ?? 0) + seconds;
  }
  return out;
}

/**
 * With BENCH_CPU_DETAIL=1, prints where a case's CPU went, per kind of
 * process, in ms per MB (`before` from `chromiumCpuByKind`): a slow round
 * shows which process grew.
 */
export function printCpuDetail(name, before, bytes) {
  if (!process.env.BENCH_CPU_DETAIL) return;
  const after = chromiumCpuByKind();
  const parts = Object.keys(after)
    .map((k) => [k, ((after[k] - (before[k] ?? 0)) * 1e9) / bytes])
    .filter(([, v]) => v >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(1)}`);
  console.error(`cpu ms/MB ${name}: ${parts.join(', ')}`);
}

function chromiumProcesses() {
  let pids;
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const out = [];
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
      if (!cmdline.split(' ')[0].includes('chrom')) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // Fields after the parenthesised name: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ cmdline, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND });
    } catch {
      // The process ended between listing and reading.
    }
  }
  return out;
}

/** Seconds of CPU (user + system) used so far by all running Chromium processes, or null off Linux. */
export function chromiumCpuSeconds() {
  try {
    readdirSync('/proc');
  } catch {
    return null;
  }
  return chromiumProcesses().reduce((sum, p) => sum + p.seconds, 0);
}
