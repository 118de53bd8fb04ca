// SPDX-License-Identifier: MIT

/** Counts the characters a check compared, so a test can show its work grows linearly. */
export interface WorkTally {
  steps: number;
}

/**
 * Finds a path listed as a file that is also a folder of a later path ("a"
 * and "a/b"), given the paths one at a time in canonical (UTF-8 byte) order.
 * Then every path between a file "F" and a path "F/…" starts with "F", so
 * "F" is still on the chain of prefixes kept here when "F/…" comes. Each
 * path is pushed and popped once and each comparison is at most as long as
 * the path it pops or stops at: linear in the paths' total length (looking
 * up every folder of every path was quadratic in a path's depth).
 */
export class FolderConflictFinder {
  // Earlier paths, each a prefix of the next (the chain from the root to the last path).
  private readonly chain: string[] = [];

  constructor(private readonly tally?: WorkTally) {}

  /** Takes the next path; returns the earlier file it is inside, or null. */
  add(path: string): string | null {
    const { chain, tally } = this;
    while (chain.length > 0) {
      const top = chain[chain.length - 1]!;
      if (tally) tally.steps += Math.min(top.length, path.length) + 1;
      if (path.startsWith(top)) {
        if (path.charCodeAt(top.length) === 0x2f) return top;
        break;
      }
      chain.pop();
    }
    chain.push(path);
    return null;
  }
}

/** The first file/folder conflict among `paths` (canonical order), or null; see `FolderConflictFinder`. */
export function fileFolderConflict(
  paths: readonly string[],
  tally?: WorkTally,
): { file: string; path: string } | null {
  const finder = new FolderConflictFinder(tally);
  for (const path of paths) {
    const file = finder.add(path);
    if (file !== null) return { file, path };
  }
  return null;
}
