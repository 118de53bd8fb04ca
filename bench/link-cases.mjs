// SPDX-License-Identifier: MIT
// Benchmarks over an emulated link (bench/link): the receiving end runs in a
// second Chromium process in its own network namespace, everything between the
// two crosses linkemu. Per profile, in the same run: a raw data channel (the
// usual 64 KiB buffering, 256 KiB messages) and Ferry through the app with 1
// and 6 streams, one big file and 1,000 small ones.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../scripts/chromium.mjs';
import { checkLink } from './link/check-link.mjs';
import { NEAR_ADDRESS, openLink, PROFILES } from './link/link.mjs';
import { makeBigFile, runTransfer } from './transfer-cases.mjs';
import { ceilingRun, openPair, rawRun } from './webrtc-pair.mjs';

/**
 * How much each profile moves per case: tens of seconds for one raw channel,
 * whose single congestion window loss holds far below the link's bandwidth
 * (about MSS/RTT × 1.22/√loss: ~0.5 MB/s on broadband, ~0.1 MB/s on mobile).
 */
const BIG_MIB = { lan: 256, broadband: 24, mobile: 6 };
/** BENCH_LINK_MIB=n moves n MiB per case on every profile instead (quick checks of the harness). */
const mibFor = (profile) => Number(process.env.BENCH_LINK_MIB) || BIG_MIB[profile];

/**
 * Every link case: `link-<profile>-raw|big-1|big-6|small-6|small-1`, and the ceilings
 * `link-<profile>-ceiling-big|ceiling-small` (bench/ceiling.ts: the least
 * work of any verified, stored transfer, over one raw channel on the link).
 */
export const LINK_CASES = Object.fromEntries(
  Object.keys(PROFILES).flatMap((profile) => [
    [`link-${profile}-raw`, { profile, kind: 'raw' }],
    [`link-${profile}-ceiling-big`, { profile, kind: 'ceiling', pick: 'big' }],
    [`link-${profile}-ceiling-small`, { profile, kind: 'ceiling', pick: 'small' }],
    [`link-${profile}-big-1`, { profile, pick: 'big', streams: 1 }],
    [`link-${profile}-big-6`, { profile, pick: 'big', streams: 6 }],
    [`link-${profile}-small-6`, { profile, pick: 'small', streams: 6 }],
    [`link-${profile}-small-1`, { profile, pick: 'small', streams: 1 }],
  ]),
);

/** The baseline a link case's ratio is taken against: the raw channel on the same link. */
export function linkBaseline(name) {
  const spec = LINK_CASES[name];
  return spec && spec.kind !== 'raw' ? `link-${spec.profile}-raw` : null;
}

/** The small files, in name order (as the ceiling picks them). */
function smallPaths(inputs) {
  const dir = join(inputs.root, 'small');
  return readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
}

/** `http://127.0.0.1:port/…` as the far end reaches the same server: through the link. */
function farUrl(url) {
  const u = new URL(url);
  u.hostname = NEAR_ADDRESS;
  return u.toString();
}

/**
 * Runs the selected link cases, profile by profile (one link, one far
 * browser each), rounds interleaved within a profile. `near` is the bench's
 * browser; `viteUrl` serves bench/webrtc.html, `app` the built app; both must
 * listen on every address of the bench namespace. Returns { samples, extra, links }.
 */
export async function runLinkCases(
  names,
  { near, viteUrl, app, inputs, rounds, linkemu, chromium: binary },
) {
  const samples = {};
  const extra = {};
  const links = {};
  const profiles = [...new Set(names.map((n) => LINK_CASES[n].profile))];
  for (const profile of profiles) {
    links[profile] = await checkLink(linkemu, profile);
    console.log(`link ${profile}: ${JSON.stringify(links[profile])}`);
    const mine = names.filter((n) => LINK_CASES[n].profile === profile);
    const bigPath = makeBigFile(inputs.root, mibFor(profile));
    const link = await openLink(linkemu, PROFILES[profile], { seed: 7, chromium: binary });
    const origins = [viteUrl, app.url].map((u) => new URL(farUrl(u)).origin);
    const far = await chromium.launch({
      executablePath: link.launcher,
      // Pages reach the bench's servers at a plain-http private address: let them be secure contexts.
      args: [...chromiumArgs(), `--unsafely-treat-insecure-origin-as-secure=${origins.join(',')}`],
    });
    for (const name of mine) samples[name] = [];
    for (let round = 0; round <= rounds; round++) {
      for (const name of mine) {
        const spec = LINK_CASES[name];
        let r;
        if (spec.kind === 'raw' || spec.kind === 'ceiling') {
          const pair = await openPair(
            near,
            far,
            `${viteUrl}bench/webrtc.html`,
            `${farUrl(viteUrl)}bench/webrtc.html`,
          );
          r =
            spec.kind === 'raw'
              ? await rawRun(pair, mibFor(profile) * 1024 * 1024)
              : await ceilingRun(pair, spec.pick === 'big' ? [bigPath] : smallPaths(inputs));
          await pair.close();
        } else {
          const file = spec.pick === 'big' ? bigPath : null;
          r = await runTransfer(
            near,
            app.url,
            inputs,
            { ...spec, file },
            { browser: far, rewrite: farUrl },
          );
        }
        if (round === 0) continue;
        samples[name].push(r.bytes / r.ms / 1000);
        extra[name] ??= {};
        for (const key of Object.keys(r).filter((k) => k !== 'bytes' && k !== 'ms')) {
          extra[name][key] ??= [];
          extra[name][key].push(r[key]);
        }
      }
      if (round > 0) console.log(`link ${profile} round ${round}/${rounds} done`);
    }
    await far.close();
    links[profile].counters = await link.close();
  }
  return { samples, extra, links };
}
