// SPDX-License-Identifier: MIT
// Raw hash-wasm BLAKE3 with no Ferry code around it: the benchmark's baseline.
import { expose } from 'comlink';
import { createBLAKE3 } from 'hash-wasm';

const READ_SIZE = 8 * 1024 * 1024;

const api = {
  /**
   * Reads files the way workers/hash.worker.ts does (8 MiB slices, next slice
   * requested before the current is used, two files at a time) but hashes
   * nothing; returns milliseconds. This is the ceiling that reading sets.
   */
  async read(files: File[]): Promise<number> {
    const start = performance.now();
    const readOne = async (file: File) => {
      const slice = (o: number) => file.slice(o, Math.min(file.size, o + READ_SIZE)).arrayBuffer();
      let next = file.size > 0 ? slice(0) : null;
      for (let o = 0; next; o += READ_SIZE) {
        await next;
        next = o + READ_SIZE < file.size ? slice(o + READ_SIZE) : null;
      }
    };
    let i = 0;
    const lane = async () => {
      while (i < files.length) await readOne(files[i++]!);
    };
    await Promise.all([lane(), lane()]);
    return performance.now() - start;
  },
  /**
   * Hashes `totalBytes` of in-memory data and returns the milliseconds
   * taken. The data cycles through 64 MiB of distinct bytes, so it is not
   * CPU-cache-resident (file data never is). With `perBlock`, a second
   * hasher also hashes every 1 MiB block on its own, fed the same 256 KiB
   * pieces in turn: the same work Ferry does for a multi-block file.
   */
  async hash(totalBytes: number, perBlock: boolean): Promise<number> {
    const MiB = 1024 * 1024;
    const PIECE = 256 * 1024;
    const data = new Uint8Array(64 * MiB);
    for (let i = 0; i < data.length; i += 65536)
      crypto.getRandomValues(data.subarray(i, i + 65536));
    const whole = await createBLAKE3();
    const block = await createBLAKE3();
    const start = performance.now();
    whole.init();
    for (let done = 0; done < totalBytes; done += MiB) {
      const at = done % data.length;
      if (perBlock) block.init();
      for (let p = 0; p < MiB; p += PIECE) {
        const piece = data.subarray(at + p, at + p + PIECE);
        whole.update(piece);
        if (perBlock) block.update(piece);
      }
      if (perBlock) block.digest('binary');
    }
    whole.digest('binary');
    return performance.now() - start;
  },
};

/** The raw-hash worker's API. */
export type RawHashApi = typeof api;
expose(api);
