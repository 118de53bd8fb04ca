// SPDX-License-Identifier: MIT
import { openDB } from 'idb';

/** Where the service worker keeps files shared to Ferry (public/share-target-sw.js writes it). */
const INBOX_DB = 'ferry-inbox';
const INBOX_STORE = 'shared';

/** What arrived through the share target, and what to tell the person. */
export interface SharedArrival {
  files: File[];
  /** A sentence when the share could not be taken, else null. */
  problem: string | null;
}

/**
 * Takes the files another app shared to Ferry (the service worker kept them
 * and sent the page to `?share-target=…`), emptying the inbox. Null when this
 * page was not opened by a share.
 */
export async function takeSharedFiles(url: URL): Promise<SharedArrival | null> {
  const outcome = url.searchParams.get('share-target');
  if (outcome === null) return null;
  // The address shows the Send screen only: a reload must not look for the share again.
  history.replaceState(null, '', `${url.pathname}${url.hash || '#send'}`);
  if (outcome !== 'received') {
    return {
      files: [],
      problem:
        outcome === 'failed'
          ? 'The shared files could not be taken. Add them here with "Add files" instead.'
          : 'Ferry must be opened once before other apps can share to it. Add the files here with "Add files".',
    };
  }
  const db = await openDB(INBOX_DB, 1, {
    upgrade: (database) => database.createObjectStore(INBOX_STORE, { autoIncrement: true }),
  });
  try {
    const tx = db.transaction(INBOX_STORE, 'readwrite');
    const entries = (await tx.store.getAll()) as { files: File[] }[];
    await tx.store.clear();
    await tx.done;
    return { files: entries.flatMap((e) => e.files), problem: null };
  } finally {
    db.close();
  }
}
