// SPDX-License-Identifier: MIT

/** `name (n).ext` for a file name, `name (n)` for one without an extension. */
export function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/**
 * The file paths already used, and the folders they make. Both lookups are
 * constant time: picking a folder of n files asks n of them, and a scan over
 * every path per file made that n² (seconds for a thousand files).
 */
export class TakenPaths {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();

  constructor(paths: Iterable<string> = []) {
    for (const p of paths) this.add(p);
  }

  /** Records a file path (and every folder above it) as used. */
  add(path: string): void {
    this.files.add(path);
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1))
      this.folders.add(path.slice(0, i));
  }

  /** True when `path` is a used file path. */
  isFile(path: string): boolean {
    return this.files.has(path);
  }

  /** True when `path` is a folder that holds used file paths. */
  isFolder(path: string): boolean {
    return this.folders.has(path);
  }
}

/**
 * Returns `path`, renamed where needed (`name (2).ext`, `name (3).ext`, …)
 * so that it is not a taken file path, not inside a taken file (a folder
 * segment that is a file is renamed), and not a folder of taken files.
 */
export function uniquePath(path: string, taken: TakenPaths): string {
  const segments = path.split('/');
  // Folders first: "x/y" with a file "x" becomes "x (2)/y"; the same rename
  // comes out for every file of that folder, so it stays together.
  for (let i = 0; i < segments.length - 1; i++) {
    const folder = () => segments.slice(0, i + 1).join('/');
    for (let n = 2; taken.isFile(folder()); n++) segments[i] = numbered(path.split('/')[i]!, n);
  }
  const folderPart = segments.slice(0, -1).join('/');
  const leaf = segments.at(-1)!;
  const full = (name: string) => (folderPart ? `${folderPart}/${name}` : name);
  const clashes = (p: string) => taken.isFile(p) || taken.isFolder(p);
  if (!clashes(full(leaf))) return full(leaf);
  for (let n = 2; ; n++) {
    const candidate = full(numbered(leaf, n));
    if (!clashes(candidate)) return candidate;
  }
}

/**
 * `name`, then `name (1).ext`, `name (2).ext`, … as a browser names a second
 * download: the names to try, in order, for a file that must not replace one
 * already there.
 */
export function* freshNames(name: string): Generator<string> {
  yield name;
  for (let n = 1; ; n++) yield numbered(name, n);
}
