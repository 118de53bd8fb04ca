// SPDX-License-Identifier: MIT
import { FerryError } from '../core/errors';

/** Turns a browser storage failure into a FerryError a person can act on. */
export function storeError(err: unknown): unknown {
  const { name, message } = (err ?? {}) as { name?: string; message?: string };
  // Over the browser's quota, or the disk itself is full (Chromium then closes the connection).
  if (name === 'QuotaExceededError' || /NO_SPACE|no space left/i.test(message ?? '')) {
    return new FerryError(
      'Store/QuotaExceeded',
      'Paused: this device has no more storage space for Ferry. Free some space (or delete old transfers), then press Resume. Everything received so far is kept.',
      { cause: err },
    );
  }
  return err;
}

/** IndexedDB cannot be opened at all. */
export function unavailable(cause: unknown): FerryError {
  return new FerryError(
    'Store/Unavailable',
    'This browser does not let Ferry store files (private browsing can do this). Try a normal window.',
    { cause },
  );
}

/** A block or file asked for that the store does not have. */
export function notReceiving(): FerryError {
  return new FerryError('Store/NotFound', 'That file is not being received.');
}

/** A file asked for whole before all its blocks are stored, or before it was proven. */
export function notReceived(): FerryError {
  return new FerryError('Store/NotFound', 'That file has not been fully received yet.');
}

/** A block that cannot belong to the file it is written to. */
export function badBlock(message: string): FerryError {
  return new FerryError('Store/BadBlock', message);
}
