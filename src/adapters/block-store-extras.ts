// SPDX-License-Identifier: MIT
// One file at a time over a BlockStore: what tests and benchmarks call; the
// app registers and stores many files per transaction.
import { blockCount } from '../core/constants';
import { type BlockStore, type BlockWrite, isVerified, type StoredFile } from './block-store';
import { notReceiving } from './store-errors';

/** Registers one file to receive; keeps what is already stored for the same key. */
export async function ensureFile(
  store: BlockStore,
  key: string,
  size: number,
  outboard: Uint8Array | null,
): Promise<StoredFile> {
  const [file] = await store.ensureFiles([{ key, size, outboard }]);
  return file!;
}

/** Stores verified blocks of one file in one transaction (see `BlockStore.putBatch`). */
export async function putBlocks(
  store: BlockStore,
  key: string,
  blocks: readonly BlockWrite[],
): Promise<StoredFile> {
  const files = await store.putBatch(blocks.map((b) => ({ key, ...b })));
  return files.get(key)!;
}

/** Indices of one file's blocks not yet verified, in order. */
export async function missingBlocks(store: BlockStore, key: string): Promise<number[]> {
  const file = await store.getFile(key);
  if (!file) throw notReceiving();
  const missing: number[] = [];
  for (let i = 0; i < blockCount(file.size); i++) if (!isVerified(file, i)) missing.push(i);
  return missing;
}
