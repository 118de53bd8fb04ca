// SPDX-License-Identifier: MIT
import { MAX_NAME_BYTES, MAX_PATH_BYTES, MAX_PATH_DEPTH } from '../constants';
import { FerryError } from '../errors';

// C0 and C1 controls and DEL: invisible, and some terminals act on them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');
// Format characters (general category Cf): invisible, and the bidi ones reorder
// what a person reads ("photo\u202Egpj.exe" shows as "photoexe.jpg"). macOS
// ignores some of them in names, so ".g\u200Cit" would be ".git" there.
const FORMAT = /\p{Cf}/u;
const FORMAT_ALL = /\p{Cf}/gu;
// Characters drawn like "/" or "\" (Unicode's confusables for SOLIDUS and
// REVERSE SOLIDUS, and the fullwidth and small forms): "bank∕login.html" reads
// as a folder "bank" that is not there. Letters of living scripts that the
// confusables list also names (Katakana ノ, CJK 丿 and 丶, Coptic Ⳇ) stay
// allowed: refusing them would refuse ordinary Japanese and Chinese names.
const SLASH_LOOKALIKE =
  /[\u1735\u2041\u2044\u2215\u2571\u27cb\u29f8\u2f03\u3033\u31d3\uff0f\u{1d23a}\u2216\u2572\u27cd\u29f5\u29f9\u31d4\ufe68\uff3c\u{1d20f}\u{1d23b}]/u;
const SLASH_LOOKALIKE_ALL = new RegExp(SLASH_LOOKALIKE.source, 'gu');
// Characters Windows refuses in a name; '/' is the separator and '\' would be one there.
const INVALID_ON_WINDOWS = /[<>:"|?*\\]/;
// Any character refused above, found in one pass; which one it was is asked only then.
const SUSPECT = new RegExp(
  [CONTROL, FORMAT, SLASH_LOOKALIKE, INVALID_ON_WINDOWS].map((r) => r.source).join('|'),
  'u',
);
// The same for a path of ASCII alone, without the Unicode tables (most paths; several times faster).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const SUSPECT_ASCII = /[\u0000-\u001f\u007f<>:"|?*\\]/;
// Device names Windows reserves, with or without an extension ("con.txt" too).
const RESERVED_ON_WINDOWS = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// Every character below U+0300 is its own NFC form, so such a path needs no normalizing to check.
const MAYBE_NOT_NFC = /[\u0300-\u{10ffff}]/u;
// Shown escaped in a sentence: what is invisible, reorders text, or draws a separator.
const UNSAFE_TO_SHOW = new RegExp(
  `[\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}"\\\\]|${SLASH_LOOKALIKE.source}`,
  'u',
);

const DOT = 0x2e;
const SPACE = 0x20;

/** Longest part of a path a sentence shows, in characters. */
const SHOWN_CHARACTERS = 80;

/**
 * A path quoted for a sentence on screen: at most 80 characters, with
 * controls, format characters (bidi overrides included), slash look-alikes,
 * quotes and backslashes written as escapes, so the sentence reads as written.
 */
export function quotePath(path: string): string {
  const chars = Array.from(
    path.length > SHOWN_CHARACTERS * 2 ? path.slice(0, SHOWN_CHARACTERS * 2) : path,
  );
  const more = chars.length > SHOWN_CHARACTERS || path.length > SHOWN_CHARACTERS * 2;
  let out = '';
  for (const c of chars.slice(0, SHOWN_CHARACTERS)) {
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (UNSAFE_TO_SHOW.test(c)) out += `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`;
    else out += c;
  }
  return `"${out}${more ? '…' : ''}"`;
}

/** UTF-8 length of a string, in bytes, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3; // the rest of the BMP, and a lone surrogate (encoded as U+FFFD)
  }
  return bytes;
}

/** True for a folder name Ferry never writes into: hidden ones (".git", ".ssh") and ".git"'s short Windows name. */
export function isHiddenFolder(name: string): boolean {
  return name.startsWith('.') || /^git~\d+$/i.test(name);
}

/**
 * Checks one relative `/`-separated path from a peer. Refuses, with a
 * distinct error name each, anything that could escape the folder the user
 * chose, mislead the person reading it, or that a common filesystem (Windows,
 * macOS, Linux) would mangle: absolute paths, `.` and `..`, hidden folders,
 * empty segments, control, format and Windows-invalid characters, slash
 * look-alikes, reserved device names, trailing dots or spaces, non-NFC text,
 * and over-long names, paths or depth. Time is linear in the path's length;
 * `byteLength` is its UTF-8 length when the caller already knows it.
 */
export function checkPath(path: string, byteLength: number = utf8Length(path)): void {
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) {
    throw new FerryError(
      'Manifest/AbsolutePath',
      `The path ${quotePath(path)} is absolute; only relative paths are allowed.`,
    );
  }
  // One byte per character: ASCII only, which has no format characters, look-alikes or non-NFC text.
  const ascii = byteLength === path.length;
  if ((ascii ? SUSPECT_ASCII : SUSPECT).test(path)) refuseCharacter(path);
  if (byteLength > MAX_PATH_BYTES) {
    throw new FerryError(
      'Manifest/PathTooLong',
      `The path ${quotePath(path)} is longer than ${MAX_PATH_BYTES} bytes.`,
    );
  }
  if (!ascii && MAYBE_NOT_NFC.test(path) && path.normalize('NFC') !== path) {
    throw new FerryError(
      'Manifest/NotCanonical',
      `The path ${quotePath(path)} is not in Unicode normal form C.`,
    );
  }
  // Segments walked by index, not split: a deep path would make 64 strings to look at once.
  let depth = 0;
  for (let start = 0; start <= path.length; ) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    if (++depth > MAX_PATH_DEPTH) {
      throw new FerryError(
        'Manifest/PathTooLong',
        `The path ${quotePath(path)} is nested more than ${MAX_PATH_DEPTH} folders deep.`,
      );
    }
    checkSegment(path, start, end);
    start = end + 1;
  }
}

