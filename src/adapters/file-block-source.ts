// SPDX-License-Identifier: MIT
import { BLOCK_SIZE } from '../core/constants';
import type { BlockSource } from '../core/transfer/block-server';
import { SmallFileReader } from './small-file-reader';
import { applyBlockFault } from './test-faults';

/** A picked file as the sender serves it: the File, read in place, and its outboard. */
export interface ServedFile {
  file: Blob;
  outboard: Uint8Array;
}

/**
 * Serves blocks straight from the picked Files (`slice().arrayBuffer()`),
 * read when asked for; small files asked for in order are read several at a
 * time (SmallFileReader, at most 4 MiB ahead). A file that changed or
 * vanished since it was picked fails its reads, which the block server
 * reports for that file only.
 */
export function fileBlockSource(files: readonly ServedFile[]): BlockSource {
  const small = new SmallFileReader(files.map((f) => f.file));
  return {
    size: (index) => files[index]?.file.size ?? null,
    outboard: (index) => files[index]?.outboard ?? new Uint8Array(0),
    read: async (index, block) => {
      const { file } = files[index]!;
      if (small.handles(index)) {
        const data = await small.read(index);
        if (__FERRY_TEST_HOOKS__) applyBlockFault(index, block, data);
        return data;
      }
      const start = block * BLOCK_SIZE;
      // A file of one block is read whole: slicing costs a blob registration (profiled: it
      // was the sender's top cost with a thousand small files).
      const part =
        file.size <= BLOCK_SIZE ? file : file.slice(start, Math.min(file.size, start + BLOCK_SIZE));
      const data = new Uint8Array(await part.arrayBuffer());
      if (__FERRY_TEST_HOOKS__) applyBlockFault(index, block, data);
      return data;
    },
  };
}
