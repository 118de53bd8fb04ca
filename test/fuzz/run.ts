// SPDX-License-Identifier: MIT
// Runs fuzz targets for `npm run fuzz`: each input checked, plus a time bound
// per input and a heap bound per run. Prints the seed; a failure prints the
// seed and path that replay it:
//   node --expose-gc --import tsx test/fuzz/run.ts TARGET --runs N --seed S [--path P]
// Model targets run batches of command sequences until --steps steps (default 100,000) were checked.
import fc from 'fast-check';
import { fuzzBlockServer } from './model-block-server';
import { fuzzReceiveEngine } from './model-receive';
import { fuzzSessionTable } from './model-session-table';
import { DECODER_TARGETS, type FuzzTarget, FuzzViolation } from './targets';

/** Model-based targets: each runs random command sequences and returns the steps it checked. */
const MODEL_TARGETS: Record<
  string,
  (runs: number, seed: number, path?: string) => Promise<number>
> = {
  'model-session-table': fuzzSessionTable,
  'model-receive': fuzzReceiveEngine,
  'model-block-server': fuzzBlockServer,
};

/** Command sequences per batch of a model target (each batch has its own seed). */
const MODEL_BATCH_RUNS = 500;

/** Longest one input may take, ms: a decoder that takes longer on a small input has a complexity bug. */
const MAX_INPUT_MS = 250;
/** Most the heap may grow over a run, bytes, after garbage collection: decoders keep nothing. */
const MAX_HEAP_GROWTH = 64 * 1024 * 1024;
/** How often (inputs) the heap is measured. */
const HEAP_CHECK_EVERY = 100_000;

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Heap in use after a full collection (when the runner was started with --expose-gc). */
function heapNow(): number {
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Wall time of one call, ms. */
async function timed(call: () => void | Promise<void>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

/** Runs one target for `runs` inputs; returns the counts, or throws fast-check's report. */
async function fuzz(target: FuzzTarget<never>, runs: number, seed: number, path?: string) {
  await target.prepare?.();
  const heapAtStart = heapNow();
  let inputs = 0;
  let slowest = 0;
  let heapPeak = 0;
  const checkOne = async (input: never) => {
    let took = await timed(() => target.check(input));
    // A busy machine or a garbage collection can stall any one call: only an input that is
    // slow every time it is tried again (a complexity bug) breaks the bound.
    for (let retry = 0; took > MAX_INPUT_MS && retry < 3; retry++)
      took = Math.min(took, await timed(() => target.check(input)));
    slowest = Math.max(slowest, took);
    if (took > MAX_INPUT_MS) throw new FuzzViolation(`one input took ${took.toFixed(0)} ms`);
    if (++inputs % HEAP_CHECK_EVERY === 0) {
      const growth = heapNow() - heapAtStart;
      heapPeak = Math.max(heapPeak, growth);
      if (growth > MAX_HEAP_GROWTH)
        throw new FuzzViolation(`the heap grew ${(growth / 2 ** 20).toFixed(0)} MiB`);
    }
  };
  const started = performance.now();
  await fc.assert(fc.asyncProperty(target.input, checkOne), {
    numRuns: runs,
    seed,
    ...(path ? { path } : {}),
    endOnFailure: false,
  });
  const seconds = (performance.now() - started) / 1000;
  return { inputs, seconds, slowest, heapPeak };
}

const names = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const runs = Number(flag('runs') ?? 1_000_000);
const minSteps = Number(flag('steps') ?? 100_000);
const seed = Number(flag('seed') ?? Date.now() % 2 ** 31);
const known = [...DECODER_TARGETS.map((t) => t.name), ...Object.keys(MODEL_TARGETS)];
const wanted = names.length > 0 ? names : known;
const unknown = wanted.filter((n) => !known.includes(n));
if (unknown.length > 0) {
  console.error(`No such target: ${unknown.join(', ')}. Targets: ${known.join(', ')}`);
  process.exit(2);
}

/** Prints one failure with what replays it. */
function report(name: string, err: unknown, replaySeed: number): void {
  const cause = (err as Error).cause as Error | undefined;
  console.error(
    `${name}: FAILED (seed ${replaySeed})\n${(err as Error).message}${cause ? `\nCause: ${cause.message}` : ''}`,
  );
}

let failed = 0;
for (const target of DECODER_TARGETS.filter((t) => wanted.includes(t.name))) {
  try {
    const r = await fuzz(target, runs, seed, flag('path'));
    console.log(
      `${target.name.padEnd(20)} ${r.inputs.toLocaleString('en')} inputs in ${r.seconds.toFixed(1)} s ` +
        `(${Math.round(r.inputs / r.seconds).toLocaleString('en')}/s), slowest ${r.slowest.toFixed(1)} ms, ` +
        `heap growth ≤ ${(r.heapPeak / 2 ** 20).toFixed(1)} MiB, seed ${seed}: ok`,
    );
  } catch (err) {
    failed++;
    report(target.name, err, seed);
  }
}
for (const [name, model] of Object.entries(MODEL_TARGETS)) {
  if (!wanted.includes(name)) continue;
  const started = performance.now();
  let steps = 0;
  let sequences = 0;
  // Batches with consecutive seeds until enough steps were checked; a failure names its batch's seed.
  for (let batch = 0; steps < minSteps; batch++) {
    try {
      const r = await model(MODEL_BATCH_RUNS, seed + batch, flag('path'));
      steps += r;
      sequences += MODEL_BATCH_RUNS;
    } catch (err) {
      failed++;
      report(name, err, seed + batch);
      break;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${name.padEnd(20)} ${steps.toLocaleString('en')} steps in ${sequences.toLocaleString('en')} sequences, ${seconds.toFixed(1)} s, seed ${seed}`,
  );
}
process.exit(failed > 0 ? 1 : 0);
