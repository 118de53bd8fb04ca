// SPDX-License-Identifier: MIT
// The ceiling cases: the least work any verified, stored transfer must do,
// over one raw data channel and no protocol. The sender reads the picked
// files block by block (1 MiB; small files sixteen to a read, as the app's
// SmallFileReader; 2 MiB read ahead) and sends each block in messages of at
// most 256 KiB; the receiver puts each block together,
// hashes it with BLAKE3 in one of two workers, and stores it in IndexedDB
// in transactions of at most 64 blocks or 8 MiB. No requests, no file
// records, no progress, no UI: what is left between this and raw-channel
// is the price of reading, hashing and storing on this machine, which no
// implementation can avoid, so its ratio bounds every transfer case's.
import { GROUP_BYTES, GROUP_FILES, SMALL_FILE_BYTES } from '../src/adapters/small-file-reader';
import { BLOCK_SIZE } from '../src/core/constants';

const MESSAGE = 256 * 1024;
const LOW_WATER = 64 * 1024;
const READ_AHEAD_BYTES = 2 * BLOCK_SIZE;
const BATCH_BLOCKS = 64;
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_WAIT_MS = 10;

/**
 * How far the ceiling got on this page (messages sent; blocks arrived,
 * hashed, stored): what a run that never ends reports (`ceilingProgress`).
 */
export const ceilingProgress = { sent: 0, arrived: 0, hashed: 0, stored: 0, blocks: 0 };

/** Every block of every file, in order: [file, block, length]. */
function blocksOf(sizes: readonly number[]): [number, number, number][] {
  const out: [number, number, number][] = [];
  sizes.forEach((size, file) => {
    for (let o = 0; o < size; o += BLOCK_SIZE)
      out.push([file, o / BLOCK_SIZE, Math.min(BLOCK_SIZE, size - o)]);
  });
  return out;
}

/** One read of the sender: a Blob (a block, or several small files) and the blocks' lengths in it. */
interface SenderRead {
  blob: Blob;
  lengths: number[];
}

/** The sender's reads in order: each big file's blocks one by one, small files sixteen (≤ 1 MiB) at a time. */
function readsOf(files: readonly File[]): SenderRead[] {
  const reads: SenderRead[] = [];
  let group: File[] = [];
  const flush = () => {
    if (group.length > 0) reads.push({ blob: new Blob(group), lengths: group.map((f) => f.size) });
    group = [];
  };
  for (const file of files) {
    if (file.size > 0 && file.size <= SMALL_FILE_BYTES) {
      const bytes = group.reduce((a, f) => a + f.size, 0);
      if (group.length === GROUP_FILES || bytes + file.size > GROUP_BYTES) flush();
      group.push(file);
      continue;
    }
    flush();
    for (const [, block, length] of blocksOf([file.size])) {
      const at = block * BLOCK_SIZE;
      reads.push({ blob: file.slice(at, at + length), lengths: [length] });
    }
  }
  flush();
  return reads;
}

