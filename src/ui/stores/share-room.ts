// SPDX-License-Identifier: MIT
import type { SetStoreFunction } from 'solid-js/store';
import { sendSession } from '../../adapters/send-session';
import { type IncomingSession, SenderHub } from '../../adapters/sender-hub';
import { screenWakeLock } from '../../adapters/wake-lock';
import { fromHex } from '../../core/bytes';
import { SECRET_SIZE } from '../../core/constants';
import type { PreparingStatus } from '../../core/protocol/message-types';
import { ticketLink } from '../../core/ticket';
import type { BlockSource } from '../../core/transfer/block-server';
import type { Collection } from './offer';
import { receiverRows } from './receiver-rows';
import { type PickedEntry, RoomDraft } from './room-draft';
import type { SendState } from './send-store';

/** Wait before reading a receiver's path again when its stats had no pair or round trip yet, ms. */
const PATH_RETRY_MS = 1000;

/** What the room needs from the Send list. */
export interface ShareRoomInit {
  setState: SetStoreFunction<SendState>;
  /** How far hashing has come (answered until there is a manifest). */
  preparing(): PreparingStatus;
  /** The pick as the draft is made from it, or null while part of it is not listed yet. */
  pick(): readonly PickedEntry[] | null;
}

/**
 * The room a Send list is shared in: its secret and link, the receivers
 * connected through it (their rows, the screen wake lock), and what it serves
 * (the draft before the hashes, then the collection). Once either was served,
 * receivers may hold it: a changed pick needs a new room.
 */
export function createShareRoom(init: ShareRoomInit) {
  const { setState } = init;
  let hub: SenderHub | null = null;
  /** The screen stays on while a receiver is connected or connecting: a locked phone drops them. */
  const wakeLock = screenWakeLock();
  /** Receivers connected or connecting now. */
  const live = new Set<string>();
  const liveChanged = () => (live.size > 0 ? wakeLock.hold() : wakeLock.release());
  /** One row per receiver connected to this share. */
  const rows = receiverRows({
    add: (row) => setState('share', 'receivers', (list) => [...list, row]),
    change: (id, change) => setState('share', 'receivers', (r) => r.id === id, change),
  });
  /** The room's secret while sharing; the link carries it. */
  let secret: Uint8Array | null = null;
  /** What the room serves: null while files are still being checked. */
  let served: { collection: Collection; source: BlockSource } | null = null;
  /** True once a manifest or draft was served in this room: receivers may hold it, so a change needs a new room. */
  let published = false;
  /** The file list this room serves before its hashes (made at the first DRAFT_REQUEST). */
  const draft = new RoomDraft();

  /** The link for this room: with the collection hash once there is one, so receivers can check it. */
  const linkFor = (roomSecret: Uint8Array, collection: Collection | null): string =>
    ticketLink(window.location.origin, {
      secret: roomSecret,
      relayUrl: null,
      collectionHash: collection ? fromHex(collection.hash) : null,
    });

  function stop(): void {
    hub?.close();
    hub = null;
    live.clear();
    liveChanged();
    secret = null;
    served = null;
    published = false;
    draft.clear();
    setState('share', null);
  }

  /** The room's draft for a DRAFT_REQUEST: none until every picked file is listed. */
  function draftForRequest() {
    const pick = init.pick();
    if (!pick) return null;
    const made = draft.serve(pick);
    if (made) published = true;
    return made;
  }

  /** Reads how a receiver is connected once its streams are up (again a moment later if the round trip was not measured yet). */
  async function showPath(session: IncomingSession, retries = 3): Promise<void> {
    const path = await session.path();
    if (path) rows.path(session.id, path);
    if ((!path || path.rttMs === null) && retries > 0)
      setTimeout(() => void showPath(session, retries - 1), PATH_RETRY_MS);
  }

  /**
   * Opens a new room: the link works at once, and a receiver that opens it
   * while files are still being checked gets the draft, then the manifest.
   */
  function open(): void {
    stop();
    const roomSecret = crypto.getRandomValues(new Uint8Array(SECRET_SIZE));
    secret = roomSecret;
    setState('share', {
      link: linkFor(roomSecret, null),
      signaling: 'connecting',
      problem: null,
      receivers: [],
    });
    hub = new SenderHub({
      secret: roomSecret,
      relay: window.location.origin,
      onState: (signaling, message) => {
        setState('share', { signaling, problem: message ?? null });
      },
      onSession: (session) => {
        const track = rows.track(session.id, session.streamCount);
        live.add(session.id);
        liveChanged();
        session.onNoPath = (problem) => {
          rows.noPath(session.id, problem);
          live.delete(session.id);
          liveChanged();
        };
        sendSession(session, {
          offer: () => served && { manifest: served.collection.manifest, source: served.source },
          preparing: init.preparing,
          onManifestServed: () => {
            published = true;
          },
          draft: draftForRequest,
          servedDraft: () => draft.served,
          onEvent: (event) => {
            track(event);
            if (event.type === 'end' && live.delete(session.id)) liveChanged();
            if (event.type === 'streams' && event.up === event.of) void showPath(session);
          },
        });
      },
    });
  }

  return {
    open,
    /** Stops sharing: receivers are disconnected and the link stops working. */
    stop,
    /** True while a room is open. */
    get isOpen(): boolean {
      return hub !== null;
    },
    /** True once receivers may hold what this room served. */
    get published(): boolean {
      return published;
    },
    /** True when the pick (file ids) is not the one the served draft was made of. */
    draftChanged: (ids: readonly number[]) => draft.changed(ids),
    /** Serves `collection` in the open room (opening one if needed) and puts its hash in the link. */
    serve(collection: Collection, source: BlockSource): void {
      if (!hub) open();
      served = { collection, source };
      setState('share', 'link', linkFor(secret!, collection));
    },
    /** Stops serving the collection (it is being made again): the link loses its hash. */
    unserve(): void {
      const wasServing = served !== null;
      served = null;
      if (hub && secret && wasServing) setState('share', 'link', linkFor(secret, null));
    },
  };
}
