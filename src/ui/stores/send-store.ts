// SPDX-License-Identifier: MIT
import { batch } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import type { PickedFile } from '../../adapters/dropped-files';
import type { HashPool } from '../../adapters/hash-pool';
import { draftHashesReleased, hashingReleased } from '../../adapters/test-faults';
import { toHex } from '../../core/bytes';
import type { FileDigest } from '../../core/content/file-hasher';
import { HashLog } from '../../core/content/hash-log';
import { sanitizePath } from '../../core/content/path-rules';
import { isAbortError } from '../../core/errors';
import type { PreparingStatus } from '../../core/protocol/message-types';
import { TakenPaths, uniquePath } from '../../core/unique-path';
import { buildOffer, type CheckedFile, type Collection } from './offer';
import { createProgressStore } from './progress-store';
import type { SendReceiver } from './receiver-rows';
import { createShareRoom } from './share-room';
import { SlicedIntake } from './sliced-intake';

/**
 * Longest stretch, ms, spent taking picked files into the list before the page
 * may paint and answer input again. A browser answers the first look at each
 * picked file's size and date with a call to its own process (~0.25 ms here):
 * 5,000 files taken at once froze the page 2.3 s (`npm run bench -- send-check-many`).
 */
const ADD_SLICE_MS = 12;

/** One picked file as the Send screen shows it. */
export interface SendFile {
  id: number;
  path: string;
  size: number;
  status: 'hashing' | 'ready' | 'failed';
  /** BLAKE3 hex once hashed. */
  hash: string | null;
  /** A sentence saying why it failed. */
  error: string | null;
}

/** One receiver connected to this share (the rows live in `receiver-rows.ts`). */
export type { SendReceiver };

/** The live share: the link to give, and who is connected. */
export interface Share {
  link: string;
  signaling: 'connecting' | 'open' | 'reconnecting' | 'failed';
  /** Why sharing stopped working, as a sentence. */
  problem: string | null;
  receivers: SendReceiver[];
}

/** Everything the Send screen shows. */
export interface SendState {
  files: SendFile[];
  /** How many of `files` are still being checked (hashed). */
  checking: number;
  collection: Collection | null;
  share: Share | null;
  /** A problem with the whole offer (not one file). */
  error: string | null;
}