/** Throws the error for the first kind of refused character in `path` (one is there). */
function refuseCharacter(path: string): never {
  const show = quotePath(path);
  if (CONTROL.test(path)) {
    throw new FerryError(
      'Manifest/ControlCharacter',
      `The path ${show} contains a control character.`,
    );
  }
  if (FORMAT.test(path)) {
    throw new FerryError(
      'Manifest/FormatCharacter',
      `The path ${show} contains an invisible formatting character (shown as \\u{…}), which can make a name look like another.`,
    );
  }
  if (SLASH_LOOKALIKE.test(path)) {
    throw new FerryError(
      'Manifest/SlashLookalike',
      `The path ${show} contains a character drawn like a slash (shown as \\u{…}), which makes a folder appear that is not there.`,
    );
  }
  throw new FerryError(
    'Manifest/InvalidCharacter',
    `The path ${show} contains a character (one of < > : " | ? * \\) that Windows does not allow.`,
  );
}

/** Checks the name `path.slice(start, end)`; it is a folder when a "/" follows it. */
function checkSegment(path: string, start: number, end: number): void {
  const length = end - start;
  const first = path.charCodeAt(start);
  if (length === 0) {
    throw new FerryError(
      'Manifest/EmptySegment',
      `The path ${quotePath(path)} has an empty name in it.`,
    );
  }
  if (first === DOT && (length === 1 || (length === 2 && path.charCodeAt(start + 1) === DOT))) {
    throw new FerryError(
      'Manifest/DotSegment',
      `The path ${quotePath(path)} contains "${path.slice(start, end)}", which could point outside the folder.`,
    );
  }
  const isFolder = end < path.length;
  if (isFolder && (first === DOT || (length >= 5 && isHiddenFolder(path.slice(start, end))))) {
    throw new FerryError(
      'Manifest/DotFolder',
      `The path ${quotePath(path)} puts a file inside the hidden folder ${quotePath(path.slice(start, end))}; Ferry does not write into hidden folders such as .git.`,
    );
  }
  const last = path.charCodeAt(end - 1);
  // Reserved device names are 3 or 4 letters, perhaps with an extension: only such names are
  // looked at, in constant time (searching the name for a dot would scan the rest of the path).
  const mayBeReserved =
    length === 3 ||
    length === 4 ||
    (length > 4 && (path.charCodeAt(start + 3) === DOT || path.charCodeAt(start + 4) === DOT));
  if (
    last === DOT ||
    last === SPACE ||
    (mayBeReserved && RESERVED_ON_WINDOWS.test(path.slice(start, end)))
  ) {
    throw new FerryError(
      'Manifest/ReservedName',
      `The name ${quotePath(path.slice(start, end))} in ${quotePath(path)} is reserved or invalid on Windows.`,
    );
  }
  // At most 3 bytes per UTF-16 unit: a short name cannot be too long.
  if (length * 3 > MAX_NAME_BYTES && utf8Length(path.slice(start, end)) > MAX_NAME_BYTES) {
    throw new FerryError(
      'Manifest/NameTooLong',
      `A name in ${quotePath(path)} is longer than ${MAX_NAME_BYTES} bytes.`,
    );
  }
}

/**
 * Turns a local relative path (from a file picker or a dropped folder) into
 * one `checkPath` accepts: NFC, `/`-separated, invisible format characters
 * dropped, characters other systems refuse and slash look-alikes replaced by
 * `_`, and hidden folders renamed `_.name`. The sender uses it so receivers
 * never see a name they must refuse.
 */
export function sanitizePath(localPath: string): string {
  const names = localPath
    .split(/[/\\]/)
    .map((s) =>
      s
        .replace(FORMAT_ALL, '')
        .replace(CONTROL_ALL, '_')
        .replace(SLASH_LOOKALIKE_ALL, '_')
        .replace(/[<>:"|?*]/g, '_')
        // After the removals: dropping a format character can leave a letter and its accent side by side.
        .normalize('NFC'),
    )
    // "." and "..", and names of format characters alone (empty once they are dropped), go.
    .filter((s) => s !== '' && s !== '.' && s !== '..');
  const safe = names.map((s, i) => {
    // Shortened until it fits with what the rules add ("_" before reserved and hidden names), so
    // the cut never leaves a trailing dot or space, nor a name one byte too long.
    for (let name = s; ; name = [...name].slice(0, -1).join('')) {
      let fixed = name.replace(/[. ]+$/, (m) => '_'.repeat(m.length));
      if (RESERVED_ON_WINDOWS.test(fixed)) fixed = `_${fixed}`;
      if (i < names.length - 1 && isHiddenFolder(fixed)) fixed = `_${fixed}`;
      if (utf8Length(fixed) <= MAX_NAME_BYTES) return fixed;
    }
  });
  return safe.length > 0 ? safe.join('/') : '_';
}

/**
 * Paths that differ only in letter case: a receiver on a case-insensitive
 * filesystem (Windows, macOS) would overwrite one with another. Returned as
 * groups so the UI can flag them; they are not refused.
 */
export function caseCollisions(paths: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const p of paths) {
    const key = p.toLowerCase();
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
