// SPDX-License-Identifier: MIT
// Benchmark cases, run in real Chromium by bench/run.mjs. Each returns bytes processed and ms taken.
import { wrap } from 'comlink';
import { BlockStore } from '../src/adapters/block-store';
import { ensureFile, putBlocks } from '../src/adapters/block-store-extras';
import { HashPool, type HashPoolInit } from '../src/adapters/hash-pool';
import { decodeWorstManifest } from './manifest-decode';
import type { RawHashApi } from './raw-hash.worker';

const MiB = 1024 * 1024;
const MANY = 200;
const BIG = 256 * MiB;

/** One measurement. */
export interface Sample {
  bytes: number;
  ms: number;
}

let manyFiles: File[] = [];
let bigFile: File | null = null;

/** Writes random data to the origin private file system in 1 MiB pieces, so Files are disk-backed like picked files. */
async function writeOpfsFile(name: string, size: number): Promise<File> {
  const root = await navigator.storage.getDirectory();
  const handle = await root.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  const piece = new Uint8Array(MiB);
  for (let done = 0; done < size; done += MiB) {
    crypto.getRandomValues(piece.subarray(0, 65536));
    piece[65536] = done / MiB;
    await writable.write(piece.subarray(0, Math.min(MiB, size - done)));
  }
  await writable.close();
  return handle.getFile();
}

async function timed(work: () => Promise<number>): Promise<Sample> {
  const start = performance.now();
  const bytes = await work();
  return { bytes, ms: performance.now() - start };
}

async function hashWithPool(files: File[], init: HashPoolInit = {}): Promise<Sample> {
  const pool = new HashPool(init);
  try {
    return await timed(async () => {
      const outcomes = await pool.hashFiles(files);
      if (outcomes.some((o) => !o.ok)) throw new Error('a file failed to hash');
      return files.reduce((s, f) => s + f.size, 0);
    });
  } finally {
    pool.close();
  }
}

async function rawHash(perBlock: boolean): Promise<Sample> {
  const worker = new Worker(new URL('./raw-hash.worker.ts', import.meta.url), { type: 'module' });
  try {
    const ms = await wrap<RawHashApi>(worker).hash(BIG, perBlock);
    return { bytes: BIG, ms };
  } finally {
    worker.terminate();
  }
}

/** Reads the files in a worker exactly as the hash worker does, without hashing: the I/O ceiling. */
async function readFiles(files: File[]): Promise<Sample> {
  const worker = new Worker(new URL('./raw-hash.worker.ts', import.meta.url), { type: 'module' });
  try {
    const ms = await wrap<RawHashApi>(worker).read(files);
    return { bytes: files.reduce((s, f) => s + f.size, 0), ms };
  } finally {
    worker.terminate();
  }
}

const STORE_BYTES = 256 * MiB;
const STORE_BATCH = 16;

async function storeWrite(): Promise<Sample> {
  indexedDB.deleteDatabase('bench-store');
  const store = await BlockStore.open('bench-store');
  await ensureFile(store, 'bench', STORE_BYTES, null);
  const blocks = Array.from({ length: STORE_BATCH }, () =>
    crypto.getRandomValues(new Uint8Array(65536)),
  );
  const data = blocks.map((b) => {
    const block = new Uint8Array(MiB);
    for (let i = 0; i < MiB; i += 65536) block.set(b, i);
    return block;
  });
  try {
    return await timed(async () => {
      for (let i = 0; i < STORE_BYTES / MiB; i += STORE_BATCH) {
        await putBlocks(
          store,
          'bench',
          data.map((d, k) => ({ index: i + k, data: d })),
        );
      }
      return STORE_BYTES;
    });
  } finally {
    store.close();
  }
}

async function storeRead(): Promise<Sample> {
  const store = await BlockStore.open('bench-store');
  try {
    return await timed(async () => {
      let bytes = 0;
      for (let i = 0; i < STORE_BYTES / MiB; i++) {
        const block = await store.getBlock('bench', i);
        if (!block) throw new Error(`block ${i} missing: run store-write first`);
        bytes += block instanceof Blob ? (await block.arrayBuffer()).byteLength : block.byteLength;
      }
      return bytes;
    });
  } finally {
    store.close();
  }
}

/** What a naive store does: one IndexedDB transaction per 1 MiB Blob. The baseline for store-write. */
async function idbRawWrite(): Promise<Sample> {
  indexedDB.deleteDatabase('bench-raw');
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('bench-raw', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('blocks');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const block = new Uint8Array(MiB);
  crypto.getRandomValues(block.subarray(0, 65536));
  try {
    return await timed(async () => {
      for (let i = 0; i < STORE_BYTES / MiB; i++) {
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('blocks', 'readwrite');
          tx.objectStore('blocks').put(new Blob([block]), i);
          tx.oncomplete = () => resolve();
          tx.onabort = () => reject(tx.error);
        });
      }
      return STORE_BYTES;
    });
  } finally {
    db.close();
    indexedDB.deleteDatabase('bench-raw');
  }
}

const cases: Record<string, () => Promise<Sample>> = {
  'hash-raw': () => rawHash(false),
  'hash-raw-blocks': () => rawHash(true),
  'file-read-many': () => readFiles(manyFiles),
  'file-read-big': () => readFiles([bigFile!]),
  'hash-1worker-many-serial': () =>
    hashWithPool(manyFiles, { maxWorkers: 1, filesInFlightPerWorker: 1 }),
  'hash-1worker-many': () => hashWithPool(manyFiles, { maxWorkers: 1 }),
  'hash-pool-many': () => hashWithPool(manyFiles),
  'hash-1worker-big': () => hashWithPool([bigFile!], { maxWorkers: 1 }),
  'hash-pool-big': () => hashWithPool([bigFile!]),
  'idb-raw-write': idbRawWrite,
  'store-write': storeWrite,
  'store-read': storeRead,
  'manifest-decode-worst': decodeWorstManifest,
};

const bench = {
  /** Names of the cases this page can run. */
  names: () => Object.keys(cases),
  /** Makes the input files (once). */
  async setup(): Promise<{ cores: number }> {
    manyFiles = [];
    for (let i = 0; i < MANY; i++) manyFiles.push(await writeOpfsFile(`many-${i}.bin`, MiB));
    bigFile = await writeOpfsFile('big.bin', BIG);
    return { cores: navigator.hardwareConcurrency };
  },
  /** Runs one case once. */
  run: (name: string) => cases[name]!(),
};

(window as unknown as { ferryBench: typeof bench }).ferryBench = bench;
