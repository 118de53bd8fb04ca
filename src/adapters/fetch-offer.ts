// SPDX-License-Identifier: MIT
import { bytesEqual } from '../core/bytes';
import { decodeManifestSliced, type Manifest } from '../core/content/manifest';
import { FerryError } from '../core/errors';
import type { PreparingStatus } from '../core/protocol/message-types';
import { Dispatcher } from '../core/session/dispatcher';
import { fetchManifest } from '../core/session/manifest-exchange';
import type { ProtocolStream } from '../core/session/protocol-stream';
import type { HashPool } from './hash-pool';
import { systemTimers } from './system-timers';
import { yieldToPage } from './yield-to-page';

/** How often a sender that is still checking its files is asked again, in ms. */
const PREPARING_POLL_MS = 400;

/** A sender's offer, fetched and checked. */
export interface FetchedOffer {
  /** The manifest bytes as received (their BLAKE3 is `collectionHash`). */
  manifest: Uint8Array;
  collectionHash: Uint8Array;
  parsed: Manifest;
}

/**
 * Fetches the sender's manifest over `stream` (waiting, with `onPreparing`,
 * while it is still hashing), checks it against the link's collection hash
 * when there is one, and decodes it; every refusal is a sentence.
 */
export async function fetchOffer(
  stream: ProtocolStream,
  expectedHash: Uint8Array | null,
  pool: HashPool,
  onPreparing: (status: PreparingStatus) => void,
): Promise<FetchedOffer> {
  // The connection's dispatcher: ids from its one allocator, answers routed by id.
  const dispatcher = Dispatcher.for([stream]);
  const manifest = await fetchManifest(
    { dispatcher, stream, timers: systemTimers },
    { onPreparing, later: (retry) => systemTimers.after(PREPARING_POLL_MS, retry) },
  );
  // The collection hash is the manifest's BLAKE3, computed off the main thread.
  const digest = await pool.hashFile(new Blob([manifest as Uint8Array<ArrayBuffer>]));
  if (expectedHash && !bytesEqual(digest.fileHash, expectedHash)) {
    throw new FerryError(
      'Manifest/HashMismatch',
      'The files offered do not match this link. Do not trust this transfer; ask the sender for a new link.',
    );
  }
  try {
    // In slices, the page answering between them: a large manifest takes longer than a frame.
    const parsed = await decodeManifestSliced(manifest, yieldToPage);
    return { manifest, collectionHash: digest.fileHash, parsed };
  } catch (err) {
    throw new FerryError(
      'Manifest/Refused',
      `Ferry refused this sender's file list: ${(err as Error).message} Nothing was received. Ask the sender to check their files, or to update Ferry.`,
      { cause: err },
    );
  }
}