/** Creates the send store: picked files, their hashing, and the resulting collection. */
export function createSendStore(pool: HashPool) {
  const [state, setState] = createStore<SendState>({
    files: [],
    checking: 0,
    collection: null,
    share: null,
    error: null,
  });
  /** Hashing progress per file id, written once per frame. */
  const hashing = createProgressStore();
  const room = createShareRoom({
    setState,
    preparing: preparingStatus,
    // The draft is made from the whole pick only: none while part of it is not listed.
    pick: () =>
      intake.waiting > 0
        ? null
        : state.files.map((f) => {
            const { file, mtime, log } = sources.get(f.id)!;
            return {
              id: f.id,
              entry: f.status === 'failed' ? null : { path: f.path, mtime, file, hashing: log },
            };
          }),
  });

  /** How far hashing has come, for receivers that connect before the manifest exists. */
  function preparingStatus(): PreparingStatus {
    const files = state.files.filter((f) => f.status !== 'failed');
    const total = hashing.view.total;
    const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
    return {
      filesReady: files.filter((f) => f.status === 'ready').length,
      // Files of a large pick not yet in the list count too (their sizes come as they join).
      fileCount: files.length + intake.waiting,
      hashedBytes: Math.min(total?.hashed ?? 0, totalBytes),
      totalBytes,
    };
  }

  const sources = new Map<
    number,
    { file: File; abort: AbortController; digest: FileDigest | null; mtime: number; log: HashLog }
  >();
  let nextId = 1;
  let collectionRun = 0;
  /**
   * Where each file id sits in `state.files`: updating one file must not scan
   * them all, or checking a folder of n files costs n² (5,000 small files took 36 s to a link).
   */
  const position = new Map<number, number>();
  /** Paths in the list, for naming new files; null after a removal (rebuilt when next needed). */
  let taken: TakenPaths | null = null;
  const reindex = () => {
    position.clear();
    state.files.forEach((f, at) => {
      position.set(f.id, at);
    });
  };

  /** Applies a file's last change: it leaves 'hashing' for 'ready' or 'failed'. */
  const finish = (id: number, change: (f: SendFile) => void) => {
    const at = position.get(id);
    if (at === undefined || state.files[at]!.status !== 'hashing') return;
    batch(() => {
      setState('files', at, produce(change));
      setState('checking', (n) => n - 1);
    });
  };

  async function refreshCollection(): Promise<void> {
    const run = ++collectionRun;
    // Receivers may already hold the old file list: a changed offer gets a new room and link
    // (a file of a served draft that merely finished hashing changes nothing).
    const pickChanged = intake.waiting > 0 || room.draftChanged(state.files.map((f) => f.id));
    if ((room.published && pickChanged) || state.files.length === 0) room.stop();
    // Only a served collection put its hash in the link; otherwise the link stands.
    room.unserve();
    setState({ collection: null, error: null });
    if (state.files.length === 0) return;
    if (state.checking > 0) {
      if (!room.isOpen) room.open();
      return;
    }
    const checked: CheckedFile[] = [];
    for (const f of state.files) {
      const source = sources.get(f.id);
      if (f.status !== 'ready' || !source?.digest) continue;
      checked.push({ path: f.path, mtime: source.mtime, file: source.file, digest: source.digest });
    }
    if (checked.length === 0) {
      room.stop();
      return;
    }
    try {
      // A test holding a draft file's hashes holds the manifest too: the receiver sees it still hashing.
      if (__FERRY_TEST_HOOKS__) await draftHashesReleased();
      if (run !== collectionRun) return;
      const offer = await buildOffer(checked, pool);
      if (run !== collectionRun) return;
      setState('collection', offer.collection);
      room.serve(offer.collection, offer.source);
    } catch (err) {
      if (run === collectionRun) setState('error', (err as Error).message);
    }
  }

  function hash(id: number, path: string): void {
    const source = sources.get(id)!;
    (__FERRY_TEST_HOOKS__ ? hashingReleased(path) : Promise.resolve())
      .then(() =>
        pool.hashFile(source.file, {
          signal: source.abort.signal,
          onEvent: (e) => {
            if (e.type !== 'progress') return;
            hashing.push({ type: 'hashed', file: id, bytes: e.hashed });
            // Block hashes reach the draft as they are made: receivers fetch those blocks meanwhile.
            if (e.blocks) source.log.add(e.blocks);
          },
        }),
      )
      .then(
        (digest) => {
          source.digest = digest;
          source.log.finish(digest);
          hashing.push({ type: 'hashed', file: id, bytes: source.file.size });
          hashing.flush();
          finish(id, (f) => {
            f.status = 'ready';
            f.hash = toHex(digest.fileHash);
          });
        },
        (err: unknown) => {
          if (isAbortError(err)) return;
          source.log.fail();
          finish(id, (f) => {
            f.status = 'failed';
            f.error = (err as Error).message;
          });
        },
      )
      .finally(() => void refreshCollection());
  }

  /** Files of this slice of a pick, named and waiting to join the list. */
  let joining: SendFile[] = [];
  const intake = new SlicedIntake<PickedFile>(
    {
      each({ file, relativePath }) {
        taken ??= new TakenPaths(state.files.map((f) => f.path));
        const path = uniquePath(sanitizePath(relativePath || file.name), taken);
        taken.add(path);
        const id = nextId++;
        sources.set(id, {
          file,
          abort: new AbortController(),
          digest: null,
          mtime: Math.max(0, Math.floor(file.lastModified || 0)),
          log: new HashLog(file.size),
        });
        joining.push({ id, path, size: file.size, status: 'hashing', hash: null, error: null });
      },
      afterSlice() {
        const added = joining;
        joining = [];
        hashing.add(added.map((f) => ({ file: f.id, size: f.size })));
        const first = state.files.length;
        // Pushed in place: a new array made the store walk every listed file again, per slice.
        setState(
          'files',
          produce((files) => {
            for (const f of added) files.push(f);
          }),
        );
        added.forEach((f, i) => {
          position.set(f.id, first + i);
        });
        for (const f of added) hash(f.id, f.path);
        // The link works from the first listed file: a receiver can fetch while this one hashes.
        if (!room.isOpen) room.open();
      },
    },
    ADD_SLICE_MS,
  );

  const actions = {
    /**
     * Adds files (from a picker, a folder or a drop) and starts hashing them.
     * A large pick joins the list over several frames; all of it counts as
     * being checked at once.
     */
    add(picked: readonly PickedFile[]): void {
      if (picked.length === 0) return;
      // Counted before they join the list: no collection (nor link) is made from part of a pick.
      batch(() => {
        setState('checking', (n) => n + picked.length);
        setState('collection', null);
      });
      intake.push(picked);
    },
    /** Removes one file (stopping its hashing). */
    remove(id: number): void {
      const at = position.get(id);
      if (at === undefined) return;
      sources.get(id)?.abort.abort();
      sources.delete(id);
      hashing.remove(id);
      batch(() => {
        if (state.files[at]!.status === 'hashing') setState('checking', (n) => n - 1);
        setState('files', (files) => files.filter((f) => f.id !== id));
      });
      reindex();
      taken = null;
      void refreshCollection();
    },
    /** Removes every file. */
    clear(): void {
      for (const s of sources.values()) s.abort.abort();
      sources.clear();
      hashing.clear();
      room.stop();
      setState({ files: [], checking: 0, collection: null, error: null });
      position.clear();
      intake.clear();
      joining = [];
      taken = null;
      collectionRun++;
    },
    /** Stops sharing: receivers are disconnected and the link stops working. */
    stopSharing: room.stop,
  };
  return [state, actions, hashing.view] as const;
}

/** The send store's type, for components. */
export type SendStore = ReturnType<typeof createSendStore>;
