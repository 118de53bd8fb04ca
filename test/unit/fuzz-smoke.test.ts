// SPDX-License-Identifier: MIT
// A few thousand inputs of every fuzz target on each `npm test` (fixed seed,
// so a failure replays); `npm run fuzz` runs a million of each.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { fuzzBlockServer } from '../fuzz/model-block-server';
import { fuzzReceiveEngine } from '../fuzz/model-receive';
import { fuzzSessionTable } from '../fuzz/model-session-table';
import { DECODER_TARGETS } from '../fuzz/targets';

/** Inputs per target here: a few seconds in all on this machine. */
const SMOKE_RUNS = 3000;
const SEED = 20261126;
/** Command sequences per model target here (each tens of steps). */
const MODEL_SMOKE_RUNS = 60;
/**
 * Per test, ms: a few seconds here when the machine is quiet, three times
 * that under load. These check behaviour, not speed: they must not fail
 * because another process took the CPU.
 */
const SMOKE_TIMEOUT_MS = 120_000;

describe('fuzz targets, briefly', () => {
  for (const target of DECODER_TARGETS) {
    it(
      `${target.name}: refuses only with Ferry errors and re-encodes what it accepts`,
      async () => {
        await target.prepare?.();
        await fc.assert(
          fc.asyncProperty(target.input, async (input) => {
            await target.check(input);
          }),
          { numRuns: SMOKE_RUNS, seed: SEED },
        );
      },
      SMOKE_TIMEOUT_MS,
    );
  }

  it(
    'model-session-table: the sender session table keeps its model through random sequences',
    async () => {
      await fuzzSessionTable(MODEL_SMOKE_RUNS, SEED);
    },
    SMOKE_TIMEOUT_MS,
  );

  it(
    'model-receive: the receive engine against a hostile sender stores only genuine bytes and always ends',
    async () => {
      await fuzzReceiveEngine(MODEL_SMOKE_RUNS, SEED);
    },
    SMOKE_TIMEOUT_MS,
  );

  it(
    'model-block-server: the sender against a hostile receiver stays bounded and sends only what was asked',
    async () => {
      await fuzzBlockServer(MODEL_SMOKE_RUNS / 2, SEED);
    },
    SMOKE_TIMEOUT_MS,
  );
});
