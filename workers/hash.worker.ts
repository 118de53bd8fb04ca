// SPDX-License-Identifier: MIT
import { expose, transfer } from 'comlink';
import { createBlake3 } from '../src/adapters/blake3-wasm';
import { type FileDigest, FileHasher } from '../src/core/content/file-hasher';
import { FerryError } from '../src/core/errors';

/** Least time between two progress reports, in ms: enough for a smooth bar, few messages. */
const PROGRESS_INTERVAL_MS = 50;

// Two hash states, made once per worker and reused for every file (init() resets them).
const hashers = Promise.all([createBlake3(), createBlake3()]);

const api = {
  /**
   * Hashes one file read in place (File.stream(): never whole in memory).
   * Reports bytes hashed through `onProgress` at most every 50 ms.
   */
  async hashFile(file: Blob, onProgress: (hashed: number) => void): Promise<FileDigest> {
    if (!(file instanceof Blob))
      throw new FerryError('Hash/ReadFailed', 'Only files can be hashed.');
    const name = file instanceof File ? `"${file.name}"` : 'the file';
    const [whole, block] = await hashers;
    const hasher = new FileHasher(file.size, whole, block);
    let lastReport = performance.now();
    try {
      const reader = file.stream().getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        hasher.update(value);
        const now = performance.now();
        if (now - lastReport >= PROGRESS_INTERVAL_MS) {
          lastReport = now;
          onProgress(hasher.hashed);
        }
      }
      const digest = hasher.finish();
      onProgress(digest.size);
      return transfer(digest, [digest.outboard.buffer as ArrayBuffer]);
    } catch (err) {
      const changed = err instanceof RangeError;
      throw new FerryError(
        'Hash/ReadFailed',
        changed
          ? `${name} changed while it was being read. Add it again.`
          : `Could not read ${name}: it may have been moved, changed or deleted since it was picked. Add it again.`,
        { cause: err },
      );
    }
  },
};

/** The hash worker's API, as the bridge sees it through Comlink. */
export type HashWorkerApi = typeof api;

expose(api);
