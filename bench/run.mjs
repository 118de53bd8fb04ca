// SPDX-License-Identifier: MIT
// Runs every benchmark case in real Chromium, rounds interleaved so that the
// machine's noise hits all cases alike; reports medians and ratios to each
// case's baseline from the same run. Started by scripts/bench.mjs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
/** Each case's baseline: the figure its ratio is taken against. */
const BASELINES = {
  'hash-raw': null,
  'hash-raw-blocks': 'hash-raw',
  'file-read-many': 'hash-raw',
  'file-read-big': 'hash-raw',
  'hash-1worker-many-serial': 'hash-raw',
  'hash-1worker-many': 'hash-raw',
  'hash-pool-many': 'hash-1worker-many',
  'hash-1worker-big': 'hash-raw-blocks',
  'hash-pool-big': 'hash-1worker-big',
  'idb-raw-write': null,
  'store-write': 'idb-raw-write',
  'store-read': null,
};
const only = process.argv.slice(2);

const root = new URL('..', import.meta.url).pathname;
const vite = await createServer({ root, logLevel: 'warn', server: { host: '127.0.0.1', port: 0 } });
await vite.listen();
const profile = mkdtempSync(join(tmpdir(), 'ferry-bench-profile-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath(),
  args: chromiumArgs(),
});
const page = await context.newPage();
page.on('pageerror', (err) => console.error('page error:', err));
await page.goto(`${vite.resolvedUrls.local[0]}bench/index.html`);
await page.waitForFunction(() => 'ferryBench' in window);
const { cores } = await page.evaluate(() => window.ferryBench.setup());
const names = (await page.evaluate(() => window.ferryBench.names())).filter(
  (n) => only.length === 0 || only.includes(n),
);

const samples = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round <= ROUNDS; round++) {
  for (const name of names) {
    const { bytes, ms } = await page.evaluate((n) => window.ferryBench.run(n), name);
    // Round 0 warms up (JIT, WASM compile, disk cache) and is not counted.
    if (round > 0) samples[name].push(bytes / ms / 1000);
  }
  if (round > 0) console.log(`round ${round}/${ROUNDS} done`);
}
await context.close();
await vite.close();
rmSync(profile, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cases = names.map((name) => ({
  name,
  mbps: median(samples[name]),
  samples: samples[name],
  baseline: BASELINES[name] ?? null,
}));
for (const c of cases) {
  const base = cases.find((b) => b.name === c.baseline);
  c.ratio = base ? c.mbps / base.mbps : null;
}
const round2 = (x) => (x === null ? null : Math.round(x * 100) / 100);
const result = {
  date: new Date().toISOString(),
  machine: { cores, chromium: context.browser()?.version() ?? null },
  unit: 'MB/s (10^6 bytes per second), median of rounds',
  rounds: ROUNDS,
  cases: cases.map((c) => ({
    ...c,
    mbps: round2(c.mbps),
    ratio: round2(c.ratio),
    samples: c.samples.map(round2),
  })),
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'latest.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
console.log(`\n${'case'.padEnd(26)}${'MB/s'.padStart(9)}  ${'ratio'.padStart(6)}  baseline`);
for (const c of result.cases) {
  console.log(
    `${c.name.padEnd(26)}${String(c.mbps).padStart(9)}  ${String(c.ratio ?? '–').padStart(6)}  ${c.baseline ?? '–'}`,
  );
}
console.log('\nwritten to bench/results/latest.json');
