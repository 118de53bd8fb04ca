// SPDX-License-Identifier: MIT
import { batch } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import type { HashPool } from '../../adapters/hash-pool';
import { toHex } from '../../core/bytes';
import type { FileDigest } from '../../core/content/file-hasher';
import { buildManifest, encodeManifest, type ManifestEntry } from '../../core/content/manifest';
import { sanitizePath } from '../../core/content/path-rules';
import { isAbortError } from '../../core/errors';
import { uniquePath } from '../../core/unique-path';
import { verificationCode } from '../../core/verification-code';

/** One picked file as the Send screen shows it. */
export interface SendFile {
  id: number;
  path: string;
  size: number;
  hashed: number;
  status: 'hashing' | 'ready' | 'failed';
  /** BLAKE3 hex once hashed. */
  hash: string | null;
  /** A sentence saying why it failed. */
  error: string | null;
}

/** The offer, once every file is hashed. */
export interface Collection {
  hash: string;
  code: string;
  fileCount: number;
  totalSize: number;
  manifest: Uint8Array;
}

/** Everything the Send screen shows. */
export interface SendState {
  files: SendFile[];
  collection: Collection | null;
  /** A problem with the whole offer (not one file). */
  error: string | null;
}

/** A File with the relative path the picker or the drop gave it. */
export interface PickedFile {
  file: File;
  /** Path inside the picked folder, or just the name. */
  relativePath: string;
}

/** Creates the send store: picked files, their hashing, and the resulting collection. */
export function createSendStore(pool: HashPool) {
  const [state, setState] = createStore<SendState>({ files: [], collection: null, error: null });
  const sources = new Map<
    number,
    { file: File; abort: AbortController; digest: FileDigest | null; mtime: number }
  >();
  let nextId = 1;
  let collectionRun = 0;

  const update = (id: number, change: (f: SendFile) => void) =>
    setState('files', (f) => f.id === id, produce(change));

  async function refreshCollection(): Promise<void> {
    const run = ++collectionRun;
    setState({ collection: null, error: null });
    if (state.files.length === 0 || state.files.some((f) => f.status === 'hashing')) return;
    const entries: ManifestEntry[] = [];
    for (const f of state.files) {
      const source = sources.get(f.id);
      if (f.status !== 'ready' || !source?.digest) continue;
      entries.push({
        path: f.path,
        size: f.size,
        mtime: source.mtime,
        fileHash: source.digest.fileHash,
        outboardHash: source.digest.outboardHash,
      });
    }
    if (entries.length === 0) return;
    try {
      const manifest = encodeManifest(buildManifest(entries));
      // The collection hash is the manifest's BLAKE3; the pool computes it, as the main thread never hashes.
      const digest = await pool.hashFile(new Blob([manifest as Uint8Array<ArrayBuffer>]));
      if (run !== collectionRun) return;
      const totalSize = entries.reduce((sum, e) => sum + e.size, 0);
      setState('collection', {
        hash: toHex(digest.fileHash),
        code: verificationCode(digest.fileHash),
        fileCount: entries.length,
        totalSize,
        manifest,
      });
    } catch (err) {
      if (run === collectionRun) setState('error', (err as Error).message);
    }
  }

  function hash(id: number): void {
    const source = sources.get(id)!;
    pool
      .hashFile(source.file, {
        signal: source.abort.signal,
        onEvent: (e) => {
          if (e.type === 'progress') {
            update(id, (f) => {
              f.hashed = e.hashed;
            });
          }
        },
      })
      .then(
        (digest) => {
          source.digest = digest;
          update(id, (f) => {
            f.hashed = f.size;
            f.status = 'ready';
            f.hash = toHex(digest.fileHash);
          });
        },
        (err: unknown) => {
          if (isAbortError(err)) return;
          update(id, (f) => {
            f.status = 'failed';
            f.error = (err as Error).message;
          });
        },
      )
      .finally(() => void refreshCollection());
  }

  const actions = {
    /** Adds files (from a picker, a folder or a drop) and starts hashing them. */
    add(picked: readonly PickedFile[]): void {
      if (picked.length === 0) return;
      const taken = new Set(state.files.map((f) => f.path));
      const added: SendFile[] = [];
      for (const { file, relativePath } of picked) {
        const path = uniquePath(sanitizePath(relativePath || file.name), taken);
        taken.add(path);
        const id = nextId++;
        sources.set(id, {
          file,
          abort: new AbortController(),
          digest: null,
          mtime: Math.max(0, Math.floor(file.lastModified || 0)),
        });
        added.push({
          id,
          path,
          size: file.size,
          hashed: 0,
          status: 'hashing',
          hash: null,
          error: null,
        });
      }
      batch(() => {
        setState('files', (files) => [...files, ...added]);
        setState('collection', null);
      });
      for (const f of added) hash(f.id);
    },
    /** Removes one file (stopping its hashing). */
    remove(id: number): void {
      sources.get(id)?.abort.abort();
      sources.delete(id);
      setState('files', (files) => files.filter((f) => f.id !== id));
      void refreshCollection();
    },
    /** Removes every file. */
    clear(): void {
      for (const s of sources.values()) s.abort.abort();
      sources.clear();
      setState({ files: [], collection: null, error: null });
      collectionRun++;
    },
  };
  return [state, actions] as const;
}

/** The send store's type, for components. */
export type SendStore = ReturnType<typeof createSendStore>;
