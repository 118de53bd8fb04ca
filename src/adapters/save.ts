// SPDX-License-Identifier: MIT
import { downloadZip } from 'client-zip';

/** Hands a Blob to the browser's download, under `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // Long enough for the browser to start reading the Blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file to put in a zip: its path (folders kept), date, and where its bytes are. */
export interface ZipEntry {
  path: string;
  mtime: number;
  /** Fetches the file's Blob when the zip writer reaches it, not before. */
  open(): Promise<Blob>;
}

/**
 * Saves many files as one zip (Zip64 when needed, folder structure kept,
 * UTF-8 names). client-zip streams each Blob into the archive as it goes, so
 * the JS heap holds only the chunk being written.
 */
export async function saveZip(entries: readonly ZipEntry[], name: string): Promise<void> {
  async function* inputs() {
    for (const e of entries)
      yield { name: e.path, lastModified: new Date(e.mtime || Date.now()), input: await e.open() };
  }
  saveBlob(await downloadZip(inputs()).blob(), name);
}
