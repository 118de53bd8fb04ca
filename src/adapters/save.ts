// SPDX-License-Identifier: MIT
import { downloadZip } from 'client-zip';
import { formatCount } from '../core/format';

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

// The File System Access picker is Chromium-only and not in TypeScript's DOM lib.
interface DirectoryPickerWindow {
  showDirectoryPicker?: (options?: {
    mode?: 'read' | 'readwrite';
  }) => Promise<FileSystemDirectoryHandle>;
}

/** True where the browser can write a folder the person picks (Chromium desktop). */
export function canSaveToFolder(): boolean {
  return typeof (window as DirectoryPickerWindow).showDirectoryPicker === 'function';
}

/**
 * Writes the files into a folder the person picks, recreating their
 * sub-folders, each streamed from storage to disk. Paths were checked when
 * the manifest was decoded (no "..", no separators in names), and the
 * directory API refuses anything else, so nothing lands outside that folder.
 * Resolves with the number of files written; rejects with AbortError when
 * the person closes the picker.
 */
export async function saveToFolder(entries: readonly ZipEntry[]): Promise<number> {
  const picker = (window as DirectoryPickerWindow).showDirectoryPicker;
  if (!picker) throw new Error('This browser cannot save into a folder; use Download zip.');
  const root = await picker({ mode: 'readwrite' });
  for (const entry of entries) {
    const segments = entry.path.split('/');
    let dir = root;
    for (const segment of segments.slice(0, -1))
      dir = await dir.getDirectoryHandle(segment, { create: true });
    const handle = await dir.getFileHandle(segments.at(-1)!, { create: true });
    const writable = await handle.createWritable();
    await (await entry.open()).stream().pipeTo(writable);
  }
  return entries.length;
}

/** What a "Save to folder" did, as sentences: `saved` (null when the person closed the picker) or `error`. */
export interface FolderSaveOutcome {
  saved: string | null;
  error: string | null;
}

/** `saveToFolder`, told as a sentence for the screen; never rejects. */
export async function saveToFolderReport(entries: readonly ZipEntry[]): Promise<FolderSaveOutcome> {
  try {
    const count = await saveToFolder(entries);
    return {
      saved: `Saved ${formatCount(count, 'file')} to the folder you chose.`,
      error: null,
    };
  } catch (err) {
    if ((err as Error).name === 'AbortError') return { saved: null, error: null };
    return { saved: null, error: `Could not save to that folder: ${(err as Error).message}` };
  }
}
