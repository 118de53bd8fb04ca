import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveToFolderReport, type ZipEntry } from '../../src/adapters/save';

const text = new TextEncoder();
const entry = (path: string, body: string): ZipEntry => ({
  path,
  mtime: 0,
  open: async () => new Blob([text.encode(body)]),
});

let folderName = '';
let picked: FileSystemDirectoryHandle;
beforeEach(async () => {
  folderName = `picked-${crypto.randomUUID()}`;
  picked = await (await navigator.storage.getDirectory()).getDirectoryHandle(folderName, {
    create: true,
  });
  // The native picker cannot be driven headless; a real directory handle (OPFS) stands in for it.
  (
    window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }
  ).showDirectoryPicker = async () => picked;
});
afterEach(async () => {
  await (await navigator.storage.getDirectory()).removeEntry(folderName, { recursive: true });
});

async function write(path: string, body: string): Promise<void> {
  const parts = path.split('/');
  let dir = picked;
  for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
  const w = await (await dir.getFileHandle(parts.at(-1)!, { create: true })).createWritable();
  await w.write(body);
  await w.close();
}

/** Every file under the picked folder, path → text. */
async function contents(dir = picked, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const [name, handle] of dir as unknown as AsyncIterable<[string, FileSystemHandle]>) {
    const path = prefix + name;
    if (handle.kind === 'file')
      out[path] = await (await (handle as FileSystemFileHandle).getFile()).text();
    else Object.assign(out, await contents(handle as FileSystemDirectoryHandle, `${path}/`));
  }
  return out;
}

describe('Save to folder', () => {
  it('never replaces a file: taken names get " (1)", " (2)", and the sentence says how many', async () => {
    await write('trip/notes.txt', 'mine');
    await write('trip/day 1', 'a file where the folder goes');
    const entries = [
      entry('trip/day 1/map.png', 'map'),
      entry('trip/new.txt', 'new'),
      entry('trip/notes.txt', 'theirs'),
    ];
    const first = await saveToFolderReport(entries);
    expect(first.error).toBeNull();
    expect(first.saved).toBe(
      'Saved 3 files to the folder you chose. 2 were renamed (such as "trip/day 1 (1)/map.png") because the folder already had a file of that name; nothing there was replaced.',
    );
    expect(await contents()).toEqual({
      'trip/notes.txt': 'mine',
      'trip/day 1': 'a file where the folder goes',
      'trip/day 1 (1)/map.png': 'map',
      'trip/new.txt': 'new',
      'trip/notes (1).txt': 'theirs',
    });

    const again = await saveToFolderReport([entry('trip/notes.txt', 'again')]);
    expect(again.saved).toBe(
      'Saved 1 file to the folder you chose. 1 was renamed to "trip/notes (2).txt" because the folder already had a file of that name; nothing there was replaced.',
    );
    expect((await contents())['trip/notes.txt']).toBe('mine');
  });

  it('says nothing of renaming when no name was taken', async () => {
    const outcome = await saveToFolderReport([entry('a.txt', 'a'), entry('b/c.txt', 'c')]);
    expect(outcome.saved).toBe('Saved 2 files to the folder you chose.');
    expect(await contents()).toEqual({ 'a.txt': 'a', 'b/c.txt': 'c' });
  });

  it('refuses to write into .git or any hidden folder, and writes nothing at all', async () => {
    for (const path of ['.git/hooks/post-checkout', 'repo/.git/config', '../outside.txt']) {
      const outcome = await saveToFolderReport([entry('fine.txt', 'x'), entry(path, '#!/bin/sh')]);
      expect(outcome.saved).toBeNull();
      expect(outcome.error).toMatch(/^Could not save to that folder: The path /);
    }
    expect((await saveToFolderReport([entry('.git/config', 'x')])).error).toContain(
      'hidden folder ".git"',
    );
    expect(await contents()).toEqual({});
  });
});
