// SPDX-License-Identifier: MIT
import type { PreparingStatus } from '../protocol/message-types';
import { askDraft, askManifest, type FetchInit, type PreparingWait } from './manifest-exchange';

/** What a sender that is still hashing offers first: its manifest if done, else its draft. */
export type ManifestOrDraft =
  | { kind: 'manifest'; bytes: Uint8Array }
  | { kind: 'draft'; bytes: Uint8Array };

/**
 * Fetches the manifest, or, while the sender is still hashing, its draft
 * (the file list without hashes) so blocks can come before the hashing
 * ends. Asks for the manifest first each time (a finished sender sends it
 * and no draft is needed), then the draft; while neither exists it hears
 * PREPARING and asks again after `wait.later`. The caller checks that the
 * sender has CAPABILITY_DRAFT and that the link names no collection.
 */
export async function fetchManifestOrDraft(
  init: FetchInit,
  wait: PreparingWait,
): Promise<ManifestOrDraft> {
  for (;;) {
    const manifest = await askManifest(init);
    if (manifest instanceof Uint8Array) return { kind: 'manifest', bytes: manifest };
    wait.onPreparing(manifest);
    const draft: Uint8Array | PreparingStatus = await askDraft(init);
    if (draft instanceof Uint8Array) return { kind: 'draft', bytes: draft };
    wait.onPreparing(draft);
    await new Promise<void>((resolve) => wait.later(resolve));
  }
}
