// SPDX-License-Identifier: MIT

/** Counts the characters a check compared, so a test can show its work grows linearly. */
export interface WorkTally {
  steps: number;
}

/**
 * The first path that is listed as a file and is also a folder of a later
 * path ("a" and "a/b"), or null. `paths` must be in canonical (UTF-8 byte)
 * order; then every path between a file "F" and a path "F/…" starts with
 * "F", so "F" is still on the chain of prefixes kept below when "F/…" comes.
 * Each path is pushed and popped once and each comparison is at most as long
 * as the path it pops or stops at: linear in the paths' total length (looking
 * up every folder of every path was quadratic in a path's depth).
 */
export function fileFolderConflict(
  paths: readonly string[],
  tally?: WorkTally,
): { file: string; path: string } | null {
  // Earlier paths, each a prefix of the next (the chain from the root to the current path).
  const chain: string[] = [];
  for (const path of paths) {
    while (chain.length > 0) {
      const top = chain[chain.length - 1]!;
      if (tally) tally.steps += Math.min(top.length, path.length) + 1;
      if (path.startsWith(top)) {
        if (path.charCodeAt(top.length) === 0x2f) return { file: top, path };
        break;
      }
      chain.pop();
    }
    chain.push(path);
  }
  return null;
}
