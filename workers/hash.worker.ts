// SPDX-License-Identifier: MIT
import { expose, releaseProxy, transfer } from 'comlink';
import { createBlake3 } from '../src/adapters/blake3-wasm';
import { type StoredBlock, toStoredBlock } from '../src/adapters/stored-block';
import { bytesEqual } from '../src/core/bytes';
import { HASH_READ_SIZE } from '../src/core/constants';
import type { Blake3 } from '../src/core/content/blake3';
import { type BlockHashes, type FileDigest, FileHasher } from '../src/core/content/file-hasher';
import { RunningProofs } from '../src/core/content/running-proof';
import { FerryError } from '../src/core/errors';

/** Least time between two progress reports, in ms: enough for a smooth bar, few messages. */
const PROGRESS_INTERVAL_MS = 50;

/** Bytes read per slice: large for speed, and two slices in memory per file stay small. */
const READ_SIZE = HASH_READ_SIZE;

/**
 * Yields the file's bytes slice by slice, with the next slice's read already
 * under way while the caller hashes the current one: disk and CPU overlap.
 */
async function* readAhead(file: Blob): AsyncGenerator<Uint8Array> {
  const read = (offset: number) =>
    file.slice(offset, Math.min(file.size, offset + READ_SIZE)).arrayBuffer();
  let next = file.size > 0 ? read(0) : null;
  for (let offset = 0; next; offset += READ_SIZE) {
    const current = await next;
    next = offset + READ_SIZE < file.size ? read(offset + READ_SIZE) : null;
    // A file that shrank since it was picked: stop here and let the hasher say so.
    if (current.byteLength === 0) break;
    yield new Uint8Array(current);
  }
}

// Hash states are reused across files (init() resets them); a worker runs a
// few files at once (their reads overlap), so it keeps a pair per file in flight.
const idleHashers: [Blake3, Blake3][] = [];
async function takeHashers(): Promise<[Blake3, Blake3]> {
  return idleHashers.pop() ?? Promise.all([createBlake3(), createBlake3()]);
}

/** Received files' hashes, built from their verified blocks as they come (`verifyBlock`). */
const runningProofs = new RunningProofs(createBlake3);

const api = {
  /**
   * BLAKE3 of bytes already in memory (an outboard), returned with the
   * bytes themselves (transferred back: the page posted a copy).
   */
  async hashBytes(data: Uint8Array): Promise<{ hash: Uint8Array; data: Uint8Array }> {
    const pair = await takeHashers();
    try {
      pair[0].init();
      pair[0].update(data);
      const hash = pair[0].digest();
      return transfer({ hash, data }, [data.buffer as ArrayBuffer]);
    } finally {
      idleHashers.push(pair);
    }
  },

  /**
   * Checks one received block against its expected BLAKE3 and, when it
   * matches, turns it into what the store keeps (`toStoredBlock`): a large
   * block becomes a Blob here, so the main thread never pays for one; a
   * small one goes back as bytes, transferred. Null when it does not match.
   * With `proof`, a matching block also goes into its file's running hash
   * (`RunningProofs`), which `finishProof` hands over.
   */
  async verifyBlock(
    data: Uint8Array,
    expected: Uint8Array,
    proof?: { key: string; block: number },
  ): Promise<StoredBlock | null> {
    const pair = await takeHashers();
    try {
      pair[0].init();
      pair[0].update(data);
      if (!bytesEqual(pair[0].digest(), expected)) return null;
      if (proof) await runningProofs.add(proof.key, proof.block, data);
      const stored = toStoredBlock(data);
      return stored instanceof Blob ? stored : transfer(stored, [stored.buffer]);
    } finally {
      idleHashers.push(pair);
    }
  },

  /**
   * The whole-file BLAKE3 of file `key` from the blocks `verifyBlock` fed
   * it, when all `blocks` were; else null (it is then read back to be proven).
   */
  finishProof(key: string, blocks: number): Uint8Array | null {
    return runningProofs.finish(key, blocks);
  },

  /** Follows file `from`'s running hash as `to` (a draft file adopted under its final key). */
  renameProof(from: string, to: string): void {
    runningProofs.rename(from, to);
  },

  /** Forgets file `key`'s running hash (its transfer failed), freeing the blocks it held. */
  forgetProof(key: string): void {
    runningProofs.forget(key);
  },

  /**
   * BLAKE3 of a whole Blob read in place (a received file in IndexedDB),
   * without block hashes: proving a received file needs only its file hash,
   * and one hash state costs half of `hashFile`'s two. Read 8 MiB at a time.
   */
  async hashWhole(file: Blob): Promise<Uint8Array> {
    if (!(file instanceof Blob))
      throw new FerryError('Hash/ReadFailed', 'Only files can be hashed.');
    const pair = await takeHashers();
    try {
      pair[0].init();
      let read = 0;
      for await (const chunk of readAhead(file)) {
        pair[0].update(chunk);
        read += chunk.length;
      }
      if (read !== file.size) throw new RangeError('short read');
      return pair[0].digest();
    } catch (err) {
      throw new FerryError(
        'Hash/ReadFailed',
        "Could not read a received file back from this browser's storage.",
        { cause: err },
      );
    } finally {
      idleHashers.push(pair);
    }
  },

  /**
   * Hashes one file read in place, 8 MiB at a time (never whole in memory).
   * Reports bytes hashed through `onProgress`, when given, at most every 50 ms,
   * with the block hashes finished since the last report (a receiver may fetch
   * those blocks before the file is hashed); the rest come with the digest.
   */
  async hashFile(
    file: Blob,
    onProgress?: (hashed: number, blocks?: BlockHashes) => void,
  ): Promise<FileDigest> {
    if (!(file instanceof Blob))
      throw new FerryError('Hash/ReadFailed', 'Only files can be hashed.');
    const name = file instanceof File ? `"${file.name}"` : 'the file';
    const pair = await takeHashers();
    const hasher = new FileHasher(file.size, pair[0], pair[1]);
    let lastReport = performance.now();
    /** Blocks whose hashes were reported. */
    let reported = 0;
    try {
      for await (const chunk of readAhead(file)) {
        hasher.update(chunk);
        const now = performance.now();
        if (now - lastReport >= PROGRESS_INTERVAL_MS) {
          lastReport = now;
          // One message per report, never one per block: the hashes ride with the byte count.
          const from = reported;
          reported = hasher.blocksDone;
          onProgress?.(
            hasher.hashed,
            reported > from ? { from, hashes: hasher.blockHashes(from) } : undefined,
          );
        }
      }
      const digest = hasher.finish();
      onProgress?.(digest.size);
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
    } finally {
      idleHashers.push(pair);
      // The page's callback comes as a Comlink proxy holding a MessagePort: let it go now
      // rather than whenever this worker collects garbage (the page's end stays open till then).
      (onProgress as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy]?.();
    }
  },
};

/** The hash worker's API, as the bridge sees it through Comlink. */
export type HashWorkerApi = typeof api;

expose(api);
