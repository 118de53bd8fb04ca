// SPDX-License-Identifier: MIT
import { receiveDraft } from '../../adapters/draft-receive';
import { adoptLinkDrafts } from '../../adapters/draft-store';
import { type FetchedOffer, fetchOffer } from '../../adapters/fetch-offer';
import {
  type ReceiveCollectionInit,
  receiveCollection,
  type SessionEvent,
} from '../../adapters/receive-session';
import type { DraftFile } from '../../core/content/draft';
import type { ManifestEntry } from '../../core/content/manifest';
import type { ProtocolStream } from '../../core/session/protocol-stream';
import { type Ticket, ticketLink } from '../../core/ticket';

/** The final manifest of the offer being received, and how its entries map to the listed files. */
export interface FinalOffer {
  manifest: Uint8Array;
  entries: ManifestEntry[];
  collectionHash: Uint8Array;
  /** Listed (draft) index → manifest index, for an offer that began as a draft. */
  entryOf: ReadonlyMap<number, number>;
  /** A session event (naming a manifest index) as the list names its file. */
  toListed(e: SessionEvent): SessionEvent;
}

/** The link being received from, and its connection's streams. */
export interface Current {
  ticket: Ticket;
  relay: string;
  streams: ProtocolStream[];
  /** Null while only the sender's draft is known. */
  final: FinalOffer | null;
  /** The draft the offer began as (its files are listed by draft index), else null. */
  draft: { bytes: Uint8Array; files: DraftFile[] } | null;
  /** A hex digest of the ticket's secret, naming its draft records; null for a link with a collection hash (it never drafts). */
  linkId: string | null;
}

/** The final offer, its entries mapped to the listed files by `entryOf` (null: listed by manifest index). */
export function finalOf(
  offer: FetchedOffer,
  entryOf: ReadonlyMap<number, number> | null,
): FinalOffer {
  const listed = entryOf && new Map([...entryOf].map(([d, e]) => [e, d]));
  return {
    manifest: offer.manifest,
    entries: offer.parsed.files,
    collectionHash: offer.collectionHash,
    entryOf: entryOf ?? new Map(),
    toListed: (e) => (listed && 'file' in e ? { ...e, file: listed.get(e.file) ?? -1 } : e),
  };
}

/** The link kept with the collection: it names the hash that was checked (even if the link opened had none). */
function keptLink(c: Current, collectionHash: Uint8Array): string {
  return ticketLink(window.location.origin, {
    secret: c.ticket.secret,
    relayUrl: c.relay === window.location.origin ? null : c.relay,
    collectionHash,
  });
}

/** What a run shares whether it starts from the draft or the final manifest. */
export type RunInit = Pick<
  ReceiveCollectionInit,
  'streams' | 'reconnect' | 'store' | 'pool' | 'control' | 'onEvent'
> & {
  /** The streams are a new connection's (a resume), not the one the offer came on. */
  newSession: boolean;
  /** The final manifest arrived during a draft run (the screen shows its code). */
  onFinal(offer: FetchedOffer, entryOf: ReadonlyMap<number, number>): void;
};

/**
 * Receives the listed files `selected` of `c`: from the draft while only
 * the draft is known, else from the final manifest (listed indices mapped
 * to its entries, its events mapped back). Events name listed indices.
 */
export function receiveCurrent(
  c: Current,
  selected: readonly number[],
  init: RunInit,
): Promise<{ failed: number[]; cancelled: boolean }> {
  const { onFinal, onEvent, newSession, ...common } = init;
  if (c.final) return receiveFinal(c, c.final, selected, init);
  const draft = c.draft!;
  return receiveDraft({
    ...common,
    draftBytes: draft.bytes,
    draft: draft.files,
    link: c.linkId!,
    selected,
    newSession,
    finalOffer: (streams) => fetchOffer(streams[0]!, null, init.pool, () => {}),
    onFinal: (offer, entryOf) => {
      c.final = finalOf(offer, entryOf);
      onFinal(offer, entryOf);
      return keptLink(c, offer.collectionHash);
    },
    onEvent,
  });
}

/**
 * Receives from the final manifest. A link without a collection hash may
 * have left draft records (a reload after its sender finished hashing):
 * they are adopted first, so what they hold is not fetched again.
 */
async function receiveFinal(
  c: Current,
  final: FinalOffer,
  selected: readonly number[],
  init: RunInit,
): Promise<{ failed: number[]; cancelled: boolean }> {
  const { onFinal: _f, onEvent, newSession: _n, ...common } = init;
  const entries = selected.flatMap((i) => {
    const e = c.draft ? final.entryOf.get(i) : i;
    return e === undefined ? [] : [e];
  });
  if (c.linkId) await adoptLinkDrafts(init.store, init.pool, c.linkId, final.entries, entries);
  return receiveCollection({
    ...common,
    collectionHash: final.collectionHash,
    manifest: final.manifest,
    entries: final.entries,
    link: keptLink(c, final.collectionHash),
    // Listed by draft index when the offer began as a draft: the session speaks manifest indices.
    selected: entries,
    onEvent: (e) => onEvent(final.toListed(e)),
  });
}
