// SPDX-License-Identifier: MIT
import { fileBlockSource } from '../../adapters/file-block-source';
import type { HashPool } from '../../adapters/hash-pool';
import { craftedManifest } from '../../adapters/test-faults';
import { toHex } from '../../core/bytes';
import type { FileDigest } from '../../core/content/file-hasher';
import { buildManifest, encodeManifest } from '../../core/content/manifest';
import type { BlockSource } from '../../core/transfer/block-server';
import { verificationCode } from '../../core/verification-code';

/** The offer, once every file is hashed. */
export interface Collection {
  hash: string;
  code: string;
  fileCount: number;
  totalSize: number;
  manifest: Uint8Array;
}

/** A checked file as the Send list holds it: its path in the offer, the picked File and its digest. */
export interface CheckedFile {
  path: string;
  mtime: number;
  file: File;
  digest: FileDigest;
}

/**
 * Makes the offer from checked files: the manifest (sorted and validated once),
 * the collection it hashes to, and the source that serves each manifest entry
 * from its picked File in the manifest's order.
 */
export async function buildOffer(
  files: readonly CheckedFile[],
  pool: HashPool,
): Promise<{ collection: Collection; source: BlockSource }> {
  const built = buildManifest(
    files.map((f) => ({
      path: f.path,
      size: f.file.size,
      mtime: f.mtime,
      fileHash: f.digest.fileHash,
      outboardHash: f.digest.outboardHash,
    })),
  );
  const manifest = (__FERRY_TEST_HOOKS__ && craftedManifest()) || encodeManifest(built);
  // The collection hash is the manifest's BLAKE3; the pool computes it, as the main thread never hashes.
  const digest = await pool.hashFile(new Blob([manifest as Uint8Array<ArrayBuffer>]));
  const collection: Collection = {
    hash: toHex(digest.fileHash),
    code: verificationCode(digest.fileHash),
    fileCount: files.length,
    totalSize: files.reduce((sum, f) => sum + f.file.size, 0),
    manifest,
  };
  const byPath = new Map(files.map((f) => [f.path, f]));
  const source = fileBlockSource(
    built.files.map((e) => {
      const f = byPath.get(e.path)!;
      return { file: f.file, outboard: f.digest.outboard };
    }),
  );
  return { collection, source };
}
