// SPDX-License-Identifier: MIT
import type { BlockStore } from '../../adapters/block-store';
import { saveBlob, saveToFolderReport, saveZip, type ZipEntry } from '../../adapters/save';
import type { ManifestEntry } from '../../core/content/manifest';
import { recordKey } from '../../core/content/record-key';
import type { Offer } from './offered-files';

/** What the save actions read from the receive store. */
export interface ReceiveSavesInit {
  offer(): Offer | null;
  /** The final manifest's entry for a listed file, or undefined while it has none. */
  entry(index: number): ManifestEntry | undefined;
  /** True once a listed file is received and verified. */
  isDone(index: number): boolean;
  openStore(): Promise<BlockStore>;
  /** Shows what a save did, or why it failed, as sentences. */
  onSaved(saved: string | null, error: string | null): void;
}

/** The Receive screen's save actions: one file, a zip, or a folder, each read straight from storage. */
export function createReceiveSaves(init: ReceiveSavesInit) {
  /** The received files, ready to save: each opens its Blob from storage when needed. */
  async function receivedEntries(): Promise<ZipEntry[]> {
    const offer = init.offer();
    if (!offer) return [];
    const store = await init.openStore();
    return offer.files
      .filter((f) => init.isDone(f.index))
      .flatMap((f) => {
        const e = init.entry(f.index);
        return e
          ? [{ path: e.path, mtime: e.mtime, open: () => store.fileBlob(recordKey(e)) }]
          : [];
      });
  }

  return {
    /** Saves one received file through the browser's download, straight from storage. */
    async download(index: number): Promise<void> {
      const entry = init.entry(index);
      if (!entry) return;
      const blob = await (await init.openStore()).fileBlob(recordKey(entry));
      saveBlob(blob, entry.path.split('/').pop() ?? 'file');
    },
    /** Saves every received file as one zip, folders kept. */
    async downloadZip(): Promise<void> {
      const offer = init.offer();
      if (offer) await saveZip(await receivedEntries(), `ferry-${offer.code}.zip`);
    },
    /** Writes every received file into a folder the person picks, sub-folders kept. */
    async saveToFolder(): Promise<void> {
      const outcome = await saveToFolderReport(await receivedEntries());
      init.onSaved(outcome.saved ?? null, outcome.error ?? null);
    },
  };
}
