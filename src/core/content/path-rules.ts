// SPDX-License-Identifier: MIT
import { utf8 } from '../bytes';
import { MAX_NAME_BYTES, MAX_PATH_BYTES, MAX_PATH_DEPTH } from '../constants';
import { FerryError } from '../errors';

// C0 and C1 controls and DEL: invisible, and some terminals act on them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');
// Characters Windows refuses in a name; '/' is the separator and '\' would be one there.
const INVALID_ON_WINDOWS = /[<>:"|?*\\]/;
// Device names Windows reserves, with or without an extension ("con.txt" too).
const RESERVED_ON_WINDOWS = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * Checks one relative `/`-separated path from a peer. Refuses, with a
 * distinct error name each, anything that could escape the folder the user
 * chose or that a common filesystem (Windows, macOS, Linux) would mangle:
 * absolute paths, `.` and `..`, empty segments, control and Windows-invalid
 * characters, reserved device names, trailing dots or spaces, non-NFC text,
 * and over-long names, paths or depth.
 */
export function checkPath(path: string): void {
  const show = JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path);
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) {
    throw new FerryError(
      'Manifest/AbsolutePath',
      `The path ${show} is absolute; only relative paths are allowed.`,
    );
  }
  if (CONTROL.test(path)) {
    throw new FerryError(
      'Manifest/ControlCharacter',
      `The path ${show} contains a control character.`,
    );
  }
  if (utf8(path).length > MAX_PATH_BYTES) {
    throw new FerryError(
      'Manifest/PathTooLong',
      `The path ${show} is longer than ${MAX_PATH_BYTES} bytes.`,
    );
  }
  if (path.normalize('NFC') !== path) {
    throw new FerryError(
      'Manifest/NotCanonical',
      `The path ${show} is not in Unicode normal form C.`,
    );
  }
  const segments = path.split('/');
  if (segments.length > MAX_PATH_DEPTH) {
    throw new FerryError(
      'Manifest/PathTooLong',
      `The path ${show} is nested more than ${MAX_PATH_DEPTH} folders deep.`,
    );
  }
  for (const segment of segments) checkSegment(segment, show);
}

function checkSegment(segment: string, show: string): void {
  if (segment === '') {
    throw new FerryError('Manifest/EmptySegment', `The path ${show} has an empty name in it.`);
  }
  if (segment === '.' || segment === '..') {
    throw new FerryError(
      'Manifest/DotSegment',
      `The path ${show} contains "${segment}", which could point outside the folder.`,
    );
  }
  if (INVALID_ON_WINDOWS.test(segment)) {
    throw new FerryError(
      'Manifest/InvalidCharacter',
      `The path ${show} contains a character (one of < > : " | ? * \\) that Windows does not allow.`,
    );
  }
  if (RESERVED_ON_WINDOWS.test(segment) || /[. ]$/.test(segment)) {
    throw new FerryError(
      'Manifest/ReservedName',
      `The name "${segment}" in ${show} is reserved or invalid on Windows.`,
    );
  }
  if (utf8(segment).length > MAX_NAME_BYTES) {
    throw new FerryError(
      'Manifest/NameTooLong',
      `A name in ${show} is longer than ${MAX_NAME_BYTES} bytes.`,
    );
  }
}

/**
 * Turns a local relative path (from a file picker or a dropped folder) into
 * one `checkPath` accepts: NFC, `/`-separated, with characters other systems
 * refuse replaced by `_`. The sender uses it so receivers never see a name
 * they must refuse.
 */
export function sanitizePath(localPath: string): string {
  const segments = localPath
    .normalize('NFC')
    .split(/[/\\]/)
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map((s) => {
      let name = s
        .replace(CONTROL_ALL, '_')
        .replace(/[<>:"|?*]/g, '_')
        .replace(/[. ]+$/, (m) => '_'.repeat(m.length));
      if (RESERVED_ON_WINDOWS.test(name)) name = `_${name}`;
      while (utf8(name).length > MAX_NAME_BYTES) name = [...name].slice(0, -1).join('');
      return name;
    });
  return segments.length > 0 ? segments.join('/') : '_';
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
