// SPDX-License-Identifier: MIT

/** Areas an error can come from; the first half of every error name. */
export type ErrorDomain =
  | 'Manifest'
  | 'Ticket'
  | 'Hash'
  | 'Store'
  | 'Codec'
  | 'Protocol'
  | 'Signal';

/**
 * Every distinct failure Ferry reports, as `Domain/Reason`.
 * Names (not classes) are the contract: only `name` and `message` survive a
 * Comlink or postMessage boundary, so callers test `err.name`.
 */
export type FerryErrorName =
  | `${'Manifest' | 'Ticket' | 'Codec' | 'Protocol'}/${'Truncated' | 'TrailingBytes' | 'OutOfRange' | 'BadEncoding'}`
  | 'Manifest/Refused'
  | 'Manifest/NotDraft'
  | 'Manifest/BadMagic'
  | 'Manifest/UnsupportedVersion'
  | 'Manifest/TooLarge'
  | 'Manifest/TooManyFiles'
  | 'Manifest/NotCanonical'
  | 'Manifest/DuplicatePath'
  | 'Manifest/PathConflict'
  | 'Manifest/AbsolutePath'
  | 'Manifest/DotSegment'
  | 'Manifest/EmptySegment'
  | 'Manifest/ControlCharacter'
  | 'Manifest/FormatCharacter'
  | 'Manifest/SlashLookalike'
  | 'Manifest/DotFolder'
  | 'Manifest/InvalidCharacter'
  | 'Manifest/ReservedName'
  | 'Manifest/NameTooLong'
  | 'Manifest/PathTooLong'
  | 'Manifest/HashMismatch'
  | 'Manifest/NotDraft'
  | 'Ticket/UnsupportedVersion'
  | 'Ticket/BadLength'
  | 'Ticket/BadRelayUrl'
  | 'Ticket/BadLink'
  | 'Protocol/UnsupportedVersion'
  | 'Protocol/UnknownType'
  | 'Protocol/TooLarge'
  | 'Protocol/Unexpected'
  | 'Protocol/PeerError'
  | 'Protocol/Closed'
  | 'Protocol/TimedOut'
  | 'Signal/BadMessage'
  | 'Signal/NoSender'
  | 'Signal/Refused'
  | 'Signal/Unreachable'
  | 'Hash/ReadFailed'
  | 'Hash/WorkerFailed'
  | 'Store/QuotaExceeded'
  | 'Store/Unavailable'
  | 'Store/NotFound'
  | 'Store/BadBlock'
  | 'Store/Busy';

/** The one error family Ferry throws; `name` says exactly what went wrong. */
export class FerryError extends Error {
  override readonly name: FerryErrorName;

  constructor(name: FerryErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** True when `err` is a Ferry error (of the given name, if one is given), by name alone. */
export function isFerryError(err: unknown, name?: FerryErrorName): err is FerryError {
  if (typeof err !== 'object' || err === null) return false;
  const errName = (err as { name?: unknown }).name;
  if (typeof errName !== 'string') return false;
  return name === undefined
    ? /^(Manifest|Ticket|Hash|Store|Codec|Protocol|Signal)\//.test(errName)
    : errName === name;
}

/** True for the standard cancellation error (`DOMException` named `AbortError`). */
export function isAbortError(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError'
  );
}
