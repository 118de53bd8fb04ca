// SPDX-License-Identifier: MIT
import { createStore, reconcile } from 'solid-js/store';
import { BlockStore } from '../../adapters/block-store';
import {
  completeFiles,
  deleteReceived,
  listReceived,
  type ReceivedCollection,
} from '../../adapters/received-library';
import { canSaveToFolder, saveBlob, saveToFolderReport, saveZip } from '../../adapters/save';
import { estimateStorage, type StorageInfo } from '../../adapters/storage';

/** One kept transfer as the Received screen shows it. */
export type ReceivedItem = ReceivedCollection;

/** What the Received screen knows. */
export interface ReceivedState {
  /** Kept transfers, newest first; null until first read. */
  items: ReceivedItem[] | null;
  /** How much this origin stores and may still store. */
  storage: StorageInfo | null;
  canSaveToFolder: boolean;
  /** What the last action did, as a sentence. */
  message: string | null;
  /** Why something failed, as a sentence. */
  error: string | null;
}

/** Creates the Received store: past and unfinished transfers kept in this browser. */
export function createReceivedStore() {
  const [state, setState] = createStore<ReceivedState>({
    items: null,
    storage: null,
    canSaveToFolder: canSaveToFolder(),
    message: null,
    error: null,
  });
  let storePromise: Promise<BlockStore> | null = null;
  const openStore = () => {
    storePromise ??= BlockStore.open();
    return storePromise;
  };
  const fail = (what: string, err: unknown) =>
    setState('error', `${what}: ${(err as Error).message ?? String(err)}`);

  async function refresh(): Promise<void> {
    try {
      const [list, storage] = await Promise.all([
        listReceived(await openStore()),
        estimateStorage(),
      ]);
      setState('items', reconcile(list, { key: 'hash' }));
      setState('storage', storage);
    } catch (err) {
      fail('Could not read what this browser keeps', err);
      setState('items', []);
    }
  }

  const actions = {
    /** Reads the kept transfers and the storage estimate again. */
    refresh,
    /** Deletes a kept transfer and the bytes no other kept transfer shares. */
    async remove(hash: string): Promise<void> {
      try {
        await deleteReceived(await openStore(), hash);
        setState({ message: 'Deleted.', error: null });
      } catch (err) {
        fail('Could not delete it', err);
      }
      await refresh();
    },
    /** Saves a kept transfer again: one file as itself, several as a zip with their folders. */
    async save(hash: string): Promise<void> {
      const item = state.items?.find((i) => i.hash === hash);
      try {
        // The manifest is decoded now, for this one transfer: listing never decodes them.
        const entries = await completeFiles(await openStore(), hash);
        if (entries.length === 1) {
          const only = entries[0]!;
          saveBlob(await only.open(), only.path.split('/').pop() ?? 'file');
        } else if (entries.length > 1) {
          await saveZip(entries, `ferry-${item?.code ?? 'files'}.zip`);
        }
      } catch (err) {
        fail('Could not save it', err);
      }
    },
    /** Writes a kept transfer's complete files into a folder the person picks. */
    async saveToFolder(hash: string): Promise<void> {
      let entries: Awaited<ReturnType<typeof completeFiles>>;
      try {
        entries = await completeFiles(await openStore(), hash);
      } catch (err) {
        return fail('Could not save it', err);
      }
      const outcome = await saveToFolderReport(entries);
      setState({ message: outcome.saved, error: outcome.error });
    },
  };
  return [state, actions] as const;
}

/** The Received store's type, for components. */
export type ReceivedStore = ReturnType<typeof createReceivedStore>;
