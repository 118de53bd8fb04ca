// SPDX-License-Identifier: MIT
import { bytesEqual } from '../core/bytes';
import { type DraftFile, draftFiles } from '../core/content/draft';
import { decodeManifestSliced, type Manifest } from '../core/content/manifest';
import { FerryError } from '../core/errors';
import { CAPABILITY_DRAFT } from '../core/protocol/constants';
import type { PreparingStatus } from '../core/protocol/message-types';
import { Dispatcher } from '../core/session/dispatcher';
import { fetchManifestOrDraft } from '../core/session/draft-offer';
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

/** A sender's draft: its files before their hashes (no verification code yet). */
export interface DraftOffer {
  draft: Uint8Array;
  files: DraftFile[];
}

/**
 * Fetches the sender's manifest or, when the link names no collection and
 * the sender is still hashing and can send while hashing
 * (CAPABILITY_DRAFT), its draft. A link with a collection hash never takes
 * a draft: it trusts only what hashes to that hash.
 */
export async function fetchOfferOrDraft(
  stream: ProtocolStream,
  expectedHash: Uint8Array | null,
  pool: HashPool,
  onPreparing: (status: PreparingStatus) => void,
): Promise<FetchedOffer | DraftOffer> {
  const { capabilities } = await stream.ready;
  if (expectedHash || (capabilities & CAPABILITY_DRAFT) === 0)
    return fetchOffer(stream, expectedHash, pool, onPreparing);
  const got = await fetchManifestOrDraft(
    { dispatcher: Dispatcher.for([stream]), stream, timers: systemTimers },
    { onPreparing, later: (retry) => systemTimers.after(PREPARING_POLL_MS, retry) },
  );
  if (got.kind === 'manifest') return checkOffer(got.bytes, null, pool);
  return { draft: got.bytes, files: await decodeDraft(got.bytes) };
}

/** The files of a draft's bytes; refusals are sentences. */
export async function decodeDraft(bytes: Uint8Array): Promise<DraftFile[]> {
  try {
    return draftFiles(await decodeManifestSliced(bytes, yieldToPage));
  } catch (err) {
    throw refused(err);
  }
}

function refused(err: unknown): FerryError {
  return new FerryError(
    'Manifest/Refused',
    `Ferry refused this sender's file list: ${(err as Error).message} Nothing was received. Ask the sender to check their files, or to update Ferry.`,
    { cause: err },
  );
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
  return checkOffer(manifest, expectedHash, pool);
}

/** Checks manifest bytes against the link's collection hash (if any) and decodes them. */
export async function checkOffer(
  manifest: Uint8Array,
  expectedHash: Uint8Array | null,
  pool: HashPool,
): Promise<FetchedOffer> {
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
    throw refused(err);
  }
}
