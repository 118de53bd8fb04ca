// SPDX-License-Identifier: MIT
// `npm run fuzz [target…] [-- --runs N --seed S]`: every fuzz target, a million
// inputs each by default, spread over two processes (this machine's cores).
// Not part of `npm test`, which runs a few thousand inputs of each.
import { spawn } from 'node:child_process';
import { ensureDeps } from './ensure-deps.mjs';

ensureDeps();
const root = new URL('..', import.meta.url).pathname;
const TARGETS = [
  'frames',
  'manifest',
  'ticket',
  'signal-client',
  'signal-server',
  'sealed-envelope',
  'model-session-table',
  'model-receive',
  'model-block-server',
];
const args = process.argv.slice(2);
const named = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const flags = args.filter((a) => !named.includes(a));
if (!flags.includes('--seed')) flags.push('--seed', String(Date.now() % 2 ** 31));
const all = named.length > 0 ? named : TARGETS;
const lanes = [[], []];
for (const [i, t] of all.entries()) lanes[i % lanes.length].push(t);

const started = Date.now();
const codes = await Promise.all(
  lanes
    .filter((lane) => lane.length > 0)
    .map(
      (lane) =>
        new Promise((resolve) => {
          const child = spawn(
            process.execPath,
            [
              '--expose-gc',
              '--max-old-space-size=2048',
              '--import',
              'tsx',
              'test/fuzz/run.ts',
              ...lane,
              ...flags,
            ],
            { cwd: root, stdio: 'inherit' },
          );
          child.on('exit', (code) => resolve(code ?? 1));
        }),
    ),
);
console.log(`fuzz: ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(codes.some((c) => c !== 0) ? 1 : 0);