/** Sends the files' bytes over `dc`, read in place, bounded read-ahead; returns the epoch ms it started. */
export async function ceilingSend(dc: RTCDataChannel, files: readonly File[]): Promise<number> {
  const startedAt = Date.now();
  const reads = readsOf(files);
  const ahead: { data: Promise<ArrayBuffer>; lengths: number[]; bytes: number }[] = [];
  let aheadBytes = 0;
  let next = 0;
  const fill = () => {
    while (next < reads.length && (ahead.length === 0 || aheadBytes < READ_AHEAD_BYTES)) {
      const { blob, lengths } = reads[next++]!;
      ahead.push({ data: blob.arrayBuffer(), lengths, bytes: blob.size });
      aheadBytes += blob.size;
    }
  };
  for (fill(); ahead.length > 0; fill()) {
    const read = ahead.shift()!;
    const data = await read.data;
    aheadBytes -= read.bytes;
    let at = 0;
    for (const length of read.lengths) {
      // Each block in messages of at most 256 KiB, as the receiver puts blocks together.
      for (let o = 0; o < length; o += MESSAGE) {
        if (dc.bufferedAmount > LOW_WATER)
          await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
        dc.send(new Uint8Array(data, at + o, Math.min(MESSAGE, length - o)));
        ceilingProgress.sent++;
      }
      at += length;
    }
  }
  return startedAt;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('ceiling', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('blocks');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Listens for files of `sizes` bytes on `dc`: every block hashed and
 * stored. Resolves once its message handler is in place (the sender must
 * not start before: a message that arrives with no handler is lost, and the
 * run then waits for ever for its last block), with `finished`, which
 * resolves once the last transaction committed, with epoch ms of the first
 * block stored and the last.
 */
export async function ceilingListen(
  dc: RTCDataChannel,
  sizes: readonly number[],
): Promise<{ finished: Promise<{ firstAt: number; lastAt: number; bytes: number }> }> {
  const db = await openDb();
  const workers = [0, 1].map(
    () => new Worker(new URL('./ceiling.worker.ts', import.meta.url), { type: 'module' }),
  );
  const blocks = blocksOf(sizes);
  Object.assign(ceilingProgress, { arrived: 0, hashed: 0, stored: 0, blocks: blocks.length });
  const total = sizes.reduce((a, b) => a + b, 0);
  let stored = 0;
  let firstAt = 0;
  let batch: { key: [number, number]; value: Blob | Uint8Array; bytes: number }[] = [];
  let batchBytes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done: (r: { firstAt: number; lastAt: number; bytes: number }) => void = () => {};
  const finished = new Promise<{ firstAt: number; lastAt: number; bytes: number }>((r) => {
    done = r;
  });
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const writes = batch;
    batch = [];
    batchBytes = 0;
    if (writes.length === 0) return;
    const tx = db.transaction('blocks', 'readwrite');
    const store = tx.objectStore('blocks');
    for (const w of writes) store.put(w.value, w.key);
    tx.oncomplete = () => {
      ceilingProgress.stored += writes.length;
      if (!firstAt) firstAt = Date.now();
      stored += writes.reduce((a, w) => a + w.bytes, 0);
      if (stored >= total) done({ firstAt, lastAt: Date.now(), bytes: stored });
    };
  };
  const pending = new Map<number, [number, number, number]>();
  for (const worker of workers)
    worker.onmessage = (e: MessageEvent<{ id: number; stored: Blob | Uint8Array }>) => {
      const [file, block, length] = pending.get(e.data.id)!;
      pending.delete(e.data.id);
      ceilingProgress.hashed++;
      batch.push({ key: [file, block], value: e.data.stored, bytes: length });
      batchBytes += length;
      if (batch.length >= BATCH_BLOCKS || batchBytes >= BATCH_BYTES) flush();
      else timer ??= setTimeout(flush, BATCH_WAIT_MS);
    };
  let index = 0;
  let buffer: Uint8Array<ArrayBuffer> | null = null;
  let filled = 0;
  dc.onmessage = (e: MessageEvent<ArrayBuffer>) => {
    const piece = new Uint8Array(e.data);
    const [, , length] = blocks[index]!;
    // A block of one message is hashed in place; a larger one is put together first.
    let whole: Uint8Array<ArrayBuffer> | null = null;
    if (filled === 0 && piece.length === length) whole = piece;
    else {
      buffer ??= new Uint8Array(length);
      buffer.set(piece, filled);
      filled += piece.length;
      if (filled === length) {
        whole = buffer;
        buffer = null;
        filled = 0;
      }
    }
    if (!whole) return;
    pending.set(index, blocks[index]!);
    ceilingProgress.arrived++;
    workers[index % 2]!.postMessage({ id: index, data: whole }, [whole.buffer]);
    index++;
  };
  return {
    finished: finished.then((result) => {
      for (const w of workers) w.terminate();
      db.close();
      return result;
    }),
  };
}
