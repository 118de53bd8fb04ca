// SPDX-License-Identifier: MIT
import { downloadZip } from 'client-zip';
import { checkPath, quotePath } from '../core/content/path-rules';
import { formatCount, formatNumber } from '../core/format';
import { freshNames } from '../core/unique-path';
import { canStreamDownload, streamDownload } from './stream-download';

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
 * the JS heap holds only the chunk being written; the archive streams to the
 * download through the service worker, or, where none controls the page yet,
 * is built as one Blob first (a second copy in storage until it is saved).
 */
export async function saveZip(entries: readonly ZipEntry[], name: string): Promise<void> {
  async function* inputs() {
    for (const e of entries)
      yield { name: e.path, lastModified: new Date(e.mtime || Date.now()), input: await e.open() };
  }
  if (canStreamDownload()) {
    const zip = downloadZip(inputs());
    if (zip.body && (await streamDownload(zip.body, name, 'application/zip'))) return;
    saveBlob(await zip.blob(), name);
    return;
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

/** What a save into a folder did: how many files it wrote, and where it wrote those it renamed. */
export interface FolderSaveResult {
  written: number;
  /** Paths (in the folder) of files written under a new name because the name was taken. */
  renamed: string[];
}

/** True when `dir` holds a file or a folder called `name`. */
async function holds(dir: FileSystemDirectoryHandle, name: string): Promise<boolean> {
  try {
    await dir.getFileHandle(name);
    return true;
  } catch (err) {
    const reason = (err as DOMException).name;
    if (reason === 'NotFoundError') return false;
    // A folder of that name is there.
    if (reason === 'TypeMismatchError') return true;
    throw err;
  }
}

/** The first of `name`, `name (1)`, … that `dir` does not hold. */
async function freeName(dir: FileSystemDirectoryHandle, name: string): Promise<string> {
  for (const candidate of freshNames(name)) if (!(await holds(dir, candidate))) return candidate;
  throw new Error('unreachable: freshNames never ends');
}

/**
 * The folder `segments` below `root`, made where missing; an existing folder
 * is used as it is, but where a file has that name the folder is made as
 * `name (1)` beside it. `made` keeps each folder found (by its path in the
 * collection) so the files of one folder stay together and it is looked up once.
 */
async function folderFor(
  root: FileSystemDirectoryHandle,
  segments: readonly string[],
  made: Map<string, { dir: FileSystemDirectoryHandle; path: string }>,
): Promise<{ dir: FileSystemDirectoryHandle; path: string }> {
  let at = { dir: root, path: '' };
  for (let i = 0; i < segments.length; i++) {
    const key = segments.slice(0, i + 1).join('/');
    const known = made.get(key);
    if (known) {
      at = known;
      continue;
    }
    for (const name of freshNames(segments[i]!)) {
      try {
        const dir = await at.dir.getDirectoryHandle(name, { create: true });
        at = { dir, path: at.path ? `${at.path}/${name}` : name };
        break;
      } catch (err) {
        // A file has that name: the folder goes beside it, renamed.
        if ((err as DOMException).name !== 'TypeMismatchError') throw err;
      }
    }
    made.set(key, at);
  }
  return at;
}

/**
 * Writes the files into `root`, recreating their sub-folders, each streamed
 * from storage to disk. Never replaces anything: a name already taken gets
 * " (1)", " (2)"… before its extension. Every path is checked again first
 * (`checkPath`: no "..", no hidden folders such as .git), whatever the caller
 * checked, so nothing lands outside `root` or where tools act on it.
 */
export async function saveIntoFolder(
  root: FileSystemDirectoryHandle,
  entries: readonly ZipEntry[],
): Promise<FolderSaveResult> {
  for (const entry of entries) checkPath(entry.path);
  const made = new Map<string, { dir: FileSystemDirectoryHandle; path: string }>();
  const renamed: string[] = [];
  for (const entry of entries) {
    const segments = entry.path.split('/');
    const leaf = segments.pop()!;
    const folder = await folderFor(root, segments, made);
    const name = await freeName(folder.dir, leaf);
    const path = folder.path ? `${folder.path}/${name}` : name;
    if (path !== entry.path) renamed.push(path);
    const handle = await folder.dir.getFileHandle(name, { create: true });
    const writable = await handle.createWritable();
    await (await entry.open()).stream().pipeTo(writable);
  }
  return { written: entries.length, renamed };
}

/**
 * Writes the files into a folder the person picks (see `saveIntoFolder`).
 * Rejects with AbortError when the person closes the picker.
 */
export async function saveToFolder(entries: readonly ZipEntry[]): Promise<FolderSaveResult> {
  const picker = (window as DirectoryPickerWindow).showDirectoryPicker;
  if (!picker) throw new Error('This browser cannot save into a folder; use Download zip.');
  return saveIntoFolder(await picker({ mode: 'readwrite' }), entries);
}

/** What a "Save to folder" did, as sentences: `saved` (null when the person closed the picker) or `error`. */
export interface FolderSaveOutcome {
  saved: string | null;
  error: string | null;
}

/** The sentence for a save into a folder: how many files, and how many were renamed rather than replace one. */
export function folderSaveSentence({ written, renamed }: FolderSaveResult): string {
  const saved = `Saved ${formatCount(written, 'file')} to the folder you chose.`;
  if (renamed.length === 0) return saved;
  const some =
    renamed.length === 1
      ? `1 was renamed to ${quotePath(renamed[0]!)}`
      : `${formatNumber(renamed.length)} were renamed (such as ${quotePath(renamed[0]!)})`;
  return `${saved} ${some} because the folder already had a file of that name; nothing there was replaced.`;
}

/** `saveToFolder`, told as a sentence for the screen; never rejects. */
export async function saveToFolderReport(entries: readonly ZipEntry[]): Promise<FolderSaveOutcome> {
  try {
    return { saved: folderSaveSentence(await saveToFolder(entries)), error: null };
  } catch (err) {
    if ((err as Error).name === 'AbortError') return { saved: null, error: null };
    return { saved: null, error: `Could not save to that folder: ${(err as Error).message}` };
  }
}
