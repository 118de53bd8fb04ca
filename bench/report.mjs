// SPDX-License-Identifier: MIT
// Turns a bench run's per-round samples and figures into the reported
// cases (medians, ratios to baselines and ceilings) and prints them.

/** Rounds to two decimals (null stays null). */
export const round2 = (x) => (x === null ? null : Math.round(x * 100) / 100);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * One entry per case in `names`: MB/s median of `samples[name]`, the
 * medians or worst rounds of its `extra[name]` figures, its ratio to its
 * baseline (`baselines`) and, round by round, to its ceiling (`ceilings`;
 * the mean of the ceiling's runs before and after the round's transfer
 * cases when `ceilingsAfter` has them).
 */
export function summarize({ names, samples, extra, baselines, ceilings, ceilingsAfter = {} }) {
  const cases = names.map((name) => ({
    name,
    mbps: median(samples[name]),
    samples: samples[name],
    baseline: baselines[name] ?? null,
    // Time to first byte (and, for app transfers, the receiver's peak JS heap), medians.
    ...(extra[name]?.ttfbMs ? { ttfbMs: Math.round(median(extra[name].ttfbMs)) } : {}),
    // CPU of every Chromium process per MB moved (Linux), median: steadier than MB/s on a busy machine.
    ...(extra[name]?.cpuMsPerMB?.every((x) => x !== null)
      ? { cpuMsPerMB: round2(median(extra[name].cpuMsPerMB)) }
      : {}),
    ...(extra[name]?.heapPeakMB ? { heapPeakMB: Math.round(median(extra[name].heapPeakMB)) } : {}),
    // e2e-big: where the wait went (median ms): checking, transfer, saving.
    ...(extra[name]?.saveMs
      ? Object.fromEntries(
          ['checkMs', 'transferMs', 'saveMs'].map((k) => [k, Math.round(median(extra[name][k]))]),
        )
      : {}),
    // Save cases: every figure of their one round.
    ...(extra[name]?.save ? { save: extra[name].save[0] } : {}),
    // Smoothness (receiver page): store writes per frame (≤ 1 by design), tasks over 50 ms.
    ...(extra[name]?.writesPerFrame
      ? {
          writesPerFrame: round2(Math.max(...extra[name].writesPerFrame)),
          extraWritesInFrame: Math.max(...extra[name].extraWritesInFrame),
        }
      : {}),
    // Sender's bytes on the wire per byte moved: median, and the worst round.
    ...(extra[name]?.wirePerByte
      ? {
          wirePerByte: round2(median(extra[name].wirePerByte)),
          wirePerByteMax: round2(Math.max(...extra[name].wirePerByte)),
          wirePerByteRounds: extra[name].wirePerByte.map(round2),
        }
      : {}),
    // Packets the sender's browser dropped before the wire (SCTP sends them again): worst round.
    ...(extra[name]?.droppedPackets
      ? {
          droppedPackets: Math.max(...extra[name].droppedPackets),
          droppedRounds: extra[name].droppedPackets,
        }
      : {}),
    // Main-thread tasks over 50 ms (the receiving page of a transfer, the sending page of a check): worst round.
    ...(extra[name]?.longTasks
      ? {
          longTasks: Math.max(...extra[name].longTasks),
          longestTaskMs: Math.round(Math.max(...extra[name].longestTaskMs)),
        }
      : {}),
    // The same by CPU (BENCH_TASK_CPU): both pages' tasks that worked 50 ms, worst round.
    ...(extra[name]?.cpuLongTasks
      ? {
          cpuLongTasks: Math.max(...extra[name].cpuLongTasks),
          longestTaskCpuMs: Math.round(Math.max(...extra[name].longestTaskCpuMs)),
        }
      : {}),
    ...(extra[name]?.senderLongTasks
      ? {
          senderLongTasks: Math.max(...extra[name].senderLongTasks),
          senderLongestTaskMs: Math.round(Math.max(...extra[name].senderLongestTaskMs)),
        }
      : {}),
  }));
  for (const c of cases) {
    const base = cases.find((b) => b.name === c.baseline);
    c.ratio = base ? c.mbps / base.mbps : null;
    // Against its ceiling, round by round (the two ran minutes apart), then the median.
    const before = ceilings[c.name] && samples[ceilings[c.name]];
    const after = ceilings[c.name] && ceilingsAfter[ceilings[c.name]];
    if (before && before.length === c.samples.length) {
      // The ceiling of the round: its runs before and after the transfer cases, averaged.
      const both = after?.length === before.length;
      const ceiling = both ? before.map((x, i) => (x + after[i]) / 2) : before;
      c.ofCeilingRounds = c.samples.map((x, i) => round2(x / ceiling[i]));
      c.ofCeiling = median(c.ofCeilingRounds);
      // How far the ceiling itself moved within each round (after over before).
      if (both) c.ceilingDriftRounds = before.map((x, i) => round2(after[i] / x));
    }
  }
  return cases;
}

/** Prints the reported cases as a table, one line each. */
export function printCases(cases) {
  console.log(`\n${'case'.padEnd(26)}${'MB/s'.padStart(9)}  ${'ratio'.padStart(6)}  baseline`);
  for (const c of cases) {
    console.log(
      `${c.name.padEnd(26)}${String(c.mbps).padStart(9)}  ${String(c.ratio ?? '–').padStart(6)}  ${(c.baseline ?? '–').padEnd(20)}${c.ttfbMs === undefined ? '' : `ttfb ${c.ttfbMs} ms`}${c.cpuMsPerMB === undefined ? '' : `  cpu ${c.cpuMsPerMB} ms/MB`}${c.ofCeiling === undefined ? '' : `  of ceiling ${c.ofCeiling} (${c.ofCeilingRounds.join(', ')})`}${c.ceilingDriftRounds === undefined ? '' : `  [ceiling after/before ${c.ceilingDriftRounds.join(', ')}]`}${c.wirePerByte === undefined ? '' : `  wire ${c.wirePerByte}× (max ${c.wirePerByteMax}×)`}${c.droppedPackets ? `  dropped ${c.droppedRounds.join('/')}` : ''}${c.heapPeakMB === undefined ? '' : `  heap ${c.heapPeakMB} MB`}${c.writesPerFrame === undefined ? '' : `  writes/frame ${c.writesPerFrame} (2nd in a frame: ${c.extraWritesInFrame})`}${c.longTasks === undefined ? '' : `  tasks>50ms ${c.longTasks} (max ${c.longestTaskMs} ms)`}${c.senderLongTasks === undefined ? '' : ` / sender ${c.senderLongTasks} (max ${c.senderLongestTaskMs} ms)`}${c.cpuLongTasks === undefined ? '' : `  by CPU ${c.cpuLongTasks} (max ${c.longestTaskCpuMs} ms)`}`,
    );
  }
}
