// SPDX-License-Identifier: MIT

/** `name (n).ext` for a file name, `name (n)` for one without an extension. */
function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/**
 * Returns `path`, renamed where needed (`name (2).ext`, `name (3).ext`, …)
 * so that it is not a taken file path, not inside a taken file (a folder
 * segment that is a file is renamed), and not a folder of taken files.
 * `taken` holds every file path already used.
 */
export function uniquePath(path: string, taken: ReadonlySet<string>): string {
  const segments = path.split('/');
  // Folders first: "x/y" with a file "x" becomes "x (2)/y"; the same rename
  // comes out for every file of that folder, so it stays together.
  for (let i = 0; i < segments.length - 1; i++) {
    const folder = () => segments.slice(0, i + 1).join('/');
    for (let n = 2; taken.has(folder()); n++) segments[i] = numbered(path.split('/')[i]!, n);
  }
  const folderPart = segments.slice(0, -1).join('/');
  const leaf = segments.at(-1)!;
  const full = (name: string) => (folderPart ? `${folderPart}/${name}` : name);
  const clashes = (p: string) => {
    if (taken.has(p)) return true;
    const asFolder = `${p}/`;
    for (const t of taken) if (t.startsWith(asFolder)) return true;
    return false;
  };
  if (!clashes(full(leaf))) return full(leaf);
  for (let n = 2; ; n++) {
    const candidate = full(numbered(leaf, n));
    if (!clashes(candidate)) return candidate;
  }
}
